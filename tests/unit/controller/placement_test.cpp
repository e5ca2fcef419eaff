// Desired against actual on one server (placement.h), table by table.
#include <catch2/catch.hpp>

#include "placement.h"

using namespace patchbay;

namespace {

Tuple tuple(const char* zone, const char* service, const char* transport, const char* address, uint16_t port) {
    Tuple t;
    t.domain = zone;
    t.key = {service, transport, *Address::parse(address), port};
    return t;
}

void runs(ServerStatus& s, const Tuple& t, const std::string& state, const std::string& error = "") {
    InstanceStatus i;
    i.instance = {t.domain, t.key};
    i.seen.unit = "u-" + t.key.address.str() + "-" + std::to_string(t.key.port);
    i.seen.active_state = state;
    i.seen.error = error;
    s.instances.push_back(i);
}

}  // namespace

TEST_CASE("placement: should run and does, should and does not, runs and should not") {
    ServerStatus s;
    s.name = "h1";
    s.serials = {{"a.example", 5}};
    s.addresses = std::vector<std::string>{"10.0.0.1", "2001:db8::1"};
    s.catalog = std::vector<std::string>{"http/tcp", "sip/udp"};
    const Tuple running = tuple("a.example", "http", "tcp", "10.0.0.1", 80);
    const Tuple failing = tuple("a.example", "http", "tcp", "2001:db8::1", 80);
    const Tuple unplaced = tuple("a.example", "sip", "udp", "10.0.0.1", 5060);
    const Tuple stale = tuple("a.example", "http", "tcp", "10.0.0.1", 8080);  // removed from the zone
    const std::vector<Tuple> zone = {
        running, failing, unplaced,
        tuple("a.example", "http", "tcp", "10.0.0.2", 80),   // another host's address
        tuple("a.example", "smtp", "tcp", "10.0.0.1", 25),   // not in this host's catalog
        tuple("a.example", "http", "udp", "10.0.0.1", 80),   // http/udp is not in it either
        tuple("b.example", "http", "tcp", "10.0.0.1", 80),   // a zone this host does not follow
    };
    runs(s, running, "active");
    runs(s, failing, "failed", "exit-code: status 1");
    runs(s, stale, "active");
    runs(s, tuple("a.example", "http", "tcp", "10.0.0.1", 8081), "inactive");  // gone and stopped: not listed

    Placement p = placement_of(s, zone);
    REQUIRE(p.known);
    REQUIRE(p.runs.size() == 1);
    CHECK(p.runs[0] == PlacedInstance{"a.example", running.key, "u-10.0.0.1-80", "active", ""});
    REQUIRE(p.missing.size() == 2);
    CHECK(p.missing[0] == PlacedInstance{"a.example", failing.key, "u-2001:db8::1-80", "failed", "exit-code: status 1"});
    CHECK(p.missing[1] == PlacedInstance{"a.example", unplaced.key, "", "", ""});
    REQUIRE(p.extra.size() == 1);
    CHECK(p.extra[0].key == stale.key);

    auto j = placement_json(p);
    CHECK(j["known"] == true);
    CHECK(j["missing"][0]["error"] == "exit-code: status 1");
    CHECK(j["missing"][1]["address"] == "10.0.0.1");
    CHECK(j["missing"][1]["port"] == 5060);
    CHECK_FALSE(j["runs"][0].contains("error"));
}

TEST_CASE("placement: unknown for an agent that reports no addresses or catalog") {
    ServerStatus s;
    s.serials = {{"a.example", 5}};
    s.catalog = std::vector<std::string>{"http/tcp"};
    Placement p = placement_of(s, {tuple("a.example", "http", "tcp", "10.0.0.1", 80)});
    CHECK_FALSE(p.known);
    CHECK(p.missing.empty());
    CHECK(placement_json(p)["known"] == false);
}
