// [controller] log_level and --log-level over it (docs/logs.md).
#include <catch2/catch.hpp>

#include <fstream>

#include "config.h"
#include "temp_dir.h"

using namespace patchbay;

TEST_CASE("controller config: log_level, info by default") {
    auto none = parse_controller_config("", "c.toml");
    REQUIRE(none);
    CHECK(none->log_level == LogLevel::info);
    auto debug = parse_controller_config("[controller]\nlog_level = \"debug\"\n", "c.toml");
    REQUIRE(debug);
    CHECK(debug->log_level == LogLevel::debug);
    auto warning = parse_controller_config("[controller]\nstate = \"/srv/pb\"\nlog_level = \"warning\"\n", "c.toml");
    REQUIRE(warning);
    CHECK(warning->log_level == LogLevel::warning);
}

TEST_CASE("controller config: a bad log_level names file:line:column and the key") {
    auto loud = parse_controller_config("[controller]\nlog_level = \"loud\"\n", "c.toml");
    REQUIRE_FALSE(loud);
    CHECK(loud.error() ==
          "c.toml:2:13: controller.log_level: unknown log level 'loud' (want error, warning, notice, info or debug)");
    auto number = parse_controller_config("[controller]\nlog_level = 3\n", "c.toml");
    REQUIRE_FALSE(number);
    CHECK(number.error() == "c.toml:2:13: controller.log_level must be a string: error, warning, notice, info or debug");
    auto elsewhere = parse_controller_config("[dns]\nlog_level = \"info\"\n", "c.toml");
    REQUIRE_FALSE(elsewhere);
    CHECK_THAT(elsewhere.error(), Catch::Contains("c.toml:2:13: unknown key 'dns.log_level'"));
}

TEST_CASE("controller config: --log-level overrides the file") {
    test::TempDir tmp;
    const std::string path = (tmp.dir / "controller.toml").string();
    std::ofstream(path) << "[controller]\nlog_level = \"warning\"\n";
    const char* file_only[] = {"patchbay-controller", "--config", path.c_str()};
    auto flags = parse_controller_flags(3, file_only);
    REQUIRE(flags);
    auto cfg = resolve_controller_config(*flags);
    REQUIRE(cfg);
    CHECK(cfg->log_level == LogLevel::warning);

    const char* both[] = {"patchbay-controller", "--config", path.c_str(), "--log-level", "debug"};
    flags = parse_controller_flags(5, both);
    REQUIRE(flags);
    cfg = resolve_controller_config(*flags);
    REQUIRE(cfg);
    CHECK(cfg->log_level == LogLevel::debug);

    const char* dev[] = {"patchbay-controller", "--dev", "--log-level", "error"};
    flags = parse_controller_flags(4, dev);
    REQUIRE(flags);
    cfg = resolve_controller_config(*flags);
    REQUIRE(cfg);
    CHECK(cfg->log_level == LogLevel::error);

    const char* bad[] = {"patchbay-controller", "--dev", "--log-level", "verbose"};
    flags = parse_controller_flags(4, bad);
    REQUIRE(flags);
    cfg = resolve_controller_config(*flags);
    REQUIRE_FALSE(cfg);
    CHECK(cfg.error() == "--log-level: unknown log level 'verbose' (want error, warning, notice, info or debug)");

    const char* missing[] = {"patchbay-controller", "--log-level"};
    auto no_value = parse_controller_flags(2, missing);
    REQUIRE_FALSE(no_value);
    CHECK(no_value.error() == "--log-level needs a value");
}
