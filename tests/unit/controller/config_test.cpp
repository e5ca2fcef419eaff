#include <catch2/catch.hpp>

#include "config.h"

using namespace patchbay;

TEST_CASE("controller config: keys, defaults and flags") {
    auto cfg = parse_controller_config(R"(
[controller]
state = "/srv/pb"
[dns]
listen = ["10.10.10.1:53", "[::1]:53"]
ttl = 30
[api]
listen = "10.10.10.1:8080"
)", "c.toml");
    REQUIRE(cfg);
    CHECK(cfg->state_dir == "/srv/pb");
    REQUIRE(cfg->dns_listen.size() == 2);
    CHECK(cfg->dns_listen[1].str() == "[::1]:53");
    CHECK(cfg->ttl == 30);
    CHECK(cfg->api_listen.str() == "10.10.10.1:8080");

    auto empty = parse_controller_config("", "c.toml");
    REQUIRE(empty);
    CHECK(empty->dns_listen.at(0).str() == "0.0.0.0:53");
    CHECK(empty->api_listen.str() == "127.0.0.1:8080");

    const char* argv[] = {"patchbay-controller", "--dev", "--dns-listen", "127.0.0.1:5353", "--api-listen",
                          "127.0.0.1:0"};
    auto flags = parse_controller_flags(6, argv);
    REQUIRE(flags);
    auto resolved = resolve_controller_config(*flags);
    REQUIRE(resolved);
    CHECK(resolved->dev);
    CHECK(resolved->dns_listen.at(0).str() == "127.0.0.1:5353");
    CHECK(resolved->api_listen.port == 0);
}

TEST_CASE("controller config errors name file:line:column and the key") {
    struct Row {
        const char* text;
        const char* says;
    };
    const std::vector<Row> rows = {
        {"[dns]\nlisten = [\"10.0.0.1\"]\n", "c.toml:2:11: dns.listen: expected ADDR:PORT"},
        {"[dns]\nttl = \"long\"\n", "c.toml:2:7: dns.ttl must be"},
        // Floats are not seconds; 1e300 once reached an out-of-range float ⇒ int cast
        // (tests/fuzz/corpus/controller_config/crash-huge-float-ttl).
        {"[dns]\nttl = 30.0\n", "c.toml:2:7: dns.ttl must be"},
        {"[dns]\nttl = 1e300\n", "c.toml:2:7: dns.ttl must be"},
        {"[api]\nlisten = 8080\n", "c.toml:2:10: api.listen must be a string"},
        {"[api]\nlisen = \"127.0.0.1:1\"\n", "c.toml:2:9: unknown key 'api.lisen'"},
        {"[web]\n", "unknown section 'web'"},
        {"[dns\n", "c.toml:1:"},
    };
    for (const auto& row : rows) {
        INFO(row.text);
        auto cfg = parse_controller_config(row.text, "c.toml");
        REQUIRE_FALSE(cfg);
        CHECK_THAT(cfg.error(), Catch::Contains(row.says));
    }
    const char* bad[] = {"patchbay-controller", "--dns-listen"};
    CHECK_FALSE(parse_controller_flags(2, bad));
    const char* unknown[] = {"patchbay-controller", "--fast"};
    CHECK_THAT(parse_controller_flags(2, unknown).error(), Catch::Contains("unknown argument '--fast'"));
}

TEST_CASE("controller config: the sample examples/controller.toml is valid") {
    const char* argv[] = {"patchbay-controller", "--config", PATCHBAY_SOURCE_DIR "/examples/controller.toml"};
    auto flags = parse_controller_flags(3, argv);
    REQUIRE(flags);
    auto cfg = resolve_controller_config(*flags);
    REQUIRE(cfg);
    CHECK(cfg->state_dir == "/var/lib/patchbay");
    CHECK(cfg->api_listen.str() == "127.0.0.1:8080");
}
