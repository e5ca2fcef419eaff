#include <catch2/catch.hpp>

#include "cli_run.h"

using namespace patchbay;

namespace {

Result<std::string> fake_read(const std::string& path) {
    if (path == "ex.zone") return std::string("@ SOA a. b. 1 2 3 4 5\n");
    return cli_test::no_files(path);
}

Result<ApiRequest> plan(std::vector<std::string> argv) { return cli_test::plan(std::move(argv), fake_read); }
using cli_test::no_env;

}  // namespace

TEST_CASE("each command becomes its API request") {
    struct Row {
        std::vector<std::string> argv;
        const char* method;
        const char* path;
        const char* body;  // JSON text or ""
    };
    const std::vector<Row> rows = {
        {{"zone", "add", "HostDomain.com"}, "POST", "/v1/zones", R"({"name":"HostDomain.com"})"},
        {{"zone", "ls"}, "GET", "/v1/zones", ""},
        {{"zone", "rm", "hostdomain.com"}, "DELETE", "/v1/zones/hostdomain.com", ""},
        {{"tuple", "add", "hostdomain.com", "http", "tcp", "10.10.10.123", "8080", "--priority", "2"},
         "POST", "/v1/zones/hostdomain.com/tuples",
         R"({"address":"10.10.10.123","port":8080,"priority":2,"service":"http","transport":"tcp","weight":100})"},
        {{"tuple", "add", "hostdomain.com", "sip", "udp", "2001:db8::1", "5060", "--weight=5", "--target",
          "sip1.hostdomain.com"},
         "POST", "/v1/zones/hostdomain.com/tuples",
         R"({"address":"2001:db8::1","port":5060,"priority":1,"service":"sip","target":"sip1.hostdomain.com","transport":"udp","weight":5})"},
        {{"tuple", "rm", "hostdomain.com", "HTTP", "TCP", "10.10.10.121", "80"}, "DELETE",
         "/v1/zones/hostdomain.com/tuples/http/tcp/10.10.10.121/80", ""},
        {{"tuple", "ls"}, "GET", "/v1/tuples", ""},
        {{"zone", "import", "ex.zone"}, "POST", "/v1/zones/import",
         R"({"source":"ex.zone","text":"@ SOA a. b. 1 2 3 4 5\n"})"},
        {{"zone", "import", "ex.zone", "--zone", "x.org"}, "POST", "/v1/zones/import",
         R"({"source":"ex.zone","text":"@ SOA a. b. 1 2 3 4 5\n","zone":"x.org"})"},
        {{"zone", "export", "x.org"}, "GET", "/v1/zones/x.org/export", ""},
        {{"tuple", "ls", "hostdomain.com"}, "GET", "/v1/zones/hostdomain.com/tuples", ""},
        {{"--output", "json", "status"}, "GET", "/v1/status", ""},
        {{"agent", "ls", "--output=json"}, "GET", "/v1/agents", ""},
        {{"alert", "test"}, "POST", "/v1/alerts/test", "{}"},
        {{"alert", "test", "ops"}, "POST", "/v1/alerts/test", R"({"policy":"ops"})"},
    };
    for (const auto& row : rows) {
        INFO(row.path);
        auto r = plan(row.argv);
        REQUIRE(r);
        CHECK(r->method == row.method);
        CHECK(r->path == row.path);
        if (*row.body) {
            REQUIRE(r->body);
            CHECK(r->body->dump() == row.body);
        } else {
            CHECK_FALSE(r->body);
        }
    }
}

TEST_CASE("bad command lines are refused before anything is sent, saying what is wrong") {
    struct Row {
        std::vector<std::string> argv;
        const char* says;
    };
    const std::vector<Row> rows = {
        {{}, "usage"},
        {{"zone"}, "needs a verb"},
        {{"zone", "fly"}, "unknown command 'zone fly'"},
        {{"zone", "add"}, "usage: patchbay zone add DOMAIN"},
        {{"zone", "add", "a..b"}, ""},  // the controller validates zone names (one place)
        {{"tuple", "add", "x.com", "http", "tcp", "10.0.0.1"}, "usage: patchbay tuple add"},
        {{"tuple", "add", "x.com", "http", "tcp", "10.0.0.1", "99999"}, "port must be"},
        {{"tuple", "add", "x.com", "http", "tcp", "300.0.0.1", "80"}, "not an IP address"},
        {{"tuple", "add", "x.com", "http", "xtp", "10.0.0.1", "80"}, "transport 'xtp'"},
        {{"tuple", "add", "x.com", "http", "tcp", "10.0.0.1", "80", "--weight", "heavy"}, "weight must be"},
        {{"tuple", "rm", "x.com", "http", "tcp", "10.0.0.1", "80", "--weight", "1"}, "only goes with 'tuple add'"},
        {{"zone", "ls", "--output", "yaml"}, "--output must be text or json"},
        {{"zone", "import"}, "usage: patchbay zone import FILE [--zone DOMAIN]"},
        {{"zone", "import", "missing.zone"}, "cannot read missing.zone: No such file or directory"},
        {{"zone", "export", "x.org", "--zone", "y.org"}, "--zone only goes with 'zone import'"},
        {{"tuple", "add", "x.com", "http", "tcp", "10.0.0.1", "80", "--zone", "y"}, "--zone only goes with 'zone import'"},
        {{"zone", "ls", "--colour", "red"}, "unknown option --colour"},
        {{"zone", "ls", "--token"}, "--token needs a value"},
        {{"alert", "test", "a", "b"}, "usage: patchbay alert test [POLICY]"},
        {{"alert", "send"}, "unknown command 'alert send'"},
    };
    for (const auto& row : rows) {
        INFO(row.says);
        auto r = plan(row.argv);
        if (!*row.says) {
            CHECK(r);
            continue;
        }
        REQUIRE_FALSE(r);
        CHECK(r.kind() == ErrorKind::invalid);
        CHECK_THAT(r.error(), Catch::Contains(row.says));
    }
}

TEST_CASE("controller and token come from flags over the environment") {
    auto env = [](const char* name) -> std::optional<std::string> {
        if (std::string(name) == "PATCHBAY_CONTROLLER") return "http://10.10.10.1:8080";
        if (std::string(name) == "PATCHBAY_TOKEN") return "pb_env";
        return std::nullopt;
    };
    auto from_env = parse_invocation({"zone", "ls"}, env);
    REQUIRE(from_env);
    CHECK(from_env->controller == "http://10.10.10.1:8080");
    CHECK(from_env->token == "pb_env");
    auto from_flags = parse_invocation({"--controller", "http://h:1", "--token=pb_flag", "zone", "ls"}, env);
    REQUIRE(from_flags);
    CHECK(from_flags->controller == "http://h:1");
    CHECK(from_flags->token == "pb_flag");
    CHECK(parse_invocation({"zone", "ls"}, no_env)->controller == "http://127.0.0.1:8080");
}

TEST_CASE("HTTP statuses map to distinct exit codes") {
    CHECK(exit_code_for(200) == kExitOk);
    CHECK(exit_code_for(201) == kExitOk);
    CHECK(exit_code_for(400) == kExitUsage);
    CHECK(exit_code_for(401) == kExitUnauthorized);
    CHECK(exit_code_for(404) == kExitNotFound);
    CHECK(exit_code_for(409) == kExitConflict);
    CHECK(exit_code_for(500) == kExitFailed);
}

TEST_CASE("listings render as aligned tables") {
    auto inv = parse_invocation({"tuple", "ls"}, no_env);
    REQUIRE(inv);
    auto body = nlohmann::json::parse(R"([{"zone":"hostdomain.com","service":"http","transport":"tcp",
        "address":"10.10.10.121","port":80,"priority":1,"weight":100,"target":""}])");
    auto text = render(*inv, body);
    CHECK(text ==
          "ZONE            SERVICE  TRANSPORT  ADDRESS       PORT  PRIORITY  WEIGHT  TARGET\n"
          "hostdomain.com  http     tcp        10.10.10.121  80    1         100\n");
    auto json_inv = parse_invocation({"tuple", "ls", "--output", "json"}, no_env);
    CHECK(nlohmann::json::parse(render(*json_inv, body)) == body);
}

TEST_CASE("alert test: one line per channel; a failed channel fails the command") {
    auto inv = parse_invocation({"alert", "test"}, no_env);
    REQUIRE(inv);
    auto body = nlohmann::json::parse(R"({"ok":false,"results":[
        {"policy":"ops","channel":"webhook","ok":true,"error":""},
        {"policy":"ops","channel":"email","ok":false,"error":"email: Couldn't connect to server"}]})");
    CHECK(render(*inv, body) ==
          "POLICY  CHANNEL  RESULT\n"
          "ops     webhook  ok\n"
          "ops     email    failed: email: Couldn't connect to server\n");
    CHECK(exit_code_for_answer(*inv, body) == kExitFailed);
    body["ok"] = true;
    CHECK(exit_code_for_answer(*inv, body) == kExitOk);
    auto other = parse_invocation({"zone", "ls"}, no_env);
    CHECK(exit_code_for_answer(*other, nlohmann::json::parse(R"({"ok":false})")) == kExitOk);
}
