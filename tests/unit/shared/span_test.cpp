// Durations as people type them (shared/span.h).
#include <catch2/catch.hpp>

#include "span.h"

using namespace patchbay;

TEST_CASE("span: durations as typed, and back") {
    CHECK(parse_span("90s", "range").value() == 90000);
    CHECK(parse_span("5m", "range").value() == 5 * 60000);
    CHECK(parse_span("24h", "range").value() == 24 * 60 * 60000);
    CHECK(parse_span("7d", "range").value() == 7 * 1440 * 60000);
    CHECK(parse_span("1w", "range").value() == 7 * 1440 * 60000);
    for (const char* bad : {"", "h", "0h", "-1h", "1.5h", "1y", "24", "1 h", "99999999999999999h"}) {
        INFO(bad);
        auto r = parse_span(bad, "range");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().rfind("range: '", 0) == 0);
    }
    CHECK(span_text(604800000) == "1w");
    CHECK(span_text(90000) == "90s");
    CHECK(span_text(7200000) == "2h");
    CHECK(span_text(0) == "0s");
}
