// dns_server with two views on loopback: an assignment listener and a client listener
// answering differently once a client view is published, assignment networks getting
// the assignment view on the client listener, transfers refused there, and the
// responses counted by view and rcode.
#include <catch2/catch.hpp>

#include "client_view.h"
#include "dns_server.h"
#include "loopback_dns.h"
#include "seed.h"

using namespace patchbay;
using namespace patchbay::test;

namespace {

InstanceRef http(const char* address, uint16_t port) {
    return {"hostdomain.com", {"http", "tcp", *Address::parse(address), port}};
}

const char* srv_name = "_http._tcp.hostdomain.com";

struct TwoViews {
    std::shared_ptr<const ZoneSet> assignment = build_zone_set({{"hostdomain.com", 9}}, test::seed_tuples(), {});
    ZoneTuples tuples{{"hostdomain.com", test::seed_tuples()}};
    std::unique_ptr<DnsServer> server;
    uint16_t assignment_port = 0, client_port = 0;

    explicit TwoViews(std::vector<Prefix> assignment_networks = {}) {
        DnsServerOptions options;
        options.workers = 2;
        options.client_listen = {*Endpoint::parse("127.0.0.1:0")};
        options.assignment_networks = std::move(assignment_networks);
        AclEntry local;  // transfers allowed from anywhere on loopback: only the view refuses
        local.addresses = {*Prefix::parse("127.0.0.0/8")};
        options.policy.acl = {local};
        auto started = DnsServer::start({*Endpoint::parse("127.0.0.1:0")}, assignment, std::move(options));
        REQUIRE(started);
        server = std::move(*started);
        REQUIRE(server->bound().size() == 1);
        REQUIRE(server->client_bound().size() == 1);
        assignment_port = server->bound()[0].port;
        client_port = server->client_bound()[0].port;
        REQUIRE(assignment_port != client_port);
    }

    void set_health(const HealthMap& health) {
        server->publish(DnsView::client, build_client_view(*assignment, tuples, health, {}));
    }
};

const std::vector<std::string> all_http = {
    "_http._tcp.hostdomain.com. 60 IN SRV 1 100 80 ip4-10-10-10-121.hostdomain.com.",
    "_http._tcp.hostdomain.com. 60 IN SRV 1 100 80 ip4-10-10-10-122.hostdomain.com.",
    "_http._tcp.hostdomain.com. 60 IN SRV 2 100 8080 ip4-10-10-10-123.hostdomain.com.",
};

}  // namespace

TEST_CASE("dns_server views: the client listener answers from the client view, the other from the assignment") {
    TwoViews t;
    // Nothing published for clients yet: both answer the initial snapshot.
    CHECK(ask_udp(t.assignment_port, srv_name, KNOT_RRTYPE_SRV).answer == all_http);
    CHECK(ask_udp(t.client_port, srv_name, KNOT_RRTYPE_SRV).answer == all_http);

    t.set_health({{http("10.10.10.121", 80), Health::down}, {http("10.10.10.122", 80), Health::down}});
    const std::vector<std::string> failed_over = {
        "_http._tcp.hostdomain.com. 5 IN SRV 2 100 8080 ip4-10-10-10-123.hostdomain.com."};
    CHECK(ask_udp(t.client_port, srv_name, KNOT_RRTYPE_SRV).answer == failed_over);
    CHECK(ask_tcp(t.client_port, srv_name, KNOT_RRTYPE_SRV).answer == failed_over);
    // Agents keep every tuple, down or not.
    CHECK(ask_udp(t.assignment_port, srv_name, KNOT_RRTYPE_SRV).answer == all_http);
    CHECK(ask_tcp(t.assignment_port, srv_name, KNOT_RRTYPE_SRV).answer == all_http);

    // Health back: the client view follows the next publish.
    t.set_health({});
    auto back = ask_udp(t.client_port, srv_name, KNOT_RRTYPE_SRV).answer;
    CHECK(back.size() == 3);
    CHECK(back[0].find(" 5 IN SRV ") != std::string::npos);

    // Publishing the assignment view leaves the client view as it was.
    t.set_health({{http("10.10.10.121", 80), Health::down}});
    t.server->publish(build_zone_set({{"hostdomain.com", 10}}, test::seed_tuples(), {}));
    CHECK(ask_udp(t.client_port, srv_name, KNOT_RRTYPE_SRV).answer.size() == 2);
    CHECK(ask_udp(t.assignment_port, srv_name, KNOT_RRTYPE_SRV).answer.size() == 3);
}

TEST_CASE("dns_server views: assignment networks get the assignment view on the client listener") {
    TwoViews t({*Prefix::parse("127.0.0.2/32")});
    t.set_health({{http("10.10.10.121", 80), Health::down}});
    CHECK(ask_udp(t.client_port, srv_name, KNOT_RRTYPE_SRV, "127.0.0.1").answer.size() == 2);
    CHECK(ask_udp(t.client_port, srv_name, KNOT_RRTYPE_SRV, "127.0.0.2").answer == all_http);
    CHECK(ask_tcp(t.client_port, srv_name, KNOT_RRTYPE_SRV, "127.0.0.1").answer.size() == 2);
    CHECK(ask_tcp(t.client_port, srv_name, KNOT_RRTYPE_SRV, "127.0.0.2").answer == all_http);
    // Transfers too: the agents' networks are in the assignment view there.
    CHECK(ask_tcp(t.client_port, "hostdomain.com", KNOT_RRTYPE_AXFR, "127.0.0.2").rcode == KNOT_RCODE_NOERROR);
    CHECK(ask_tcp(t.client_port, "hostdomain.com", KNOT_RRTYPE_AXFR, "127.0.0.1").rcode == KNOT_RCODE_REFUSED);
}

TEST_CASE("dns_server views: the client view refuses zone transfers") {
    TwoViews t;
    t.set_health({});
    CHECK(ask_tcp(t.assignment_port, "hostdomain.com", KNOT_RRTYPE_AXFR).rcode == KNOT_RCODE_NOERROR);
    CHECK(ask_tcp(t.client_port, "hostdomain.com", KNOT_RRTYPE_AXFR).rcode == KNOT_RCODE_REFUSED);
    CHECK(ask_tcp(t.client_port, "hostdomain.com", KNOT_RRTYPE_IXFR).rcode == KNOT_RCODE_REFUSED);
    CHECK(ask_udp(t.client_port, "hostdomain.com", KNOT_RRTYPE_AXFR).rcode == KNOT_RCODE_REFUSED);
    // Plain queries are answered there as anywhere.
    CHECK(ask_udp(t.client_port, "hostdomain.com", KNOT_RRTYPE_SOA).rcode == KNOT_RCODE_NOERROR);
}

TEST_CASE("dns_server views: responses are counted by view and rcode") {
    TwoViews t;
    CHECK(t.server->counts().empty());
    for (int i = 0; i < 3; ++i) ask_udp(t.assignment_port, srv_name, KNOT_RRTYPE_SRV);
    ask_tcp(t.assignment_port, "nope.hostdomain.com", KNOT_RRTYPE_A);
    ask_udp(t.client_port, srv_name, KNOT_RRTYPE_SRV);
    ask_udp(t.client_port, "example.org", KNOT_RRTYPE_A);
    ask_tcp(t.client_port, "hostdomain.com", KNOT_RRTYPE_AXFR);
    std::vector<DnsCount> want = {
        {DnsView::assignment, KNOT_RCODE_NOERROR, 3},
        {DnsView::assignment, KNOT_RCODE_NXDOMAIN, 1},
        {DnsView::client, KNOT_RCODE_NOERROR, 1},
        {DnsView::client, KNOT_RCODE_REFUSED, 2},
    };
    CHECK(t.server->counts() == want);
    CHECK(std::string(dns_view_name(DnsView::client)) == "client");
}

TEST_CASE("dns_server views: only client listeners, and a client port taken") {
    DnsServerOptions options;
    options.workers = 1;
    options.client_listen = {*Endpoint::parse("127.0.0.1:0")};
    auto only_client = DnsServer::start({}, nullptr, std::move(options));
    REQUIRE(only_client);
    CHECK((*only_client)->bound().empty());
    uint16_t port = (*only_client)->client_bound()[0].port;
    CHECK(ask_udp(port, srv_name, KNOT_RRTYPE_SRV).rcode == KNOT_RCODE_REFUSED);  // no zones yet

    DnsServerOptions clash;
    clash.workers = 1;
    clash.client_listen = {Endpoint{*Address::parse("127.0.0.1"), port}};
    auto second = DnsServer::start({*Endpoint::parse("127.0.0.1:0")}, nullptr, std::move(clash));
    REQUIRE_FALSE(second);
    CHECK_THAT(second.error(), Catch::Contains("127.0.0.1:" + std::to_string(port)) &&
                                   Catch::Contains("Address already in use"));
    CHECK_FALSE(DnsServer::start({}, nullptr, DnsServerOptions{}));
}
