#include "span.h"

#include <charconv>

namespace patchbay {

std::string span_text(int64_t ms) {
    for (auto [unit, len] : {std::pair{'w', int64_t{604800000}}, {'d', int64_t{86400000}}, {'h', int64_t{3600000}},
                             {'m', int64_t{60000}}})
        if (ms > 0 && ms % len == 0) return std::to_string(ms / len) + unit;
    return std::to_string(ms / 1000) + "s";
}

Result<int64_t> parse_span(std::string_view text, std::string_view what) {
    auto bad = [&] {
        return fail(std::string(what) + ": '" + std::string(text) + "' is not a duration (a number then s, m, h, d or w)");
    };
    if (text.size() < 2 || text.size() > 12) return bad();
    int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
    if (ec != std::errc() || end != text.data() + text.size() - 1 || n <= 0) return bad();
    int64_t unit = 0;
    switch (text.back()) {
        case 's': unit = 1000; break;
        case 'm': unit = 60000; break;
        case 'h': unit = 3600000; break;
        case 'd': unit = 86400000; break;
        case 'w': unit = 604800000; break;
        default: return bad();
    }
    // Anything past a year is refused by the callers' bounds; this only keeps the product exact.
    if (n > int64_t{1} << 40) return bad();
    return n * unit;
}

}  // namespace patchbay
