#include "timeline.h"

#include <algorithm>
#include <map>
#include <vector>

#include "utc_text.h"

namespace patchbay {

namespace {

using nlohmann::json;

// Worst first when merging periods into one cell; unknown (no data) is the least.
int rank(const std::string& state) {
    if (state == "down") return 3;
    if (state == "warning") return 2;
    if (state == "up") return 1;
    return 0;
}

std::string cell(const std::string& state, bool color) {
    if (!color) {
        if (state == "up") return "U";
        if (state == "warning") return "W";
        if (state == "down") return "D";
        return ".";
    }
    if (state == "up") return "\033[32m▁\033[0m";
    if (state == "warning") return "\033[33m▄\033[0m";
    if (state == "down") return "\033[31m█\033[0m";
    return "\033[90m·\033[0m";
}

std::string span_text(int64_t ms) {
    for (auto [unit, len] : {std::pair{"d", int64_t{86400000}}, {"h", int64_t{3600000}}, {"m", int64_t{60000}}})
        if (ms > 0 && ms % len == 0) return std::to_string(ms / len) + unit;
    return std::to_string(ms / 1000) + "s";
}

std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : ""; }
int64_t number_of(const json& v) { return v.is_number() ? v.get<int64_t>() : 0; }

std::string padded(const std::string& s, size_t width) {
    return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

}  // namespace

std::string render_timeline(const json& body, const TimelineStyle& style) {
    const json& servers = body.contains("servers") ? body["servers"] : json::array();
    const json& periods = body.contains("periods") ? body["periods"] : json::array();
    const size_t count = periods.size();
    const int64_t period_ms = number_of(body["period_ms"]);
    size_t name_width = 6;  // "events"
    for (const auto& s : servers) name_width = std::max(name_width, text_of(s["name"]).size());
    // name, 2 spaces, the cells, 2 spaces, the state ("warning" is the longest).
    const size_t fixed = name_width + 2 + 2 + 7;
    const size_t room = style.width > fixed + 10 ? style.width - fixed : 10;
    const size_t per_cell = count == 0 ? 1 : (count + room - 1) / room;
    const size_t cells = (count + per_cell - 1) / per_cell;

    std::string out = utc_text(number_of(body["from_ms"])) + " – " + utc_text(number_of(body["to_ms"])) + ", " +
                      std::to_string(count) + " blocks of " + span_text(period_ms);
    if (per_cell > 1) out += ", " + std::to_string(per_cell) + " per column (the worst of them)";
    out += "\n";
    for (const auto& s : servers) {
        const json& blocks = s["blocks"];
        std::string line = padded(text_of(s["name"]), name_width) + "  ";
        for (size_t c = 0; c < cells; ++c) {
            std::string worst = "unknown";
            for (size_t i = c * per_cell; i < std::min(count, (c + 1) * per_cell) && i < blocks.size(); ++i)
                if (rank(text_of(blocks[i])) > rank(worst)) worst = text_of(blocks[i]);
            line += cell(worst, style.color);
        }
        out += line + "  " + text_of(s["state"]) + "\n";
    }
    // The events, each under the column of its period; a network event outranks a server's.
    std::map<int64_t, size_t> column;
    for (size_t i = 0; i < count; ++i) column[number_of(periods[i])] = i / per_cell;
    std::vector<char> marks(cells, ' ');
    std::vector<std::string> notes;
    for (const auto& e : body.contains("events") ? body["events"] : json::array()) {
        auto at = column.find(number_of(e["period_ms"]));
        if (at == column.end()) continue;
        const bool network = text_of(e["kind"]) == "network";
        char& mark = marks[at->second];
        if (network) mark = 'N';
        else if (mark == ' ') mark = 'S';
        std::string who;
        for (const auto& s : e["servers"]) who += (who.empty() ? "" : ", ") + text_of(s);
        notes.push_back(utc_text(number_of(e["period_ms"])) + (network ? " network event: " : " server event: ") + who);
    }
    if (!notes.empty()) {
        out += padded("events", name_width) + "  " + std::string(marks.begin(), marks.end());
        while (!out.empty() && out.back() == ' ') out.pop_back();
        out += "\n";
        for (const auto& n : notes) out += "  " + n + "\n";
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
