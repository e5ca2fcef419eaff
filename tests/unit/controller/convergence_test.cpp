// Convergence (convergence.h): per host, whether a change has taken effect — its serial
// reached, the units of the tuples it placed active, those it removed gone — table by table.
#include <catch2/catch.hpp>

#include "convergence.h"

using namespace patchbay;
using nlohmann::json;

namespace {

TupleKey key(const char* address, uint16_t port = 80) { return {"http", "tcp", *Address::parse(address), port}; }

ServerStatus server(const std::string& name, std::map<std::string, uint32_t> serials) {
    ServerStatus s;
    s.name = name;
    s.serials = std::move(serials);
    s.last_report_ms = 1795000000000;
    return s;
}

// `s` runs the instance of `k` in `zone`, in systemd state `state`.
void runs(ServerStatus& s, const std::string& zone, const TupleKey& k, const std::string& state,
          const std::string& error = "") {
    InstanceStatus i;
    i.instance = {zone, k};
    i.seen.domain = zone;
    i.seen.key = k;
    i.seen.unit = "patchbay-http@" + k.address.str() + ":" + std::to_string(k.port) + ".service";
    i.seen.active_state = state;
    i.seen.error = error;
    s.instances.push_back(i);
}

ChangeRow change(const std::string& zone, uint32_t serial, ChangeTuples tuples) {
    ChangeRow c;
    c.id = 7;
    c.zone = zone;
    c.serial = serial;
    c.action = "tuple add";
    c.tuples = std::move(tuples);
    return c;
}

}  // namespace

TEST_CASE("change hosts: the servers reporting the zone, applied at or after the change's serial") {
    std::vector<ServerStatus> servers = {
        server("h3", {{"a.example", 9}}),
        server("h1", {{"a.example", 10}, {"b.example", 1}}),
        server("h2", {{"a.example", 11}}),
        server("h4", {{"b.example", 50}}),  // not serving a.example: not a host of its changes
    };
    auto hosts = change_hosts(change("a.example", 10, {}), servers);
    REQUIRE(hosts.size() == 3);
    CHECK(hosts[0].server == "h1");
    CHECK(hosts[0].serial == 10);
    CHECK(hosts[0].progress == Progress::applied);  // the change's own serial
    CHECK(hosts[0].last_report_ms == 1795000000000);
    CHECK(hosts[1].server == "h2");
    CHECK(hosts[1].progress == Progress::applied);  // newer
    CHECK(hosts[2].server == "h3");
    CHECK(hosts[2].progress == Progress::pending);  // older
    CHECK(hosts[2].detail == "at serial 9");
    CHECK(change_progress(hosts) == Progress::pending);
    CHECK(change_hosts(change("c.example", 1, {}), servers).empty());
    CHECK(change_hosts(change("a.example", 1, {}), {}).empty());
    CHECK(change_progress({}) == Progress::applied);  // no host serves it: nothing to wait for
}

TEST_CASE("change hosts: RFC 1982 serial arithmetic across the wrap") {
    // The change made serial 4294967295; the zone has since wrapped to 2 (0 is skipped).
    std::vector<ServerStatus> servers = {
        server("after-wrap", {{"z.example", 2}}),
        server("at", {{"z.example", 4294967295u}}),
        server("before", {{"z.example", 4294967290u}}),
    };
    auto hosts = change_hosts(change("z.example", 4294967295u, {}), servers);
    REQUIRE(hosts.size() == 3);
    CHECK(hosts[0].progress == Progress::applied);
    CHECK(hosts[1].progress == Progress::applied);
    CHECK(hosts[2].progress == Progress::pending);
    // A change made after the wrap (serial 3): a host still before the wrap is pending.
    auto later = change_hosts(change("z.example", 3, {}), servers);
    CHECK(later[0].progress == Progress::pending);  // 2 is before 3
    CHECK(later[1].progress == Progress::pending);
}

TEST_CASE("change hosts: a placed tuple's unit must be active, a removed one's gone") {
    const ChangeRow add = change("a.example", 5, {{key("10.0.0.1")}, {}});
    const ChangeRow rm = change("a.example", 5, {{}, {key("10.0.0.1")}});
    struct Row {
        const char* what;
        const ChangeRow* change;
        std::string state;  // "" = the host runs no instance of 10.0.0.1
        std::string error;
        Progress progress;
        std::string detail;
    };
    const std::string unit = "patchbay-http@10.0.0.1:80.service";
    const std::vector<Row> rows = {
        {"placed, active", &add, "active", "", Progress::applied, ""},
        {"placed, starting", &add, "activating", "", Progress::pending, unit + " activating"},
        {"placed, reported before systemd answered", &add, "unknown", "", Progress::pending, unit + " unknown"},
        {"placed, failed, with systemd's reason", &add, "failed", "exit-code: status 1", Progress::failed,
         unit + " failed: exit-code: status 1"},
        {"placed, failed, no reason", &add, "failed", "", Progress::failed, unit + " failed"},
        {"placed, its start job failed on a dependency", &add, "inactive", "start job: dependency", Progress::failed,
         unit + " inactive: start job: dependency"},
        {"placed elsewhere: this host has not the address", &add, "", "", Progress::applied, ""},
        {"removed, gone", &rm, "", "", Progress::applied, ""},
        {"removed, still placed", &rm, "active", "", Progress::pending, unit + " still placed"},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        ServerStatus s = server("h1", {{"a.example", 5}});
        runs(s, "a.example", key("10.0.0.9"), "failed");  // another tuple's trouble is not this change's
        runs(s, "b.example", key("10.0.0.1"), "failed");  // nor the same tuple in another zone
        if (!row.state.empty()) runs(s, "a.example", key("10.0.0.1"), row.state, row.error);
        auto hosts = change_hosts(*row.change, {s});
        REQUIRE(hosts.size() == 1);
        CHECK(hosts[0].progress == row.progress);
        CHECK(hosts[0].detail == row.detail);
        CHECK(change_progress(hosts) == row.progress);
    }
}

TEST_CASE("change progress: failed only once nothing is pending") {
    std::vector<ChangeHost> hosts = {{"h1", 5, Progress::failed, "x failed", 0}, {"h2", 4, Progress::pending, "", 0}};
    CHECK(change_progress(hosts) == Progress::pending);
    hosts[1].progress = Progress::applied;
    CHECK(change_progress(hosts) == Progress::failed);
}

TEST_CASE("change JSON") {
    ChangeRow row{7, 1795000000123, "a.example", 12, "tuple add", "http/tcp 10.0.0.1:80 priority 1 weight 100",
                  "token:alice", "a", ChangeTuples{{key("10.0.0.1")}, {key("10.0.0.2", 81)}}};
    auto j = change_json(row, {{"h1", 12, Progress::applied, "", 1795000000000},
                               {"h2", 12, Progress::failed, "u failed: signal: KILL", 1795000000001}});
    CHECK(j == json::parse(R"({"id":7,"at_ms":1795000000123,"zone":"a.example","account":"a","serial":12,
      "action":"tuple add","detail":"http/tcp 10.0.0.1:80 priority 1 weight 100","author":"token:alice",
      "status":"failed","placed":["http/tcp 10.0.0.1:80"],"removed":["http/tcp 10.0.0.2:81"],
      "hosts":[{"server":"h1","serial":12,"applied":true,"status":"applied","last_report_ms":1795000000000},
               {"server":"h2","serial":12,"applied":false,"status":"failed","detail":"u failed: signal: KILL",
                "last_report_ms":1795000000001}]})"));
}

TEST_CASE("change tuples: what a replacement touched, and the stored form") {
    auto tuple = [](const char* address, uint16_t weight) {
        Tuple t;
        t.domain = "a.example";
        t.key = key(address);
        t.weight = weight;
        return t;
    };
    // .1 kept as it is, .2 reweighted, .3 removed, .4 added.
    auto touched = tuples_touched({tuple("10.0.0.1", 100), tuple("10.0.0.2", 100), tuple("10.0.0.3", 100)},
                                  {tuple("10.0.0.4", 100), tuple("10.0.0.2", 50), tuple("10.0.0.1", 100)});
    CHECK(touched == ChangeTuples{{key("10.0.0.2"), key("10.0.0.4")}, {key("10.0.0.3")}});
    CHECK(change_tuples_from(change_tuples_text(touched)) == touched);
    ChangeTuples v6{{TupleKey{"sip", "udp", *Address::parse("2001:db8::1"), 5060}}, {}};
    CHECK(change_tuples_from(change_tuples_text(v6)) == v6);
    CHECK(change_tuples_text({}) == "");
    for (const char* bad : {"", "not json", "[]", R"({"placed":[["http","tcp","10.0.0.300",80]]})",
                            R"({"placed":[["http","tcp","10.0.0.1",70000]]})", R"({"placed":7})"})
        CHECK(change_tuples_from(bad) == ChangeTuples{});
}
