// Drains (drain.h, api_drains.h): the client view's health with drained addresses, when
// a grace runs out, the request body, and the store keeping a drain across a reopen.
#include <catch2/catch.hpp>

#include "api_drains.h"
#include "drain.h"
#include "temp_dir.h"

using namespace patchbay;
using nlohmann::json;

namespace {

Tuple tuple(const char* zone, const char* address, uint16_t port = 80) {
    return *parse_tuple(zone, "http", "tcp", address, std::to_string(port));
}

}  // namespace

TEST_CASE("drains: every tuple on a drained address is down in the client view, the rest as reported") {
    ZoneTuples tuples = {{"a.example", {tuple("a.example", "10.0.0.1"), tuple("a.example", "10.0.0.2")}},
                         {"b.example", {tuple("b.example", "10.0.0.1", 8080)}}};
    HealthMap reported = {{InstanceRef{"a.example", tuple("a.example", "10.0.0.2").key}, Health::warning}};
    auto health = health_with_drains(reported, {*Address::parse("10.0.0.1")}, tuples);
    CHECK(health.size() == 3);
    CHECK(health.at(InstanceRef{"a.example", tuple("a.example", "10.0.0.1").key}) == Health::down);
    CHECK(health.at(InstanceRef{"b.example", tuple("b.example", "10.0.0.1", 8080).key}) == Health::down);
    CHECK(health.at(InstanceRef{"a.example", tuple("a.example", "10.0.0.2").key}) == Health::warning);
    CHECK(health_with_drains(reported, {}, tuples) == reported);
}

TEST_CASE("drains: due once the grace has run out, and only until drained") {
    DrainRow d{*Address::parse("10.0.0.1"), 1000, 500, false, {}, {}, "token:root"};
    CHECK_FALSE(drain_due(d, 1499));
    CHECK(drain_due(d, 1500));
    d.drained = true;
    CHECK_FALSE(drain_due(d, 9999));
    auto j = drain_json(d);
    CHECK(j["state"] == "drained");
    CHECK(j["until_ms"] == 1500);
    CHECK(j["address"] == "10.0.0.1");
}

TEST_CASE("drains: the request body, every error naming its field") {
    auto plain = drain_request(json{{"address", "2001:DB8::1"}});
    REQUIRE(plain);
    CHECK(plain->address.str() == "2001:db8::1");
    CHECK(plain->grace_ms == kDefaultGraceMs);
    CHECK(drain_request(json{{"address", "10.0.0.1"}, {"grace", "0s"}})->grace_ms == 0);
    CHECK(drain_request(json{{"address", "10.0.0.1"}, {"grace", "2m"}})->grace_ms == 120000);
    struct Row {
        json body;
        const char* says;
    };
    for (const auto& row : std::vector<Row>{
             {json::array(), "body: must be a JSON object"},
             {json::object(), "address: is required"},
             {json{{"address", "10.0.0.300"}}, "address: not an IP address"},
             {json{{"address", "10.0.0.1"}, {"grace", 30}}, "grace: must be a duration"},
             {json{{"address", "10.0.0.1"}, {"grace", "soon"}}, "grace: 'soon' is not a duration"},
             {json{{"address", "10.0.0.1"}, {"grace", "8d"}}, "grace: at most 7d"},
             {json{{"address", "10.0.0.1"}, {"colour", "red"}}, "colour: unknown field"},
         }) {
        INFO(row.body.dump());
        auto r = drain_request(row.body);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error(), Catch::StartsWith(row.says));
    }
}

TEST_CASE("drains: the store keeps them, what they removed and their changes, across a reopen") {
    test::TempDir dir;
    DrainRow d{*Address::parse("10.0.0.1"), 1795000000000, 30000, true,
               {tuple("a.example", "10.0.0.1"), tuple("b.example", "10.0.0.1", 8080)}, {7, 8}, "token:root"};
    {
        auto store = Store::open(dir.db());
        REQUIRE(store);
        REQUIRE(store->put_drain(d));
        REQUIRE(store->put_drain(DrainRow{*Address::parse("10.0.0.2"), 5, 0, false, {}, {}, ""}));
    }
    auto store = Store::open(dir.db());
    REQUIRE(store);
    auto drains = store->drains();
    REQUIRE(drains);
    REQUIRE(drains->size() == 2);
    CHECK((*drains)[0] == d);
    REQUIRE(store->remove_drain(*Address::parse("10.0.0.1")));
    CHECK(store->drains()->size() == 1);
}
