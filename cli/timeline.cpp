#include "timeline.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <vector>

#include "span.h"
#include "utc_text.h"

namespace patchbay {

namespace {

using nlohmann::json;

constexpr size_t kEventsListed = 10;

// Worst first when merging periods into one cell; unknown (no data) is the least.
// Worst first when merging periods into one cell; no data is the least, and a state this
// CLI does not know ranks just above it (shown, never hiding a known one).
int rank(const std::string& state) {
    if (state == "down") return 4;
    if (state == "warning") return 3;
    if (state == "up") return 2;
    if (state == "unknown") return 0;
    return 1;
}

std::string cell(const std::string& state, bool color) {
    if (!color) {
        if (state == "up") return "U";
        if (state == "warning") return "W";
        if (state == "down") return "D";
        if (state == "unknown") return ".";
        return "?";  // a state this CLI does not know (a newer controller)
    }
    if (state == "up") return "\033[32m▁\033[0m";
    if (state == "warning") return "\033[33m▄\033[0m";
    if (state == "down") return "\033[31m█\033[0m";
    if (state == "unknown") return "\033[90m·\033[0m";
    return "?";
}

std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : ""; }
int64_t number_of(const json& v) { return v.is_number() ? v.get<int64_t>() : 0; }
// A field of an object, null when absent (operator[] on a const json must not be asked
// for a key it lacks).
const json& at(const json& object, const char* key) {
    static const json none;
    if (!object.is_object()) return none;
    auto it = object.find(key);
    return it == object.end() ? none : *it;
}
const json& list_at(const json& object, const char* key) {
    static const json empty = json::array();
    const json& v = at(object, key);
    return v.is_array() ? v : empty;
}

std::string padded(const std::string& s, size_t width) {
    return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

}  // namespace

TimelineStyle choose_style(bool terminal, const char* no_color, int terminal_columns, const char* columns) {
    TimelineStyle style;
    style.color = terminal && !(no_color && *no_color);
    if (terminal && terminal_columns > 0) {
        style.width = static_cast<size_t>(terminal_columns);
    } else if (columns) {
        size_t n = 0;
        auto [end, ec] = std::from_chars(columns, columns + std::strlen(columns), n);
        if (ec == std::errc() && *end == '\0' && n > 0 && n <= 10000) style.width = n;
    }
    return style;
}

std::string render_timeline(const json& body, const TimelineStyle& style) {
    const json& servers = list_at(body, "servers");
    const json& periods = list_at(body, "periods");
    const size_t count = periods.size();
    const int64_t period_ms = number_of(at(body, "period_ms"));
    size_t name_width = 6;  // "events"
    for (const auto& s : servers) name_width = std::max(name_width, text_of(at(s, "name")).size());
    // name, 2 spaces, the cells, 2 spaces, the state ("warning" is the longest).
    const size_t fixed = name_width + 2 + 2 + 7;
    const size_t room = style.width > fixed + 10 ? style.width - fixed : 10;
    const size_t per_cell = count == 0 ? 1 : (count + room - 1) / room;
    const size_t cells = (count + per_cell - 1) / per_cell;

    std::string out = utc_text(number_of(at(body, "from_ms"))) + " – " + utc_text(number_of(at(body, "to_ms"))) + ", " +
                      std::to_string(count) + " blocks of " + span_text(period_ms);
    if (per_cell > 1) out += ", " + std::to_string(per_cell) + " per column (the worst of them)";
    out += "\n";
    for (const auto& s : servers) {
        const json& blocks = list_at(s, "blocks");
        std::string line = padded(text_of(at(s, "name")), name_width) + "  ";
        for (size_t c = 0; c < cells; ++c) {
            std::string worst = "unknown";
            for (size_t i = c * per_cell; i < std::min(count, (c + 1) * per_cell) && i < blocks.size(); ++i)
                if (rank(text_of(blocks[i])) > rank(worst)) worst = text_of(blocks[i]);
            line += cell(worst, style.color);
        }
        out += line + "  " + text_of(at(s, "state")) + "\n";
    }
    // The events, each under the column of its period; a network event outranks a server's.
    std::map<int64_t, size_t> column;
    for (size_t i = 0; i < count; ++i) column[number_of(periods[i])] = i / per_cell;
    std::vector<char> marks(cells, ' ');
    std::vector<std::string> notes;
    for (const auto& e : list_at(body, "events")) {
        auto where = column.find(number_of(at(e, "period_ms")));
        if (where == column.end()) continue;
        const bool network = text_of(at(e, "kind")) == "network";
        char& mark = marks[where->second];
        if (network) mark = 'N';
        else if (mark == ' ') mark = 'S';
        std::string who;
        for (const auto& s : list_at(e, "servers")) who += (who.empty() ? "" : ", ") + text_of(s);
        notes.push_back(utc_text(number_of(at(e, "period_ms"))) + (network ? " network event: " : " server event: ") + who);
    }
    if (!notes.empty()) {
        out += padded("events", name_width) + "  " + std::string(marks.begin(), marks.end());
        while (!out.empty() && out.back() == ' ') out.pop_back();
        out += "\n";
        // The newest few: a week of a flapping fleet would bury the rows.
        const size_t shown = std::min(notes.size(), kEventsListed);
        if (notes.size() > shown) out += "  (" + std::to_string(notes.size() - shown) + " earlier events not listed)\n";
        for (size_t i = notes.size() - shown; i < notes.size(); ++i) out += "  " + notes[i] + "\n";
    }
    if (style.color)
        out += cell("up", true) + " up  " + cell("warning", true) + " warning  " + cell("down", true) + " down  " +
               cell("unknown", true) + " no data";
    else
        out += "U up  W warning  D down  . no data";
    out += "  N network event  S server event\n";
    return out;
}

}  // namespace patchbay
