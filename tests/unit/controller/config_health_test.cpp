#include <catch2/catch.hpp>

#include "config.h"

using namespace patchbay;

TEST_CASE("controller config [health]: keys, defaults, errors naming file:line and the key") {
    auto defaults = parse_controller_config("", "c.toml");
    REQUIRE(defaults);
    CHECK(defaults->health.down_after == 2);
    CHECK(defaults->health.up_after == 2);
    CHECK(defaults->health.heartbeat_timeout_seconds == 6);
    CHECK(defaults->health.latency_warning_ms == 500);
    CHECK(defaults->health.load_warning == 0);
    CHECK(defaults->health.cpu_warning == 0.95);
    CHECK(defaults->health.memory_warning == 0.95);
    CHECK(defaults->health.unit_memory_warning_bytes == 0);
    CHECK(defaults->health.period_seconds == 60);
    CHECK(defaults->health.retention_days == 30);

    auto cfg = parse_controller_config(R"(
[health]
down_after = 3
up_after = 1
heartbeat_timeout_seconds = 2
latency_warning_ms = 250.5
load_warning = 4
cpu_warning = 0.8
memory_warning = 0
unit_memory_warning_bytes = 1073741824
unit_cpu_warning = 1.5
period_seconds = 300
retention_days = 7
)", "c.toml");
    REQUIRE(cfg);
    const auto& h = cfg->health;
    CHECK(h.down_after == 3);
    CHECK(h.up_after == 1);
    CHECK(h.heartbeat_timeout_seconds == 2);
    CHECK(h.latency_warning_ms == 250.5);
    CHECK(h.load_warning == 4);
    CHECK(h.cpu_warning == 0.8);
    CHECK(h.memory_warning == 0);
    CHECK(h.unit_memory_warning_bytes == 1073741824);
    CHECK(h.unit_cpu_warning == 1.5);
    CHECK(h.period_seconds == 300);
    CHECK(h.retention_days == 7);

    struct Row {
        const char* text;
        const char* says;
    };
    const std::vector<Row> rows = {
        {"[health]\ndown_after = 0\n", "c.toml:2:14: health.down_after must be a whole number 1 to 1000"},
        {"[health]\nup_after = 1.5\n", "c.toml:2:12: health.up_after must be a whole number"},
        {"[health]\nheartbeat_timeout_seconds = \"6\"\n", "health.heartbeat_timeout_seconds must be a whole number"},
        {"[health]\ncpu_warning = 1.5\n", "c.toml:2:15: health.cpu_warning must be a fraction 0 (off) to 1"},
        {"[health]\nmemory_warning = -0.1\n", "health.memory_warning must be a fraction"},
        {"[health]\nlatency_warning_ms = nan\n", "health.latency_warning_ms must be 0 (off)"},
        {"[health]\nunit_cpu_warning = 2000\n", "c.toml:2:20: health.unit_cpu_warning must be CPUs of 0 (off) to 1024"},
        {"[health]\ndown_afer = 2\n", "c.toml:2:13: unknown key 'health.down_afer'"},
    };
    for (const auto& row : rows) {
        INFO(row.text);
        auto r = parse_controller_config(row.text, "c.toml");
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error(), Catch::Contains(row.says));
    }
}
