// --wait (wait.h): which change a mutation's answer names, the verdict on each answer of
// GET /v1/changes/ID, and the command lines that take --wait and --timeout.
#include <catch2/catch.hpp>

#include "cli_run.h"
#include "wait.h"

using namespace patchbay;
using namespace patchbay::cli_test;
using nlohmann::json;

namespace {

constexpr int64_t kNow = 1795000100000;

json change_with(const char* hosts) {
    return json{{"id", 12}, {"zone", "a.example"}, {"serial", 5}, {"hosts", json::parse(hosts)}};
}

}  // namespace

TEST_CASE("wait: the changes a mutation's answer names") {
    using Ids = std::vector<int64_t>;
    CHECK(changes_to_wait_for(json::parse(R"({"zone":"a.example","serial":5,"changed":true,"change":12})")) == Ids{12});
    CHECK(changes_to_wait_for(json::parse(R"({"address":"10.0.0.1","state":"undrained","changes":[4,5]})")) ==
          Ids{4, 5});
    CHECK(changes_to_wait_for(json::parse(R"({"zone":"a.example","serial":5,"changed":false})")).empty());
    CHECK(changes_to_wait_for(json::parse(R"({"name":"acme"})")).empty());
    CHECK(changes_to_wait_for(json::parse(R"({"change":"12","changes":[0,-1,"x"]})")).empty());
    CHECK(changes_to_wait_for(json::array()).empty());
}

TEST_CASE("wait: the verdict on one answer") {
    // Still moving: go on polling.
    auto moving = judge_wait(change_with(R"([{"server":"h1","status":"applied"},
                                             {"server":"h2","status":"pending","detail":"at serial 4",
                                              "last_report_ms":1795000099000}])"),
                             300, false, kNow);
    CHECK_FALSE(moving.done);

    auto applied = judge_wait(change_with(R"([{"server":"h1","status":"applied"},{"server":"h2","status":"applied"}])"),
                              340, false, kNow);
    CHECK(applied.done);
    CHECK(applied.exit_code == kExitOk);
    CHECK(applied.text == "change 12 applied on 2 hosts (h1, h2) in 340 ms\n");

    auto none = judge_wait(change_with("[]"), 20, false, kNow);
    CHECK(none.done);
    CHECK(none.exit_code == kExitOk);
    CHECK(none.text == "change 12: no host serves a.example; nothing to wait for\n");

    // A failed host ends the wait only once no host is pending.
    const char* failing = R"([{"server":"h1","status":"failed","detail":"u.service failed: exit-code: status 1"},
                              {"server":"h2","status":"pending","detail":"u.service activating",
                               "last_report_ms":1795000099500}])";
    CHECK_FALSE(judge_wait(change_with(failing), 500, false, kNow).done);
    auto failed = judge_wait(change_with(R"([{"server":"h1","status":"failed",
                                              "detail":"u.service failed: exit-code: status 1"},
                                             {"server":"h2","status":"applied"}])"),
                             1200, false, kNow);
    CHECK(failed.done);
    CHECK(failed.exit_code == kExitNotConverged);
    CHECK(failed.text == "change 12 failed on 1 of 2 hosts:\n  h1: u.service failed: exit-code: status 1\n");

    // The time is up: pending hosts did not converge; one silent for long did not answer.
    auto late = judge_wait(change_with(R"([{"server":"h1","status":"applied"},
                                           {"server":"h2","status":"pending","detail":"u.service activating",
                                            "last_report_ms":1795000099500},
                                           {"server":"h3","status":"pending","detail":"at serial 4",
                                            "last_report_ms":1795000055000}])"),
                           30000, true, kNow);
    CHECK(late.done);
    CHECK(late.exit_code == kExitNotConverged);
    CHECK(late.text == "change 12 did not converge within 30.0 s on 2 of 3 hosts:\n"
                       "  h2: pending: u.service activating\n"
                       "  h3: did not answer (last report 45.0 s ago, at serial 4)\n");
}

TEST_CASE("wait: --wait and --timeout on the command line") {
    auto inv = parse_invocation({"tuple", "add", "a.example", "http", "tcp", "10.0.0.1", "80", "--wait",
                                 "--timeout", "30s"},
                                no_env);
    REQUIRE(inv);
    CHECK(inv->wait);
    CHECK(inv->args.size() == 5);  // --wait took no value
    CHECK(plan({"tuple", "add", "a.example", "http", "tcp", "10.0.0.1", "80", "--wait"}));
    CHECK(plan({"zone", "rm", "a.example", "--wait", "--timeout=2m"}));
    CHECK(plan({"--wait", "zone", "import", "f.zone"}, [](const std::string&) -> Result<std::string> {
        return std::string("$ORIGIN a.example.\n");
    }));
    CHECK(plan({"tuple", "ls", "--wait"}).error() ==
          "--wait only goes with a command that changes something ('tuple ls' does not)");
    CHECK(plan({"tuple", "rm", "a.example", "http", "tcp", "10.0.0.1", "80", "--timeout", "5s"}).error() ==
          "--timeout goes with --wait");
    CHECK(plan({"tuple", "rm", "a.example", "http", "tcp", "10.0.0.1", "80", "--wait", "--timeout", "soon"})
              .kind() == ErrorKind::invalid);
    CHECK(plan({"zone", "ls", "--timeout", "5s"}).error().starts_with("--timeout only goes with"));
}
