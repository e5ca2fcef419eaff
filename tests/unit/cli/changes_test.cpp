// `patchbay changes ls|show`: the requests they stand for and what they print.
#include <catch2/catch.hpp>

#include "cli_run.h"

using namespace patchbay;
using namespace patchbay::cli_test;
using nlohmann::json;

TEST_CASE("changes ls and changes show become their requests") {
    auto ls = plan({"changes", "ls"});
    REQUIRE(ls);
    CHECK(ls->method == "GET");
    CHECK(ls->path == "/v1/changes");
    CHECK_FALSE(ls->body);
    CHECK(plan({"changes", "ls", "--zone", "a.example"})->path == "/v1/changes?zone=a.example");
    CHECK(plan({"changes", "ls", "--limit", "5", "--zone=a.example"})->path == "/v1/changes?zone=a.example&limit=5");
    CHECK(plan({"changes", "ls", "--limit", "1000"})->path == "/v1/changes?limit=1000");
    auto show = plan({"changes", "show", "42", "--output", "json"});
    REQUIRE(show);
    CHECK(show->method == "GET");
    CHECK(show->path == "/v1/changes/42");
}

TEST_CASE("changes: bad command lines are refused offline") {
    CHECK(plan({"changes", "ls", "--limit", "0"}).error() == "--limit must be a whole number from 1 to 1000, got '0'");
    CHECK(plan({"changes", "ls", "--limit", "1001"}).kind() == ErrorKind::invalid);
    CHECK(plan({"changes", "ls", "--limit", "x"}).kind() == ErrorKind::invalid);
    CHECK(plan({"changes", "ls", "extra"}).error() == "usage: patchbay changes ls [--zone DOMAIN] [--limit N]");
    CHECK(plan({"changes", "show"}).error() == "usage: patchbay changes show ID");
    CHECK(plan({"changes", "show", "abc"}).error() ==
          "ID must be a change id (see 'patchbay changes ls'), got 'abc'");
    CHECK(plan({"changes", "show", "1", "--limit", "3"}).error() == "--limit only goes with 'changes ls'");
    CHECK(plan({"zone", "ls", "--limit", "3"}).error() == "--limit only goes with 'changes ls'");
    CHECK(plan({"tuple", "ls", "--zone", "a.example"}).error() ==
          "--zone only goes with 'zone import' or 'changes ls'");
}

namespace {

constexpr const char* kChanges = R"([
  {"id": 12, "at_ms": 1795000000123, "zone": "a.example", "account": "a", "serial": 5, "action": "tuple add",
   "detail": "http/tcp 10.0.0.1:80 priority 1 weight 100", "author": "token:alice",
   "hosts": [{"server": "h1", "serial": 5, "applied": true}, {"server": "h2", "serial": 6, "applied": true},
             {"server": "h3", "serial": 4, "applied": false}]},
  {"id": 3, "at_ms": 1794999000000, "zone": "platform.example", "account": "", "serial": 1, "action": "zone add",
   "detail": "platform.example", "author": "", "hosts": []}
])";

}  // namespace

TEST_CASE("changes ls prints a table: who, when, how many hosts applied") {
    CHECK(shown({"changes", "ls"}, kChanges) ==
          "ID  AT                    ZONE              SERIAL  ACTION     AUTHOR       APPLIED\n"
          "12  2026-11-18T11:06:40Z  a.example         5       tuple add  token:alice  2/3\n"
          "3   2026-11-18T10:50:00Z  platform.example  1       zone add   -            -\n");
    CHECK(json::parse(shown({"changes", "ls", "--output", "json"}, kChanges)) == json::parse(kChanges));
}

TEST_CASE("changes show prints the change and each host, applied or pending") {
    std::string one = json::parse(kChanges)[0].dump();
    CHECK(shown({"changes", "show", "12"}, one.c_str()) ==
          "change 12: tuple add a.example (serial 5)\n"
          "at 2026-11-18T11:06:40Z by token:alice (account a)\n"
          "detail: http/tcp 10.0.0.1:80 priority 1 weight 100\n"
          "\n"
          "HOST  SERIAL  STATE    DETAIL\n"
          "h1    5       applied\n"
          "h2    6       applied\n"
          "h3    4       pending\n");
    // With convergence: the change's status and each host's, with what it waits for or why it failed.
    json judged = json::parse(kChanges)[0];
    judged["status"] = "failed";
    judged["hosts"] = json::parse(R"([{"server": "h1", "serial": 5, "applied": true, "status": "applied"},
        {"server": "h2", "serial": 5, "applied": false, "status": "failed",
         "detail": "patchbay-http@10.0.0.1:80.service failed: exit-code: status 1"}])");
    CHECK(shown({"changes", "show", "12"}, judged.dump().c_str()) ==
          "change 12: tuple add a.example (serial 5)\n"
          "at 2026-11-18T11:06:40Z by token:alice (account a)\n"
          "detail: http/tcp 10.0.0.1:80 priority 1 weight 100\n"
          "status: failed\n"
          "\n"
          "HOST  SERIAL  STATE    DETAIL\n"
          "h1    5       applied\n"
          "h2    5       failed   patchbay-http@10.0.0.1:80.service failed: exit-code: status 1\n");
    std::string none = json::parse(kChanges)[1].dump();
    CHECK(shown({"changes", "show", "3"}, none.c_str()) ==
          "change 3: zone add platform.example (serial 1)\n"
          "at 2026-11-18T10:50:00Z by -\n"
          "detail: platform.example\n"
          "\n"
          "no host reports a serial of platform.example\n");
}
