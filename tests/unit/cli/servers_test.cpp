#include <catch2/catch.hpp>

#include "command.h"

using namespace patchbay;
using nlohmann::json;

namespace {

std::optional<std::string> no_env(const char*) { return std::nullopt; }
std::string escaped(const std::string& s) { return s == "a b" ? "a%20b" : s; }

Result<ApiRequest> plan(std::vector<std::string> argv) {
    auto inv = parse_invocation(argv, no_env);
    if (!inv) return inv.failure();
    return plan_request(*inv, escaped);
}

Invocation invocation(std::vector<std::string> argv) {
    auto inv = parse_invocation(argv, no_env);
    REQUIRE(inv);
    return *inv;
}

}  // namespace

TEST_CASE("servers ls and server show become their requests") {
    auto ls = plan({"servers", "ls"});
    REQUIRE(ls);
    CHECK(ls->method == "GET");
    CHECK(ls->path == "/v1/servers");
    auto show = plan({"server", "show", "a b", "--output", "json"});
    REQUIRE(show);
    CHECK(show->path == "/v1/servers/a%20b");
    CHECK_FALSE(show->body);

    auto missing = plan({"server", "show"});
    REQUIRE_FALSE(missing);
    CHECK(missing.error() == "usage: patchbay server show NAME");
    CHECK_FALSE(plan({"servers", "ls", "extra"}));
    CHECK_FALSE(plan({"servers", "ls", "--weight", "3"}));
}

TEST_CASE("servers ls renders a table; times are relative to the controller's clock") {
    json body = json::parse(R"([
      {"name":"h1","state":"up","since_ms":1000,"reason":"all 2 instances up","last_report_ms":125000,
       "age_ms":1500,"reports":42,"instances":2,"serials":{"hostdomain.com":3}},
      {"name":"host-122","state":"down","since_ms":100000,"reason":"no report for 6 s","last_report_ms":94000,
       "age_ms":32500,"reports":7,"instances":1,"serials":{}}
    ])");
    CHECK(render(invocation({"servers", "ls"}), body) ==
          "SERVER    STATE  SINCE  LAST-REPORT  INSTANCES\n"
          "h1        up     2m05s  1s ago       2\n"
          "host-122  down   26s    32s ago      1\n");
    CHECK(json::parse(render(invocation({"servers", "ls", "--output", "json"}), body)) == body);
}

TEST_CASE("server show renders the instances, changes and blocks") {
    json body = json::parse(R"({
      "name":"h1","state":"down","since_ms":1795000000000,"reason":"http/tcp 10.10.10.121:80: unit failed",
      "last_report_ms":1795000004000,"age_ms":1000,"reports":5,"instances":1,"serials":{"hostdomain.com":3},
      "boot":"b1","seq":5,"host":{"load1":0.25,"cpu":0.5,"memory":0.75},
      "instances":[{"domain":"hostdomain.com","service":"http","transport":"tcp","address":"10.10.10.121","port":80,
        "state":"down","since_ms":1795000000000,"reason":"unit failed","unit":"patchbay-http@10.10.10.121:80.service",
        "active_state":"failed","probe":{"kind":"http","ok":false,"latency_ms":3,"streak":2,"error":"refused"}}],
      "changes":[{"at_ms":1795000000000,"instance":null,"from":"up","to":"down","reason":"unit failed"}],
      "blocks":[{"period_ms":1794999960000,"state":"down"}]
    })");
    auto text = render(invocation({"server", "show", "h1"}), body);
    CHECK_THAT(text, Catch::StartsWith("server h1: down for 5s (http/tcp 10.10.10.121:80: unit failed)\n"
                                       "last report 1s ago (boot b1, seq 5, 5 reports)\n"
                                       "host: load 0.25, cpu 0.50, memory 0.75\n"
                                       "serials: hostdomain.com=3\n"));
    CHECK_THAT(text, Catch::Contains("hostdomain.com http/tcp 10.10.10.121:80  down   5s     failed      http FAIL 3ms x2"));
    CHECK_THAT(text, Catch::Contains("2026-11-18T11:06:40Z  (server)  up -> down  unit failed"));
    CHECK_THAT(text, Catch::Contains("PERIOD                WORST\n2026-11-18T11:06:00Z  down\n"));
    CHECK(json::parse(render(invocation({"server", "show", "h1", "--output=json"}), body)) == body);
    CHECK_FALSE(text.find("should run") != std::string::npos);  // an older controller says nothing of it
}

TEST_CASE("server show: what should run and does, should and does not, runs and should not") {
    json body = json::parse(R"({"name":"h1","state":"up","since_ms":0,"reason":"","last_report_ms":1,"age_ms":0,
      "reports":1,"boot":"b","seq":1,"host":{},"instances":[],"changes":[],"blocks":[],
      "placement":{"known":true,
        "runs":[{"zone":"a.example","service":"http","transport":"tcp","address":"10.0.0.1","port":80,
                 "unit":"patchbay-http@10.0.0.1:80.service","active_state":"active"}],
        "missing":[{"zone":"a.example","service":"http","transport":"tcp","address":"10.0.0.2","port":80,
                    "unit":"patchbay-http@10.0.0.2:80.service","active_state":"failed","error":"exit-code: status 1"},
                   {"zone":"a.example","service":"sip","transport":"udp","address":"10.0.0.1","port":5060,
                    "unit":"","active_state":""}],
        "extra":[]}})");
    CHECK_THAT(render(invocation({"server", "show", "h1"}), body),
               Catch::Contains("should run and does: 1\n"
                               "  a.example http/tcp 10.0.0.1:80  patchbay-http@10.0.0.1:80.service  active\n"
                               "should run and does not: 2\n"
                               "  a.example http/tcp 10.0.0.2:80  patchbay-http@10.0.0.2:80.service  failed: exit-code: status 1\n"
                               "  a.example sip/udp 10.0.0.1:5060  -  not placed\n"
                               "runs and should not: 0\n"));
    body["placement"] = json{{"known", false}};
    CHECK_THAT(render(invocation({"server", "show", "h1"}), body),
               Catch::Contains("should run: unknown (its agent does not report its addresses and catalog)\n"));
}
