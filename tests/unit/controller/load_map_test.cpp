// build_load_map and load_step: the load strategy's input, as a table.
#include <catch2/catch.hpp>

#include <cmath>

#include "load_map.h"

using namespace patchbay;

namespace {

Address addr(const char* text) { return *Address::parse(text); }

}  // namespace

TEST_CASE("load map: every address of every server maps to its server's CPU") {
    struct Row {
        const char* what;
        std::vector<ServerLoad> servers;
        LoadMap want;
    };
    const std::vector<Row> rows = {
        {"no servers", {}, {}},
        {"a server without instances", {{"h1", 0.5, {}}}, {}},
        {"one server, two addresses", {{"h1", 0.25, {addr("10.0.0.1"), addr("2001:db8::1")}}},
         {{addr("10.0.0.1"), 0.25}, {addr("2001:db8::1"), 0.25}}},
        {"an address listed twice (two ports, two zones)", {{"h1", 0.25, {addr("10.0.0.1"), addr("10.0.0.1")}}},
         {{addr("10.0.0.1"), 0.25}}},
        {"two servers, their own addresses",
         {{"h1", 0.1, {addr("10.0.0.1")}}, {"h2", 0.7, {addr("10.0.0.2")}}},
         {{addr("10.0.0.1"), 0.1}, {addr("10.0.0.2"), 0.7}}},
        {"an address two servers report: the busier", {{"h1", 0.8, {addr("10.0.0.1")}}, {"h2", 0.2, {addr("10.0.0.1")}}},
         {{addr("10.0.0.1"), 0.8}}},
        {"the same the other way round", {{"h1", 0.2, {addr("10.0.0.1")}}, {"h2", 0.8, {addr("10.0.0.1")}}},
         {{addr("10.0.0.1"), 0.8}}},
        {"out of range is clamped", {{"h1", 1.7, {addr("10.0.0.1")}}, {"h2", -0.3, {addr("10.0.0.2")}}},
         {{addr("10.0.0.1"), 1.0}, {addr("10.0.0.2"), 0.0}}},
        {"NaN counts as idle", {{"h1", std::nan(""), {addr("10.0.0.1")}}}, {{addr("10.0.0.1"), 0.0}}},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        CHECK(build_load_map(row.servers) == row.want);
    }
}

TEST_CASE("load map: load_step is the tenth a CPU use falls in") {
    struct Row {
        double cpu;
        long step;
    };
    for (const Row& row : std::vector<Row>{{0, 0}, {0.04, 0}, {0.05, 1}, {0.31, 3}, {0.349, 3}, {0.35, 4}, {0.96, 10},
                                           {1, 10}, {3, 10}, {-1, 0}, {std::nan(""), 0}}) {
        INFO(row.cpu);
        CHECK(load_step(row.cpu) == row.step);
    }
}
