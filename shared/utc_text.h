// Unix ms as UTC RFC 3339 text, "2026-11-23T16:40:01Z": the one time format of alert
// messages and CLI listings.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

namespace patchbay {

inline std::string utc_text(int64_t ms) {
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

}  // namespace patchbay
