#include "metrics.h"

#include <charconv>
#include <cmath>

namespace patchbay {

namespace {

std::string escaped(const std::string& text, bool quotes) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (c == '"' && quotes) out += "\\\"";
        else out += c;
    }
    return out;
}

std::string number(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    // Shortest text that reads back as the same double; counters print as integers.
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    if (ec != std::errc()) return "NaN";
    return std::string(buf, end);
}

}  // namespace

std::string render_metrics(const std::vector<MetricFamily>& families) {
    std::string out;
    for (const auto& family : families) {
        out += "# HELP " + family.name + " " + escaped(family.help, false) + "\n";
        out += "# TYPE " + family.name + " " + family.type + "\n";
        for (const auto& sample : family.samples) {
            out += family.name;
            if (!sample.labels.empty()) {
                out += "{";
                for (size_t i = 0; i < sample.labels.size(); ++i) {
                    if (i) out += ",";
                    out += sample.labels[i].first + "=\"" + escaped(sample.labels[i].second, true) + "\"";
                }
                out += "}";
            }
            out += " " + number(sample.value) + "\n";
        }
    }
    return out;
}

}  // namespace patchbay
