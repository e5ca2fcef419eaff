#include <catch2/catch.hpp>

#include "config.h"

using namespace patchbay;

namespace {

const ConfigDefaults kDefaults{"host1", {*Endpoint::parse("192.0.2.53:53")}};

Result<AgentConfig> parse(const std::string& text) { return parse_config(text, "agent.toml", kDefaults); }

const char* const kMinimal = R"([agent]
domains = ["hostdomain.com"]
resolvers = ["10.10.10.1:53"]
[services.http]
unit = "patchbay-http@.service"
[services.smtp]
unit = "patchbay-smtp@.service"
)";

}  // namespace

TEST_CASE("config: the minimal file of DESIGN.md is enough") {
    auto c = parse(kMinimal);
    REQUIRE(c.ok());
    CHECK(c->domains == std::vector<std::string>{"hostdomain.com"});
    REQUIRE(c->resolvers.size() == 1);
    CHECK(c->resolvers[0].str() == "10.10.10.1:53");
    CHECK(c->name == "host1");
    CHECK(c->poll_seconds == 30);
    CHECK(c->idle_poll_seconds == 5);
    CHECK(c->notify_listen == "0.0.0.0:5300");
    REQUIRE(c->notify_endpoint);
    CHECK(c->notify_endpoint->port == 5300);
    CHECK(c->controller.empty());
    CHECK(c->env_dir == "/run/patchbay/env");
    CHECK(c->query_timeout_ms == 1000);
    REQUIRE(c->services.size() == 2);
    CHECK(c->services[0].name == "http");
    CHECK(c->services[0].unit_template == "patchbay-http@.service");
    CHECK(c->services[0].transports == std::vector<std::string>{"tcp", "udp"});
    auto catalog = c->catalog();
    REQUIRE(catalog.size() == 2);
    CHECK(catalog[1].service == "smtp");
    CHECK(catalog[1].unit_template == "patchbay-smtp@.service");
}

TEST_CASE("config: every optional key") {
    auto c = parse(R"([agent]
name = "web-1"
domains = ["HostDomain.com.", "other.example"]
resolvers = ["127.0.0.1:5353", "[::1]:53"]
poll_seconds = 60
idle_poll_seconds = 2
notify_listen = ""
controller = "http://10.10.10.1:8080/"
token_file = "/etc/patchbay/token"
env_dir = "/run/pb"
query_timeout_ms = 250
[services.http]
unit = "patchbay-http@.service"
transports = ["TCP"]
)");
    REQUIRE(c.ok());
    CHECK(c->name == "web-1");
    CHECK(c->domains == std::vector<std::string>{"hostdomain.com", "other.example"});
    CHECK(c->resolvers.size() == 2);
    CHECK(c->poll_seconds == 60);
    CHECK(c->idle_poll_seconds == 2);
    CHECK(c->notify_listen.empty());
    CHECK(!c->notify_endpoint);
    CHECK(c->controller == "http://10.10.10.1:8080");
    CHECK(c->token_file == "/etc/patchbay/token");
    CHECK(c->env_dir == "/run/pb");
    CHECK(c->query_timeout_ms == 250);
    CHECK(c->services[0].transports == std::vector<std::string>{"tcp"});
}

TEST_CASE("config: resolvers default to /etc/resolv.conf's") {
    auto c = parse("[agent]\ndomains = [\"a.example\"]\n[services.http]\nunit = \"h@.service\"\n");
    REQUIRE(c.ok());
    REQUIRE(c->resolvers.size() == 1);
    CHECK(c->resolvers[0].str() == "192.0.2.53:53");

    auto none = parse_config("[agent]\ndomains = [\"a.example\"]\n[services.http]\nunit = \"h@.service\"\n",
                             "agent.toml", ConfigDefaults{"h", {}});
    REQUIRE(!none.ok());
    CHECK(none.error() == "agent.toml:1:1: no resolvers: set resolvers = [\"ADDR:PORT\"] (/etc/resolv.conf lists none)");
}

TEST_CASE("config: resolv.conf parsing") {
    auto list = parse_resolv_conf("# comment\nsearch example.com\nnameserver 10.0.0.1\n"
                                  "nameserver fe80::1%eth0\nnameserver ::1\noptions ndots:2\nnameserver bogus\n");
    REQUIRE(list.size() == 2);
    CHECK(list[0].str() == "10.0.0.1:53");
    CHECK(list[1].address.family == Family::v6);
    CHECK(list[1].port == 53);
}

TEST_CASE("config: each kind of error names file:line:column and what is wrong") {
    struct Row {
        std::string text;
        std::string error;
    };
    const std::string svc = "[services.http]\nunit = \"patchbay-http@.service\"\n";
    const std::string agent = "[agent]\ndomains = [\"hostdomain.com\"]\n";
    const std::vector<Row> rows = {
        {"[agent\n", "agent.toml:1:7: "},  // TOML syntax: toml++'s own description follows
        {agent + "bogus = 1\n" + svc, "agent.toml:3:1: unknown key 'bogus' in [agent]"},
        {agent + svc + "[extra]\n", "agent.toml:5:2: unknown key 'extra' in the top level"},
        {agent + svc + "port = 80\n", "agent.toml:5:1: unknown key 'port' in [services.http]"},
        {svc, "agent.toml:1:1: missing [agent] table"},
        {agent, "agent.toml:1:1: missing [services.NAME] tables"},
        {"[agent]\nname = \"x\"\n" + svc, "agent.toml:1:1: [agent] needs 'domains'"},
        {"[agent]\ndomains = \"hostdomain.com\"\n" + svc, "agent.toml:2:11: 'domains' must be a list of strings"},
        {"[agent]\ndomains = []\n" + svc, "agent.toml:2:11: 'domains' must list at least one domain"},
        {"[agent]\ndomains = [\"bad_domain!\"]\n" + svc, "agent.toml:2:12: bad domain 'bad_domain!'"},
        {"[agent]\ndomains = [\"a.com\", \"A.com\"]\n" + svc, "agent.toml:2:21: domain 'a.com' is listed twice"},
        {"[agent]\ndomains = [1]\n" + svc, "agent.toml:2:12: 'domains' must be a string"},
        {agent + "resolvers = [\"10.0.0.1\"]\n" + svc, "agent.toml:3:14: bad resolver '10.0.0.1' (want ADDR:PORT)"},
        {agent + "poll_seconds = 0\n" + svc, "agent.toml:3:16: 'poll_seconds' must be between 1 and 86400, not 0"},
        {agent + "poll_seconds = \"30\"\n" + svc, "agent.toml:3:16: 'poll_seconds' must be an integer"},
        // Once an out-of-range float ⇒ int cast (tests/fuzz/corpus/agent_config/crash-huge-float-poll).
        {agent + "poll_seconds = 1e300\n" + svc, "agent.toml:3:16: 'poll_seconds' must be an integer"},
        {agent + "query_timeout_ms = 5\n" + svc, "agent.toml:3:20: 'query_timeout_ms' must be between 10 and 60000"},
        {agent + "notify_listen = \"0.0.0.0\"\n" + svc, "agent.toml:3:17: bad notify_listen '0.0.0.0'"},
        {agent + "controller = \"10.0.0.1:8080\"\n" + svc,
         "agent.toml:3:14: 'controller' must be an http:// or https:// URL, not '10.0.0.1:8080'"},
        {agent + "env_dir = \"run/env\"\n" + svc, "agent.toml:3:11: 'env_dir' must be an absolute path"},
        {agent + "[services.http]\n", "agent.toml:3:1: [services.http] needs 'unit'"},
        {agent + "[services.http]\nunit = \"patchbay-http.service\"\n",
         "agent.toml:4:8: unit 'patchbay-http.service' is not a service template"},
        {agent + svc + "[services.web]\nunit = \"patchbay-http@.service\"\n",
         "agent.toml:6:8: unit template 'patchbay-http@.service' is already used by service 'http'"},
        {agent + "[services.http]\nunit = \"h@.service\"\ntransports = [\"quic\"]\n",
         "agent.toml:5:15: bad transport 'quic'"},
        {agent + "[services.http]\nunit = \"h@.service\"\ntransports = []\n",
         "agent.toml:5:14: 'transports' must not be empty"},
        {agent + "[services.http]\nunit = \"h@.service\"\ntransports = [\"tcp\", \"tcp\"]\n",
         "agent.toml:5:22: transport 'tcp' is listed twice"},
        {agent + "[services.\"bad name!\"]\nunit = \"h@.service\"\n", "agent.toml:3:11: bad service name 'bad name!'"},
        {agent + "[services]\n", "agent.toml:3:1: no services"},
        {"services = 3\n" + agent, "agent.toml:1:12: 'services' must be a table"},
    };
    for (const auto& row : rows) {
        INFO(row.text);
        auto c = parse(row.text);
        REQUIRE(!c.ok());
        CHECK_THAT(c.error(), Catch::StartsWith(row.error));
    }
}

TEST_CASE("config: load_config names an unreadable file") {
    auto c = load_config("/nonexistent/agent.toml");
    REQUIRE(!c.ok());
    CHECK(c.error() == "/nonexistent/agent.toml: cannot read the configuration file");
}

TEST_CASE("config: the sample examples/agent.toml is valid") {
    auto cfg = load_config(PATCHBAY_SOURCE_DIR "/examples/agent.toml");
    REQUIRE(cfg);
    CHECK(cfg->domains == std::vector<std::string>{"hostdomain.com"});
    CHECK(cfg->services.size() == 2);
}
