// The CLI's accounts and tokens commands: their requests and what they print.
#include <catch2/catch.hpp>

#include "cli_run.h"

using namespace patchbay;

using namespace patchbay::cli_test;

TEST_CASE("accounts and tokens: each command becomes its API request") {
    struct Row {
        std::vector<std::string> argv;
        const char* method;
        const char* path;
        const char* body;  // JSON text or ""
    };
    const std::vector<Row> rows = {
        {{"account", "add", "a"}, "POST", "/v1/accounts", R"({"name":"a"})"},
        {{"account", "ls"}, "GET", "/v1/accounts", ""},
        {{"alert", "test", "pager", "--account", "a"}, "POST", "/v1/alerts/test", R"({"account":"a","policy":"pager"})"},
        {{"account", "rm", "a"}, "DELETE", "/v1/accounts/a", ""},
        {{"token", "create", "--account", "a", "--role", "account-viewer", "--name", "ci"}, "POST", "/v1/tokens",
         R"({"account":"a","name":"ci","role":"account-viewer"})"},
        {{"token", "create", "--role=admin"}, "POST", "/v1/tokens", R"({"role":"admin"})"},
        {{"token", "ls", "--output", "json"}, "GET", "/v1/tokens", ""},
        {{"token", "revoke", "0123456789ab"}, "DELETE", "/v1/tokens/0123456789ab", ""},
        {{"zone", "add", "a.example", "--account", "a"}, "POST", "/v1/zones", R"({"account":"a","name":"a.example"})"},
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

TEST_CASE("accounts and tokens: bad command lines are refused offline") {
    struct Row {
        std::vector<std::string> argv;
        const char* says;
    };
    const std::vector<Row> rows = {
        {{"account", "add"}, "usage: patchbay account add NAME"},
        {{"account", "rm", "a", "b"}, "usage: patchbay account rm NAME"},
        {{"token", "create", "--account", "a"}, "token create needs --role"},
        {{"token", "create", "--role", "root"}, "--role must be admin, account-admin, account-viewer or agent, got 'root'"},
        {{"token", "create", "extra", "--role", "agent"}, "usage: patchbay token create"},
        {{"token", "revoke"}, "usage: patchbay token revoke ID"},
        {{"zone", "ls", "--account", "a"}, "--account only goes with 'zone add', 'zone import', 'token create' or 'alert test'"},
        {{"zone", "add", "x.org", "--role", "agent"}, "--role only goes with 'token create'"},
    };
    for (const auto& row : rows) {
        INFO(row.says);
        auto r = plan(row.argv);
        REQUIRE_FALSE(r);
        CHECK(r.kind() == ErrorKind::invalid);
        CHECK_THAT(r.error(), Catch::Contains(row.says));
    }
}

TEST_CASE("accounts and tokens: what they print") {
    // The token alone, so a script can capture it.
    CHECK(shown({"token", "create", "--role", "agent", "--account", "a"},
                R"({"token":"pb_abc","id":"0123456789ab","name":"agent","account":"a","role":"agent"})") ==
          "pb_abc\n");
    CHECK(shown({"token", "ls"},
                R"([{"id":"0123456789ab","name":"admin","account":"","role":"admin","created_at":0},
                    {"id":"ba9876543210","name":"ci","account":"a","role":"account-viewer","created_at":86400}])") ==
          "ID            NAME   ACCOUNT  ROLE            CREATED\n"
          "0123456789ab  admin  -        admin           1970-01-01T00:00:00Z\n"
          "ba9876543210  ci     a        account-viewer  1970-01-02T00:00:00Z\n");
    CHECK(shown({"zone", "ls"}, R"([{"name":"a.example","serial":3,"account":"a"},
                                    {"name":"p.example","serial":1,"account":""}])") ==
          "ZONE       SERIAL  ACCOUNT\n"
          "a.example  3       a\n"
          "p.example  1       -\n");
    CHECK(shown({"account", "ls"}, R"([{"name":"a","created_at":0}])") ==
          "ACCOUNT  CREATED\n"
          "a        1970-01-01T00:00:00Z\n");
    CHECK(shown({"account", "add", "a"}, R"({"name":"a"})") == "added account a\n");
    CHECK(shown({"account", "rm", "a"}, R"({"name":"a","removed":true})") == "removed account a\n");
    CHECK(shown({"token", "revoke", "ci"}, R"({"id":"ba9876543210","name":"ci"})") ==
          "revoked token ba9876543210 (ci)\n");
    CHECK(shown({"zone", "add", "a.example", "--account", "a"}, R"({"zone":"a.example","serial":1,"account":"a"})") ==
          "added zone a.example (serial 1) to account a\n");
    auto json_out = shown({"--output", "json", "token", "ls"}, R"([{"id":"x"}])");
    CHECK(nlohmann::json::parse(json_out) == nlohmann::json::parse(R"([{"id":"x"}])"));
}
