// The timeline's pure core: durations, the grid of periods, folding stored blocks onto
// it, and which periods were network events or server events.
#include <catch2/catch.hpp>

#include "api_timeline.h"
#include "timeline.h"

using namespace patchbay;

namespace {

constexpr int64_t kMin = 60000;
constexpr Health U = Health::up, W = Health::warning, D = Health::down, N = Health::unknown;

TimelineGrid grid_of(size_t count, int64_t period_ms = kMin, int64_t from_ms = 0) {
    return TimelineGrid{from_ms, from_ms + static_cast<int64_t>(count) * period_ms, period_ms, count};
}

}  // namespace

TEST_CASE("timeline: the grid ends with the open period, aligned on the epoch") {
    const int64_t end = 1764986412345;  // 2025-12-06 02:00:12.345 UTC
    auto g = timeline_grid("1h", "5m", end, kMin);
    REQUIRE(g.ok());
    CHECK(g->period_ms == 5 * kMin);
    CHECK(g->count == 12);
    CHECK(g->to_ms % g->period_ms == 0);
    CHECK(g->to_ms > end);
    CHECK(g->to_ms - g->period_ms <= end);
    CHECK(g->from_ms == g->to_ms - 12 * 5 * kMin);
    CHECK(g->start(11) == g->to_ms - 5 * kMin);
    // The default period: the smallest giving at most 300 blocks.
    CHECK(timeline_grid("1h", "", end, kMin)->period_ms == kMin);
    CHECK(timeline_grid("24h", "", end, kMin)->period_ms == 5 * kMin);
    CHECK(timeline_grid("7d", "", end, kMin)->period_ms == 60 * kMin);
    CHECK(timeline_grid("", "", end, kMin)->count == 288);  // 24h in 5m
    // A base period that does not divide 1m: the default rounds up to its multiple.
    CHECK(timeline_grid("1h", "", end, 7000)->period_ms % 7000 == 0);
}

TEST_CASE("timeline: bad ranges and periods are refused, naming the parameter") {
    const int64_t end = 1764986412345;
    auto error = [&](const char* range, const char* period) {
        auto g = timeline_grid(range, period, end, kMin);
        REQUIRE_FALSE(g.ok());
        return g.error();
    };
    CHECK(error("32d", "") == "range: 32d is longer than 31d");
    CHECK(error("1h", "90s") == "period: 90s is not a multiple of the history's period, 1m");
    CHECK(error("1h", "2h") == "period: 2h is longer than the range, 1h");
    CHECK(error("7d", "1m") == "period: 10080 blocks of 1m in 1w, at most 2000");
    CHECK(error("1x", "").rfind("range: '1x'", 0) == 0);
    CHECK(error("1h", "soon").rfind("period: 'soon'", 0) == 0);
}

TEST_CASE("timeline: stored blocks fold onto the grid as the worst of each period") {
    auto g = grid_of(4, 2 * kMin, 100 * kMin);  // periods of 2 stored blocks each
    auto at = [](int64_t minute, Health h) { return StateBlock{"h", minute * kMin, h, {}}; };
    std::vector<StateBlock> blocks = {
        at(100, U), at(101, W),  // period 0: worst warning
        at(103, D),              // period 1: down (one of two stored)
        at(106, U),              // period 3; period 2 has none
        at(99, D),  at(108, D),  // outside the grid
    };
    CHECK(timeline_row(blocks, g) == std::vector<Health>{W, D, N, U});
    CHECK(timeline_row({}, g) == std::vector<Health>{N, N, N, N});
}

TEST_CASE("timeline: many servers falling at once is a network event; one alone a server event") {
    auto g = grid_of(5);
    std::map<std::string, std::vector<Health>> rows = {
        {"a", {U, D, D, U, U}},  // falls in 1 (with b: 2 of 3 ⇒ network)
        {"b", {U, D, U, U, D}},  // goes down in 1, and alone in 4
        {"c", {U, U, U, U, U}},
    };
    auto events = timeline_events(rows, g);
    REQUIRE(events.size() == 2);
    CHECK(events[0] == TimelineEvent{kMin, "network", {"a", "b"}});
    CHECK(events[1] == TimelineEvent{4 * kMin, "server", {"b"}});
}

TEST_CASE("timeline: many servers overloaded at once is load, not the network") {
    auto g = grid_of(2);
    std::map<std::string, std::vector<Health>> rows = {
        {"a", {U, W}}, {"b", {U, W}}, {"c", {U, D}}, {"d", {U, U}},
    };
    auto events = timeline_events(rows, g);
    REQUIRE(events.size() == 3);  // one went down, two overloaded: three server events
    for (const auto& e : events) CHECK(e.kind == "server");
    rows["d"] = {U, D};  // now two went down of four: a network event, and the two warnings apart
    events = timeline_events(rows, g);
    REQUIRE(events.size() == 3);
    CHECK(events[0] == TimelineEvent{kMin, "network", {"c", "d"}});
    CHECK(events[1] == TimelineEvent{kMin, "server", {"a"}});
    CHECK(events[2] == TimelineEvent{kMin, "server", {"b"}});
}

TEST_CASE("timeline: what is not a fall") {
    auto g = grid_of(4);
    std::map<std::string, std::vector<Health>> rows = {
        {"new", {N, D, D, D}},     // first data is down: no known block before it
        {"same", {D, D, D, D}},    // down all along
        {"better", {D, W, U, U}},  // recovering
        {"gap", {U, N, D, D}},     // no data just before: not judged
    };
    CHECK(timeline_events(rows, g).empty());
}

TEST_CASE("timeline: a network event needs 2 servers and 5 of them or a third of those with data") {
    auto g = grid_of(2);
    auto fleet = [](size_t fell, size_t steady) {
        std::map<std::string, std::vector<Health>> rows;
        for (size_t i = 0; i < fell; ++i) rows["f" + std::to_string(100 + i)] = {U, D};
        for (size_t i = 0; i < steady; ++i) rows["s" + std::to_string(100 + i)] = {U, U};
        return rows;
    };
    auto kinds = [&](size_t fell, size_t steady) {
        auto events = timeline_events(fleet(fell, steady), g);
        std::string out;
        for (const auto& e : events) out += e.kind == "network" ? "N" : "S";
        return out;
    };
    CHECK(kinds(1, 0) == "S");
    CHECK(kinds(2, 4) == "N");      // 2 of 6: a third
    CHECK(kinds(2, 5) == "SS");     // 2 of 7
    CHECK(kinds(5, 95) == "N");     // 5 of 100
    CHECK(kinds(4, 96) == "SSSS");  // 4 of 100
    // Servers without data in the period do not count among those with data.
    auto rows = fleet(2, 4);
    for (auto& [name, row] : rows)
        if (name[0] == 's') row = {U, N};
    REQUIRE(timeline_events(rows, g).size() == 1);
}

TEST_CASE("timeline API answers: the grid, rows and events as JSON; events as an account sees them") {
    auto g = grid_of(3, kMin, 10 * kMin);
    ServerStatus a;
    a.name = "a";
    a.state = Health::down;
    a.since_ms = 12 * kMin;
    a.reason = "unit failed";
    auto j = timeline_json(g, {TimelineRow{a, {U, D, N}}}, {TimelineEvent{11 * kMin, "server", {"a"}}}, 12 * kMin + 5);
    CHECK(j["from_ms"] == 10 * kMin);
    CHECK(j["to_ms"] == 13 * kMin);
    CHECK(j["period_ms"] == kMin);
    CHECK(j["now_ms"] == 12 * kMin + 5);
    CHECK(j["periods"] == nlohmann::json::array({10 * kMin, 11 * kMin, 12 * kMin}));
    CHECK(j["servers"][0]["name"] == "a");
    CHECK(j["servers"][0]["state"] == "down");
    CHECK(j["servers"][0]["reason"] == "unit failed");
    CHECK(j["servers"][0]["blocks"] == nlohmann::json::array({"up", "down", "unknown"}));
    CHECK(j["events"][0]["kind"] == "server");
    CHECK(j["events"][0]["period_ms"] == 11 * kMin);

    std::vector<TimelineEvent> fleet = {{kMin, "network", {"a", "b", "c"}}, {2 * kMin, "server", {"c"}}};
    auto seen = visible_events(fleet, {"a", "b"});
    REQUIRE(seen.size() == 1);  // c's server event is not shown; the network event keeps its kind
    CHECK(seen[0] == TimelineEvent{kMin, "network", {"a", "b"}});
}

TEST_CASE("timeline API answers: a block's facts") {
    std::vector<StateBlock> blocks = {{"a", 0, U, BlockMetrics{2, 0.5, 0.25}},
                                      {"a", kMin, D, BlockMetrics{1, 0.75, 0.125}},
                                      {"a", 2 * kMin, W, BlockMetrics{5, 1.0, 1.0}}};  // outside
    std::vector<StateChange> changes = {{kMin + 5, "a", std::nullopt, U, D, "unit failed", {}}};
    auto j = block_facts_json("a", 0, 2 * kMin, blocks, changes);
    CHECK(j["state"] == "down");
    CHECK(j["period_end_ms"] == 2 * kMin);
    CHECK(j["metrics"]["reports"] == 3);
    CHECK(j["metrics"]["cpu_max"] == 0.75);
    CHECK(j["metrics"]["memory_max"] == 0.25);
    CHECK(j["changes"][0]["reason"] == "unit failed");
    CHECK(j["changes"][0]["server"] == "a");
    CHECK(j["changes"][0]["instance"].is_null());
    auto empty = block_facts_json("a", 10 * kMin, 11 * kMin, blocks, {});
    CHECK(empty["state"] == "unknown");
    CHECK(empty["metrics"].is_null());
}
