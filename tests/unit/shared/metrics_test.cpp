// Prometheus text format 0.0.4: exact text for families, labels, escapes and odd values.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "metrics.h"

using namespace patchbay;

TEST_CASE("render_metrics: exact Prometheus text") {
    struct Row {
        const char* what;
        std::vector<MetricFamily> families;
        const char* text;
    };
    const double inf = std::numeric_limits<double>::infinity();
    const std::vector<Row> rows = {
        {"nothing", {}, ""},
        {"a family without samples keeps its HELP and TYPE",
         {{"patchbay_up", "Whether it runs.", "gauge", {}}},
         "# HELP patchbay_up Whether it runs.\n# TYPE patchbay_up gauge\n"},
        {"no labels, whole and fractional values",
         {{"a_total", "A.", "counter", {{{}, 3}}}, {"b", "B.", "gauge", {{{}, 0.25}}}},
         "# HELP a_total A.\n# TYPE a_total counter\na_total 3\n# HELP b B.\n# TYPE b gauge\nb 0.25\n"},
        {"labels in order, one line per sample",
         {{"patchbay_notify_total",
           "NOTIFYs by result.",
           "counter",
           {{{{"result", "answered"}}, 12}, {{{"result", "timeout"}, {"zone", "example.com"}}, 1}}}},
         "# HELP patchbay_notify_total NOTIFYs by result.\n# TYPE patchbay_notify_total counter\n"
         "patchbay_notify_total{result=\"answered\"} 12\n"
         "patchbay_notify_total{result=\"timeout\",zone=\"example.com\"} 1\n"},
        {"label values escape backslash, quote and newline; help escapes backslash and newline",
         {{"m", "say \"hi\"\\\nbye", "gauge", {{{{"v", "a\\b\"c\nd"}}, 1}}}},
         "# HELP m say \"hi\"\\\\\\nbye\n# TYPE m gauge\nm{v=\"a\\\\b\\\"c\\nd\"} 1\n"},
        {"NaN and infinities",
         {{"m", "x", "gauge", {{{{"k", "nan"}}, std::nan("")}, {{{"k", "+"}}, inf}, {{{"k", "-"}}, -inf}}}},
         "# HELP m x\n# TYPE m gauge\nm{k=\"nan\"} NaN\nm{k=\"+\"} +Inf\nm{k=\"-\"} -Inf\n"},
        {"large counters stay exact", {{"c", "x", "counter", {{{}, 123456789012.0}}}},
         "# HELP c x\n# TYPE c counter\nc 123456789012\n"},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        CHECK(render_metrics(row.families) == row.text);
    }
}
