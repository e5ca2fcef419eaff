// Prometheus text exposition (format 0.0.4) for /metrics on the controller and the agent:
// families of samples as plain values in, the text out. Each daemon collects its own
// families; this file only renders them.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace patchbay {

struct MetricSample {
    std::vector<std::pair<std::string, std::string>> labels;  // in the order printed
    double value = 0;
};

struct MetricFamily {
    std::string name;   // "patchbay_notify_total"
    std::string help;   // one line
    std::string type;   // "counter" or "gauge"
    std::vector<MetricSample> samples;
};

// "# HELP name help", "# TYPE name type", then one line per sample: name{l="v",…} value.
// Help text escapes \ and newline; label values escape \, " and newline. Whole values
// print without a decimal point; NaN and infinities as NaN, +Inf, -Inf.
std::string render_metrics(const std::vector<MetricFamily>& families);

// The content type of that text.
inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace patchbay
