// The health keys of the agent's configuration: [agent] report_seconds, spool_dir,
// spool_max and [services.X.probe] (docs/agent-health.md).
#include <catch2/catch.hpp>

#include "config.h"

using namespace patchbay;

namespace {

const ConfigDefaults kDefaults{"host1", {*Endpoint::parse("192.0.2.53:53")}};

Result<AgentConfig> parse(const std::string& text) { return parse_config(text, "agent.toml", kDefaults); }

const std::string kAgent = "[agent]\ndomains = [\"hostdomain.com\"]\n";

}  // namespace

TEST_CASE("health config: defaults") {
    auto c = parse(kAgent + "[services.http]\nunit = \"patchbay-http@.service\"\n");
    REQUIRE(c.ok());
    CHECK(c->report_seconds == 2);
    CHECK(c->spool_dir == "/var/lib/patchbay-agent/spool");
    CHECK(c->spool_max == 10000);
    CHECK_FALSE(c->services[0].probe);
    CHECK_FALSE(c->state_file);  // not set: the default path in daemon mode
    auto set = parse(kAgent + "state_file = \"/var/lib/x/snapshot.json\"\n[services.http]\nunit = \"patchbay-http@.service\"\n");
    REQUIRE(set.ok());
    CHECK(set->state_file == "/var/lib/x/snapshot.json");
    auto none = parse(kAgent + "state_file = \"\"\n[services.http]\nunit = \"patchbay-http@.service\"\n");
    REQUIRE(none.ok());
    CHECK(none->state_file == "");
}

TEST_CASE("health config: every key") {
    auto c = parse(R"([agent]
domains = ["hostdomain.com"]
report_seconds = 5
spool_dir = "/tmp/spool"
spool_max = 20
[services.http]
unit = "patchbay-http@.service"
[services.http.probe]
kind = "https"
interval_ms = 2000
timeout_ms = 500
path = "/health"
expect_status = 204
[services.sip]
unit = "patchbay-sip@.service"
probe = { kind = "sip" }
[services.db]
unit = "patchbay-db@.service"
[services.db.probe]
kind = "command"
command = ["/usr/bin/check", "--quick"]
)");
    REQUIRE(c.ok());
    CHECK(c->report_seconds == 5);
    CHECK(c->spool_dir == "/tmp/spool");
    CHECK(c->spool_max == 20);
    REQUIRE(c->services.size() == 3);
    // toml++ keeps tables sorted by key: db, http, sip.
    REQUIRE(c->services[1].probe);
    const auto& http = *c->services[1].probe;
    CHECK(http.kind == "https");
    CHECK(http.interval_ms == 2000);
    CHECK(http.timeout_ms == 500);
    CHECK(http.path == "/health");
    CHECK(http.expect_status == 204);
    REQUIRE(c->services[2].probe);
    CHECK(c->services[2].probe->kind == "sip");
    CHECK(c->services[2].probe->interval_ms == 1000);
    CHECK(c->services[2].probe->timeout_ms == 800);
    REQUIRE(c->services[0].probe);
    CHECK(c->services[0].probe->command == std::vector<std::string>{"/usr/bin/check", "--quick"});
}

TEST_CASE("health config: errors name file, line and column") {
    const std::string http = "[services.http]\nunit = \"patchbay-http@.service\"\n";
    struct Case {
        std::string text;
        std::string error;
    };
    const Case cases[] = {
        {kAgent + "report_seconds = 0\n" + http, "agent.toml:3:18: 'report_seconds' must be between 1 and 3600, not 0"},
        {kAgent + "spool_max = \"x\"\n" + http, "agent.toml:3:13: 'spool_max' must be an integer"},
        {kAgent + "spool_dir = \"spool\"\n" + http, "agent.toml:3:13: 'spool_dir' must be an absolute path, not 'spool'"},
        {kAgent + "state_file = \"snap.json\"\n" + http,
         "agent.toml:3:14: 'state_file' must be an absolute path (or \"\" for none), not 'snap.json'"},
        {kAgent + "spool = 3\n" + http, "agent.toml:3:1: unknown key 'spool' in [agent]"},
        {kAgent + http + "[services.http.probe]\nkind = \"ftp\"\n",
         "agent.toml:6:8: unknown probe kind 'ftp' (want tcp, http, https, sip or command)"},
        {kAgent + http + "[services.http.probe]\ninterval_ms = 100\n",
         "agent.toml:5:1: [services.http.probe] needs 'kind': \"tcp\", \"http\", \"https\", \"sip\" or \"command\""},
        {kAgent + http + "[services.http.probe]\nkind = \"tcp\"\ntimeout = 3\n",
         "agent.toml:7:1: unknown key 'timeout' in [services.http.probe]"},
        {kAgent + http + "[services.http.probe]\nkind = \"tcp\"\npath = \"/\"\n",
         "agent.toml:7:8: 'path' is only for http and https probes"},
        {kAgent + http + "[services.http.probe]\nkind = \"http\"\npath = \"health\"\n",
         "agent.toml:7:8: 'path' must start with '/' and hold no spaces, not 'health'"},
        {kAgent + http + "[services.http.probe]\nkind = \"http\"\nexpect_status = 99\n",
         "agent.toml:7:17: 'expect_status' must be between 100 and 599, not 99"},
        {kAgent + http + "[services.http.probe]\nkind = \"command\"\n",
         "agent.toml:5:1: [services.http.probe] needs 'command', e.g. command = [\"/usr/bin/check\", \"--quick\"]"},
        {kAgent + http + "[services.http.probe]\nkind = \"command\"\ncommand = [\"check\"]\n",
         "agent.toml:7:12: the program of 'command' must be an absolute path, not 'check'"},
        {kAgent + http + "[services.http.probe]\nkind = \"command\"\ncommand = []\n",
         "agent.toml:7:11: 'command' must not be empty"},
        {kAgent + http + "[services.http.probe]\nkind = \"tcp\"\ncommand = [\"/bin/true\"]\n",
         "agent.toml:7:11: 'command' is only for command probes"},
        {kAgent + http + "[services.http.probe]\nkind = \"tcp\"\ninterval_ms = 500\n",
         "agent.toml:5:1: [services.http.probe]: timeout_ms (800) must not exceed interval_ms (500)"},
        {kAgent + http + "[services.http.probe]\nkind = \"tcp\"\ntimeout_ms = 5\n",
         "agent.toml:7:14: 'timeout_ms' must be between 10 and 600000, not 5"},
        {kAgent + "[services.http]\nunit = \"patchbay-http@.service\"\nprobe = 3\n",
         "agent.toml:5:9: 'probe' must be a table ([services.http.probe])"},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        auto r = parse(c.text);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error() == c.error);
    }
}
