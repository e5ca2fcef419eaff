// Durations as people type them in ranges and periods: "90s", "5m", "24h", "7d", "1w"
// (the timelines' API and `patchbay timeline`). Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "result.h"

namespace patchbay {

// "90s", "5m", "24h", "7d", "1w" ⇒ milliseconds. Errors name `what` (the parameter):
// "range: '3x' is not a duration (a number then s, m, h, d or w)".
Result<int64_t> parse_span(std::string_view text, std::string_view what);
// Milliseconds as the largest whole unit: 604800000 ⇒ "1w", 90000 ⇒ "90s".
std::string span_text(int64_t ms);

}  // namespace patchbay
