#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "host_metrics.h"

using namespace patchbay;

TEST_CASE("host metrics: loadavg") {
    struct Case {
        const char* text;
        std::optional<double> load;
    };
    const Case cases[] = {
        {"0.52 0.58 0.59 1/467 12345\n", 0.52},
        {"12.00 1 1 1/1 1", 12.0},
        {"", std::nullopt},
        {"x 1 1", std::nullopt},
        {"-1 1 1", std::nullopt},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        auto r = parse_loadavg(c.text);
        REQUIRE(r.ok() == c.load.has_value());
        if (c.load) CHECK(*r == Approx(*c.load));
    }
}

TEST_CASE("host metrics: cpu times and busy fraction") {
    auto a = parse_cpu_times("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3 4\nintr 1\n");
    REQUIRE(a.ok());
    CHECK(*a == CpuTimes{150, 1000});
    auto b = parse_cpu_times("cpu  400 0 50 1300 50 0 0 0 0 0\n");
    REQUIRE(b.ok());
    CHECK(busy_fraction(*a, *b) == Approx(300.0 / 800.0));
    CHECK(busy_fraction(*a, *a) == 0);   // no time passed
    CHECK(busy_fraction(*b, *a) == 0);   // counters went back
    auto old = parse_cpu_times("cpu 1 2 3 4\n");  // four fields: an old kernel
    REQUIRE(old.ok());
    CHECK(*old == CpuTimes{6, 10});
    CHECK_FALSE(parse_cpu_times("cpu0 1 2 3 4\n").ok());  // no aggregate line
    CHECK_FALSE(parse_cpu_times("cpu 1 2\n").ok());
    CHECK(parse_cpu_times("cpu 1 x 3 4\n").error() == "stat: bad cpu field 'x'");
}

TEST_CASE("host metrics: memory used") {
    struct Case {
        const char* text;
        std::optional<double> used;
    };
    const Case cases[] = {
        {"MemTotal:       1000 kB\nMemFree:  10 kB\nMemAvailable:    250 kB\n", 0.75},
        {"MemTotal: 1000 kB\nMemAvailable: 2000 kB\n", 0.0},
        {"MemTotal: 1000 kB\n", std::nullopt},
        {"MemTotal: 0 kB\nMemAvailable: 0 kB\n", std::nullopt},
        {"MemTotal: x kB\nMemAvailable: 1 kB\n", std::nullopt},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        auto r = parse_memory_used(c.text);
        REQUIRE(r.ok() == c.used.has_value());
        if (c.used) CHECK(*r == Approx(*c.used));
    }
}

TEST_CASE("host metrics: the reader gives cpu as a delta between reads") {
    auto dir = std::filesystem::temp_directory_path() / ("pb-proc-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto put = [&](const char* name, const std::string& text) { std::ofstream(dir / name) << text; };
    put("loadavg", "1.5 1 1 1/1 1\n");
    put("meminfo", "MemTotal: 100 kB\nMemAvailable: 40 kB\n");
    put("stat", "cpu 10 0 0 90 0 0 0 0\n");
    HostMetricsReader reader(dir.string());
    auto first = reader.read();
    CHECK(first.load1 == Approx(1.5));
    CHECK(first.cpu == 0);
    CHECK(first.memory == Approx(0.6));
    put("stat", "cpu 60 0 0 140 0 0 0 0\n");
    CHECK(reader.read().cpu == Approx(0.5));
    std::filesystem::remove_all(dir);
    CHECK(reader.read() == HostMetrics{});  // nothing readable: zeros, no error
}

TEST_CASE("host metrics: the real /proc parses") {
    HostMetricsReader reader;
    auto m = reader.read();
    CHECK(m.memory > 0);
    CHECK(m.memory < 1);
}
