// The CLI's policy, explain and zone add --template commands: their requests and what
// they print.
#include <catch2/catch.hpp>

#include "cli_run.h"

using namespace patchbay;

namespace {

Result<std::string> files(const std::string& path) {
    if (path == "/etc/acme.toml") return std::string("[mapping]\nttl = 5\n");
    if (path == "latin1.toml") return std::string("# caf\xe9\n");
    return cli_test::no_files(path);
}

Result<ApiRequest> plan(std::vector<std::string> argv) { return cli_test::plan(std::move(argv), files); }
using cli_test::shown;

}  // namespace

TEST_CASE("policies: each command becomes its API request") {
    struct Row {
        std::vector<std::string> argv;
        const char* method;
        const char* path;
        const char* body;  // JSON text or ""
    };
    const std::vector<Row> rows = {
        {{"policy", "get", "acme"}, "GET", "/v1/accounts/acme/settings", ""},
        {{"policy", "history", "acme"}, "GET", "/v1/accounts/acme/settings/history", ""},
        {{"policy", "set", "acme", "/etc/acme.toml"}, "PUT", "/v1/accounts/acme/settings",
         R"({"file":"acme.toml","text":"[mapping]\nttl = 5\n"})"},
        {{"policy", "check", "/etc/acme.toml"}, "POST", "/v1/settings/check",
         R"({"file":"acme.toml","text":"[mapping]\nttl = 5\n"})"},
        {{"policy", "rollback", "acme", "3"}, "POST", "/v1/accounts/acme/settings/rollback", R"({"version":3})"},
        {{"zone", "add", "t.example", "--account", "acme", "--template", "web"}, "POST", "/v1/zones",
         R"({"account":"acme","name":"t.example","template":"web"})"},
        {{"explain", "a.example", "http"}, "GET", "/v1/zones/a.example/explain?service=http&transport=tcp", ""},
        {{"explain", "a.example", "sip", "--transport", "udp", "--from", "192.0.2.7", "--at", "1764921600",
          "--department", "sales"},
         "GET", "/v1/zones/a.example/explain?service=sip&transport=udp&from=192.0.2.7&at=1764921600&department=sales",
         ""},
    };
    for (const auto& row : rows) {
        INFO(row.argv[0] + " " + row.argv[1]);
        auto r = plan(row.argv);
        REQUIRE(r);
        CHECK(r->method == row.method);
        CHECK(r->path == row.path);
        if (*row.body) CHECK(r->body->dump() == nlohmann::json::parse(row.body).dump());
        else CHECK(!r->body);
    }
}

TEST_CASE("policies: bad command lines are refused before anything is sent") {
    struct Row {
        std::vector<std::string> argv;
        const char* error;  // a part of it
    };
    const std::vector<Row> rows = {
        {{"policy", "set", "acme"}, "usage: patchbay policy set ACCOUNT FILE"},
        {{"policy", "check"}, "usage: patchbay policy check FILE"},
        {{"policy", "check", "nope.toml"}, "cannot read nope.toml"},
        {{"policy", "check", "latin1.toml"}, "latin1.toml: not UTF-8 text"},
        {{"policy", "rollback", "acme", "one"}, "VERSION must be a settings version number"},
        {{"policy", "rollback", "acme", "0"}, "VERSION must be a settings version number"},
        {{"policy", "frob", "acme"}, "unknown command 'policy frob'"},
        {{"explain", "a.example"}, "usage: patchbay explain DOMAIN SERVICE"},
        {{"zone", "add", "t.example", "--template", "web"}, "--template needs --account"},
        {{"tuple", "ls", "--template", "web"}, "--template only goes with 'zone add'"},
        {{"zone", "ls", "--from", "192.0.2.1"}, "--from only goes with 'explain'"},
    };
    for (const auto& row : rows) {
        INFO(row.argv[0] + " " + row.argv[1]);
        auto r = plan(row.argv);
        REQUIRE(!r);
        CHECK(r.error().find(row.error) != std::string::npos);
    }
}

TEST_CASE("policies: what the commands print") {
    CHECK(shown({"policy", "get", "acme"}, R"({"account":"acme","version":2,"text":"[mapping]\nttl = 5\n"})") ==
          "[mapping]\nttl = 5\n");
    CHECK(shown({"policy", "set", "acme", "f"}, R"({"account":"acme","version":2,"note":""})") ==
          "account acme: settings version 2\n");
    CHECK(shown({"policy", "rollback", "acme", "1"}, R"({"account":"acme","version":3,"note":"rollback to version 1"})") ==
          "account acme: settings version 3 (rollback to version 1)\n");
    CHECK(shown({"policy", "check", "f"}, R"({"ok":true,"file":"acme.toml","rules":3,"regions":2,"departments":1,
                                             "windows":1,"templates":0,"alerts":2})") ==
          "acme.toml: ok (3 rules, 2 regions, 1 departments, 1 windows, 0 templates, 2 alert policies)\n");
    auto history = shown({"policy", "history", "acme"},
                         R"([{"version":2,"created_at":1796457600,"author":"ops","file":"a.toml","note":""}])");
    CHECK(history.find("VERSION") != std::string::npos);
    CHECK(history.find("2026-12-05") != std::string::npos);
    CHECK(history.find("ops") != std::string::npos);
    auto e = shown({"explain", "a.example", "http"},
                   R"j({"zone":"a.example","account":"acme","question":["region us (querier 198.51.100.7)"],
                       "rule":"web","rule_at":"a.toml:20:1","passed":[{"rule":"night","why":"window night is closed"}],
                       "facts":["10.0.1.1: up"],"records":[],"answer":["_http._tcp.a.example. 5 IN SRV 1 100 80 x."]})j");
    CHECK(e == "zone a.example (account acme)\n"
               "  question: region us (querier 198.51.100.7)\n"
               "rule: web (a.toml:20:1)\n"
               "  passed over: night: window night is closed\n"
               "  fact: 10.0.1.1: up\n"
               "answer:\n"
               "  _http._tcp.a.example. 5 IN SRV 1 100 80 x.\n");
}
