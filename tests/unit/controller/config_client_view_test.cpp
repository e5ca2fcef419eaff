// controller config, [client_view] and --client-listen: keys, defaults, flags over the
// file, and errors that name file:line:column and the key.
#include <catch2/catch.hpp>

#include "config.h"

using namespace patchbay;

TEST_CASE("controller config [client_view]: keys and defaults") {
    auto cfg = parse_controller_config(R"(
[dns]
listen = ["10.10.10.1:53"]
[client_view]
listen = ["192.0.2.1:53", "[2001:db8::1]:53"]
assignment_networks = ["10.10.10.0/24", "2001:db8:1::/48"]
ttl = 3
warning_weight_percent = 25
all_down = "empty"
)", "c.toml");
    REQUIRE(cfg);
    REQUIRE(cfg->client_listen.size() == 2);
    CHECK(cfg->client_listen[1].str() == "[2001:db8::1]:53");
    REQUIRE(cfg->assignment_networks.size() == 2);
    CHECK(cfg->assignment_networks[0].str() == "10.10.10.0/24");
    CHECK(cfg->client_view.ttl == 3);
    CHECK(cfg->client_view.warning_weight_percent == 25);
    CHECK(cfg->client_view.all_down == AllDown::empty);

    auto defaults = parse_controller_config("", "c.toml");
    REQUIRE(defaults);
    CHECK(defaults->client_listen.empty());
    CHECK(defaults->assignment_networks.empty());
    CHECK(defaults->client_view.ttl == 5);
    CHECK(defaults->client_view.warning_weight_percent == 10);
    CHECK(defaults->client_view.all_down == AllDown::least_bad);

    auto one = parse_controller_config("[client_view]\nlisten = \"127.0.0.1:5300\"\nassignment_networks = \"10.0.0.0/8\"\n"
                                       "all_down = \"least-bad\"\nttl = 0\n",
                                       "c.toml");
    REQUIRE(one);
    CHECK(one->client_listen.at(0).str() == "127.0.0.1:5300");
    CHECK(one->assignment_networks.at(0).str() == "10.0.0.0/8");
    CHECK(one->client_view.ttl == 0);
}

TEST_CASE("controller config [client_view]: --client-listen (repeatable) replaces the file's, and --dev adds none") {
    const char* argv[] = {"patchbay-controller", "--dev", "--dns-listen", "127.0.0.1:5353",
                          "--client-listen", "127.0.0.1:5354", "--client-listen", "127.0.0.2:5354"};
    auto flags = parse_controller_flags(8, argv);
    REQUIRE(flags);
    auto cfg = resolve_controller_config(*flags);
    REQUIRE(cfg);
    REQUIRE(cfg->client_listen.size() == 2);
    CHECK(cfg->client_listen[1].str() == "127.0.0.2:5354");

    const char* dev[] = {"patchbay-controller", "--dev"};
    auto plain = resolve_controller_config(*parse_controller_flags(2, dev));
    REQUIRE(plain);
    CHECK(plain->client_listen.empty());

    const char* bad[] = {"patchbay-controller", "--client-listen", "localhost"};
    auto bad_flags = parse_controller_flags(3, bad);
    REQUIRE(bad_flags);
    auto bad_cfg = resolve_controller_config(*bad_flags);
    REQUIRE_FALSE(bad_cfg);
    CHECK_THAT(bad_cfg.error(), Catch::Contains("--client-listen: ") && Catch::Contains("localhost"));

    const char* missing[] = {"patchbay-controller", "--client-listen"};
    CHECK_THAT(parse_controller_flags(2, missing).error(), Catch::Contains("--client-listen needs a value"));

    const char* same[] = {"patchbay-controller", "--dns-listen", "127.0.0.1:5353", "--client-listen", "127.0.0.1:5353"};
    auto clash = resolve_controller_config(*parse_controller_flags(5, same));
    REQUIRE_FALSE(clash);
    CHECK_THAT(clash.error(), Catch::Contains("127.0.0.1:5353 is also a DNS listen address"));
}

TEST_CASE("controller config [client_view]: errors name file:line:column and the key") {
    struct Row {
        const char* text;
        const char* says;
    };
    const std::vector<Row> rows = {
        {"[client_view]\nttl = -1\n", "c.toml:2:7: client_view.ttl must be 0 to 604800 seconds"},
        {"[client_view]\nttl = 604801\n", "c.toml:2:7: client_view.ttl must be 0 to 604800 seconds"},
        {"[client_view]\nttl = 5.0\n", "c.toml:2:7: client_view.ttl must be"},
        {"[client_view]\nttl = \"5s\"\n", "c.toml:2:7: client_view.ttl must be"},
        {"[client_view]\nwarning_weight_percent = 0\n", "c.toml:2:26: client_view.warning_weight_percent must be 1 to 100"},
        {"[client_view]\nwarning_weight_percent = 101\n", "client_view.warning_weight_percent must be 1 to 100"},
        {"[client_view]\nall_down = \"none\"\n", "c.toml:2:12: client_view.all_down must be \"least-bad\" or \"empty\""},
        {"[client_view]\nall_down = 1\n", "c.toml:2:12: client_view.all_down must be"},
        {"[client_view]\nlisten = [\"192.0.2.1\"]\n", "c.toml:2:11: client_view.listen: expected ADDR:PORT"},
        {"[client_view]\nlisten = [53]\n", "c.toml:2:11: client_view.listen must be a string"},
        {"[client_view]\nlisten = 53\n", "c.toml:2:10: client_view.listen must be a list of \"ADDR:PORT\""},
        {"[client_view]\nassignment_networks = [\"10.0.0.0/33\"]\n",
         "c.toml:2:24: client_view.assignment_networks: prefix length 33 is over 32"},
        {"[client_view]\nassignment_networks = [\"agents\"]\n", "c.toml:2:24: client_view.assignment_networks: not an address"},
        {"[client_view]\nassignment_networks = 10\n", "c.toml:2:23: client_view.assignment_networks must be a list of strings"},
        {"[client_view]\ntll = 5\n", "c.toml:2:7: unknown key 'client_view.tll'"},
        {"client_view = 5\n", "c.toml:1:15: client_view must be a table [client_view]"},
        {"[dns]\nlisten = [\"127.0.0.1:53\"]\n[client_view]\nlisten = [\"127.0.0.1:53\"]\n",
         "c.toml: client_view.listen 127.0.0.1:53 is also a DNS listen address"},
    };
    for (const auto& row : rows) {
        INFO(row.text);
        auto cfg = parse_controller_config(row.text, "c.toml");
        REQUIRE_FALSE(cfg);
        CHECK_THAT(cfg.error(), Catch::Contains(row.says));
    }
}
