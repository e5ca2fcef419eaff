// Controller and the client view: snapshot() builds it, every zone change and every
// health change keeps it in step (only the zones touched are rebuilt), the assignment
// view never loses a tuple, and an attached DNS server's client listener follows.
#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

#include "controller.h"
#include "dns_client.h"
#include "loopback_dns.h"
#include "seed.h"
#include "temp_dir.h"

using namespace patchbay;

namespace {

InstanceRef http(const char* address, uint16_t port, const char* domain = "hostdomain.com") {
    return {domain, {"http", "tcp", *Address::parse(address), port}};
}

HealthMapPtr health(HealthMap map) { return std::make_shared<const HealthMap>(std::move(map)); }

std::vector<std::string> srv_answer(const ZoneSet& zones, const char* name = "_http._tcp.hostdomain.com") {
    auto r = test::ask(zones, {name, KNOT_RRTYPE_SRV});
    std::sort(r.answer.begin(), r.answer.end());
    return r.answer;
}

// The SRV targets of an answer, without TTLs: "1 100 80 ip4-…".
std::vector<std::string> targets(const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    for (const auto& line : lines) out.push_back(line.substr(line.find(" SRV ") + 5));
    return out;
}

struct Fixture {
    test::TempDir tmp;
    std::unique_ptr<Controller> controller;

    explicit Fixture(ClientViewSettings settings = {}) {
        auto store = Store::open(tmp.db());
        REQUIRE(store);
        controller = std::make_unique<Controller>(std::move(*store), DnsSettings{60, {}});
        controller->configure_client_view(settings);
        REQUIRE(controller->add_zone("hostdomain.com"));
        REQUIRE(controller->add_zone("other.com"));
        for (const auto& t : test::seed_tuples()) REQUIRE(controller->put_tuple(t));
        REQUIRE(controller->put_tuple(*parse_tuple("other.com", "http", "tcp", "192.0.2.1", "80")));
        REQUIRE(controller->snapshot());
    }
    // The assignment zone as served, as zone file text (snapshot() would rebuild both views).
    std::string assignment(const char* zone = "hostdomain.com") { return *controller->export_zone(zone); }
    uint32_t serial(const char* zone = "hostdomain.com") {
        auto zones = controller->zones();
        REQUIRE(zones);
        for (const auto& z : *zones)
            if (z.name == zone) return z.serial;
        return 0;
    }
};

const std::vector<std::string> seed_http = {"1 100 80 ip4-10-10-10-121.hostdomain.com.",
                                            "1 100 80 ip4-10-10-10-122.hostdomain.com.",
                                            "2 100 8080 ip4-10-10-10-123.hostdomain.com."};

}  // namespace

TEST_CASE("controller views: snapshot builds the client view, with its TTL") {
    ClientViewSettings settings;
    settings.ttl = 7;
    Fixture f(settings);
    auto client = f.controller->client_view();
    REQUIRE(client);
    CHECK(client->zones().size() == 2);
    auto answer = srv_answer(*client);
    CHECK(targets(answer) == seed_http);
    CHECK(answer[0].find(" 7 IN SRV ") != std::string::npos);
    CHECK(client->zone("hostdomain.com")->serial() == f.serial());
}

TEST_CASE("controller views: set_health rebuilds the zones it touches, the assignment keeps every tuple") {
    Fixture f;
    auto before = f.controller->client_view();
    f.controller->set_health(health({{http("10.10.10.121", 80), Health::down}}));
    auto after = f.controller->client_view();
    CHECK(after != before);
    CHECK(targets(srv_answer(*after)) ==
          std::vector<std::string>{"1 100 80 ip4-10-10-10-122.hostdomain.com.",
                                   "2 100 8080 ip4-10-10-10-123.hostdomain.com."});
    CHECK(after->zone("other.com") == before->zone("other.com"));  // untouched: shared
    CHECK_THAT(f.assignment(), Catch::Contains("1 100 80 ip4-10-10-10-121.hostdomain.com."));

    // The same effective health again (unknown counts as up): nothing rebuilt.
    f.controller->set_health(
        health({{http("10.10.10.121", 80), Health::down}, {http("10.10.10.122", 80), Health::unknown}}));
    CHECK(f.controller->client_view() == after);

    // Another zone's instance: only that zone.
    f.controller->set_health(health({{http("10.10.10.121", 80), Health::down},
                                     {http("192.0.2.1", 80, "other.com"), Health::warning}}));
    auto third = f.controller->client_view();
    CHECK(third->zone("hostdomain.com") == after->zone("hostdomain.com"));
    CHECK(third->zone("other.com") != after->zone("other.com"));
    CHECK(targets(srv_answer(*third, "_http._tcp.other.com")) ==
          std::vector<std::string>{"1 10 80 ip4-192-0-2-1.other.com."});

    // nullptr: nothing known, all up again.
    f.controller->set_health(nullptr);
    CHECK(targets(srv_answer(*f.controller->client_view())) == seed_http);
}

TEST_CASE("controller views: zone changes rebuild the client zone with the health known") {
    Fixture f;
    f.controller->set_health(health({{http("10.10.10.121", 80), Health::down}}));
    REQUIRE(f.controller->put_tuple(test::tuple_of("http", "10.10.10.125", "80", "1")));
    auto client = f.controller->client_view();
    CHECK(targets(srv_answer(*client)) ==
          std::vector<std::string>{"1 100 80 ip4-10-10-10-122.hostdomain.com.",
                                   "1 100 80 ip4-10-10-10-125.hostdomain.com.",
                                   "2 100 8080 ip4-10-10-10-123.hostdomain.com."});
    // Same serial as the assignment zone.
    CHECK(client->zone("hostdomain.com")->serial() == f.serial());
    CHECK_THAT(f.assignment(), Catch::Contains("1 100 80 ip4-10-10-10-121.hostdomain.com."));

    // A weight change of the down tuple, then it comes back: the new weight shows.
    REQUIRE(f.controller->put_tuple(test::tuple_of("http", "10.10.10.121", "80", "1", "30")));
    CHECK(srv_answer(*f.controller->client_view()).size() == 3);
    f.controller->set_health(nullptr);
    auto back = targets(srv_answer(*f.controller->client_view()));
    CHECK(std::count(back.begin(), back.end(), "1 30 80 ip4-10-10-10-121.hostdomain.com.") == 1);

    // A removed tuple leaves both views; a removed zone too.
    REQUIRE(f.controller->remove_tuple("hostdomain.com", test::tuple_of("http", "10.10.10.125", "80", "1").key));
    CHECK(srv_answer(*f.controller->client_view()).size() == 3);
    REQUIRE(f.controller->remove_zone("other.com"));
    CHECK(f.controller->client_view()->zone("other.com") == nullptr);
    CHECK(f.controller->client_view()->zones().size() == 1);
    // Health of the removed zone's instances changes nothing now.
    f.controller->set_health(health({{http("192.0.2.1", 80, "other.com"), Health::down}}));
    CHECK(f.controller->client_view()->zones().size() == 1);
}

TEST_CASE("controller views: an attached DNS server's client listener follows set_health") {
    Fixture f;
    DnsServerOptions options;
    options.workers = 1;
    options.client_listen = {*Endpoint::parse("127.0.0.1:0")};
    options.client_initial = f.controller->client_view();
    auto dns = DnsServer::start({*Endpoint::parse("127.0.0.1:0")}, *f.controller->snapshot(), std::move(options));
    REQUIRE(dns);
    f.controller->attach(dns->get(), nullptr);
    uint16_t assignment_port = (*dns)->bound()[0].port, client_port = (*dns)->client_bound()[0].port;
    const char* name = "_http._tcp.hostdomain.com";
    CHECK(targets(test::ask_udp(client_port, name, KNOT_RRTYPE_SRV).answer) == seed_http);

    f.controller->set_health(health({{http("10.10.10.121", 80), Health::down}, {http("10.10.10.122", 80), Health::down}}));
    auto failed_over = test::ask_udp(client_port, name, KNOT_RRTYPE_SRV).answer;
    CHECK(failed_over == std::vector<std::string>{
                             "_http._tcp.hostdomain.com. 5 IN SRV 2 100 8080 ip4-10-10-10-123.hostdomain.com."});
    CHECK(targets(test::ask_udp(assignment_port, name, KNOT_RRTYPE_SRV).answer) == seed_http);

    // A zone change reaches both listeners, health still applied on the client one.
    REQUIRE(f.controller->put_tuple(test::tuple_of("http", "10.10.10.125", "80", "1")));
    CHECK(targets(test::ask_udp(client_port, name, KNOT_RRTYPE_SRV).answer) ==
          std::vector<std::string>{"1 100 80 ip4-10-10-10-125.hostdomain.com.",
                                   "2 100 8080 ip4-10-10-10-123.hostdomain.com."});
    CHECK(test::ask_udp(assignment_port, name, KNOT_RRTYPE_SRV).answer.size() == 4);

    f.controller->attach(nullptr, nullptr);
    f.controller->set_health(nullptr);  // detached: the server keeps what it had
    CHECK(test::ask_udp(client_port, name, KNOT_RRTYPE_SRV).answer.size() == 2);
}

TEST_CASE("controller views: health and zone changes from two threads end where a fresh build ends") {
    Fixture f;
    const std::vector<HealthMap> maps = {
        {},
        {{http("10.10.10.121", 80), Health::down}},
        {{http("10.10.10.121", 80), Health::down}, {http("10.10.10.122", 80), Health::warning}},
        {{http("192.0.2.1", 80, "other.com"), Health::down}, {http("10.10.10.123", 8080), Health::down}},
    };
    std::thread health_thread([&] {
        for (int i = 0; i < 200; ++i) f.controller->set_health(health(maps[static_cast<size_t>(i) % maps.size()]));
    });
    for (int i = 0; i < 40; ++i) {
        auto weight = std::to_string(1 + i);
        REQUIRE(f.controller->put_tuple(test::tuple_of("http", "10.10.10.121", "80", "1", weight.c_str())));
    }
    health_thread.join();
    f.controller->set_health(health(maps[2]));
    auto incremental = f.controller->client_view();
    REQUIRE(f.controller->snapshot());  // rebuilds both views from the store
    auto fresh = f.controller->client_view();
    REQUIRE(incremental->zones().size() == fresh->zones().size());
    for (const auto& zone : fresh->zones()) {
        INFO(zone->name());
        REQUIRE(incremental->zone(zone->name()) != nullptr);
        CHECK(incremental->zone(zone->name())->dump() == zone->dump());
    }
    CHECK(targets(srv_answer(*fresh)) == std::vector<std::string>{"1 10 80 ip4-10-10-10-122.hostdomain.com.",
                                                                  "2 100 8080 ip4-10-10-10-123.hostdomain.com."});
}
