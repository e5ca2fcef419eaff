#include <catch2/catch.hpp>

#include "reconcile.h"
#include "seed.h"
#include "unit_name.h"

using namespace patchbay;
using patchbay::test::seed_tuples;
using patchbay::test::tuple_of;

namespace {

Address ip(const char* text) { return *Address::parse(text); }

const std::vector<CatalogEntry> kCatalog = {{"http", "patchbay-http@.service"},
                                            {"smtp", "patchbay-smtp@.service"}};

std::vector<std::string> units(const std::vector<Action>& actions) {
    std::vector<std::string> out;
    for (const auto& a : actions) out.push_back(a.unit);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<RunningInstance> running_from(const std::vector<Action>& actions) {
    std::vector<RunningInstance> out;
    for (const auto& a : actions) out.push_back({a.unit, a.key});
    return out;
}

}  // namespace

TEST_CASE("seed example: each of the five servers starts exactly its services") {
    struct Row {
        const char* server;
        std::vector<std::string> start;
    };
    const std::vector<Row> rows = {
        {"10.10.10.121", {"patchbay-http@10.10.10.121:80-tcp.service"}},
        {"10.10.10.122", {"patchbay-http@10.10.10.122:80-tcp.service"}},
        {"10.10.10.123",
         {"patchbay-http@10.10.10.123:8080-tcp.service", "patchbay-smtp@10.10.10.123:23-tcp.service"}},
        {"10.10.10.124", {"patchbay-smtp@10.10.10.124:23-tcp.service"}},
        {"10.10.10.125", {}},
    };
    for (const auto& row : rows) {
        INFO("server " << row.server);
        auto plan = reconcile({{"hostdomain.com", seed_tuples()}}, {ip("127.0.0.1"), ip(row.server)},
                              kCatalog, {});
        CHECK(units(plan.start) == row.start);
        CHECK(plan.stop.empty());
        CHECK(plan.keep.empty());
        // Applying the plan and reconciling again changes nothing.
        auto again = reconcile({{"hostdomain.com", seed_tuples()}}, {ip(row.server)}, kCatalog,
                               running_from(plan.start));
        CHECK(again.start.empty());
        CHECK(again.stop.empty());
        CHECK(units(again.keep) == row.start);
    }
}

TEST_CASE("old only stops, new only starts, both are left alone") {
    auto before = seed_tuples();
    auto after = before;
    after.erase(after.begin() + 2);                                   // http .123:8080 gone
    after.push_back(tuple_of("smtp", "10.10.10.123", "25", "1"));     // smtp .123:25 new
    auto first = reconcile({{"hostdomain.com", before}}, {ip("10.10.10.123")}, kCatalog, {});
    auto plan = reconcile({{"hostdomain.com", after}}, {ip("10.10.10.123")}, kCatalog,
                          running_from(first.start));
    CHECK(units(plan.stop) == std::vector<std::string>{"patchbay-http@10.10.10.123:8080-tcp.service"});
    CHECK(units(plan.start) == std::vector<std::string>{"patchbay-smtp@10.10.10.123:25-tcp.service"});
    CHECK(units(plan.keep) == std::vector<std::string>{"patchbay-smtp@10.10.10.123:23-tcp.service"});
}

TEST_CASE("a weight or priority change restarts nothing") {
    auto changed = seed_tuples();
    changed[0].weight = 5;
    changed[0].priority = 9;
    auto first = reconcile({{"hostdomain.com", seed_tuples()}}, {ip("10.10.10.121")}, kCatalog, {});
    auto plan = reconcile({{"hostdomain.com", changed}}, {ip("10.10.10.121")}, kCatalog,
                          running_from(first.start));
    CHECK(plan.start.empty());
    CHECK(plan.stop.empty());
    REQUIRE(plan.keep.size() == 1);
    CHECK(plan.keep[0].weight == 5);
    CHECK(plan.keep[0].priority == 9);
}

TEST_CASE("an address unbound stops its services; bound again starts them") {
    auto bound = reconcile({{"hostdomain.com", seed_tuples()}}, {ip("10.10.10.123")}, kCatalog, {});
    REQUIRE(bound.start.size() == 2);
    auto unbound = reconcile({{"hostdomain.com", seed_tuples()}}, {ip("127.0.0.1")}, kCatalog,
                             running_from(bound.start));
    CHECK(units(unbound.stop) == units(bound.start));
    CHECK(unbound.start.empty());
    auto rebound = reconcile({{"hostdomain.com", seed_tuples()}}, {ip("10.10.10.123")}, kCatalog, {});
    CHECK(units(rebound.start) == units(bound.start));
}

TEST_CASE("a domain never seen complete stops nothing") {
    auto first = reconcile({{"hostdomain.com", seed_tuples()}}, {ip("10.10.10.123")}, kCatalog, {});
    // The refresh of hostdomain.com failed at start-up (one query timed out): unknown.
    auto plan = reconcile({{"hostdomain.com", std::nullopt}, {"other.com", std::vector<Tuple>{}}},
                          {ip("10.10.10.123")}, kCatalog, running_from(first.start));
    CHECK(plan.stop.empty());
    CHECK(plan.held);
    CHECK(units(plan.keep) == units(first.start));
    // Starts for known domains still happen.
    auto other = parse_tuple("other.com", "http", "tcp", "10.10.10.123", "81");
    auto mixed = reconcile({{"hostdomain.com", std::nullopt}, {"other.com", std::vector<Tuple>{*other}}},
                           {ip("10.10.10.123")}, kCatalog, running_from(first.start));
    CHECK(units(mixed.start) == std::vector<std::string>{"patchbay-http@10.10.10.123:81-tcp.service"});
    CHECK(mixed.stop.empty());
}

TEST_CASE("a snapshot known only from the state file starts what it places and stops nothing") {
    auto first = reconcile({{"hostdomain.com", seed_tuples()}}, {ip("10.10.10.123")}, kCatalog, {});
    auto other = parse_tuple("hostdomain.com", "http", "tcp", "10.10.10.123", "81");
    std::vector<Tuple> loaded = {*other};  // what the file says; the seed's units run
    auto plan = hold_stops(reconcile({{"hostdomain.com", loaded}}, {ip("10.10.10.123")}, kCatalog,
                                     running_from(first.start)));
    CHECK(units(plan.start) == std::vector<std::string>{"patchbay-http@10.10.10.123:81-tcp.service"});
    CHECK(plan.stop.empty());
    CHECK(plan.held);
    CHECK(units(plan.keep) == units(first.start));
    CHECK_FALSE(hold_stops(first).held);  // nothing to stop: nothing held
}

TEST_CASE("a domain known to be empty stops what it placed") {
    auto first = reconcile({{"hostdomain.com", seed_tuples()}}, {ip("10.10.10.124")}, kCatalog, {});
    auto plan = reconcile({{"hostdomain.com", std::vector<Tuple>{}}}, {ip("10.10.10.124")}, kCatalog,
                          running_from(first.start));
    CHECK(units(plan.stop) == units(first.start));
    CHECK_FALSE(plan.held);
}

TEST_CASE("services without a unit template are ignored; the same tuple in two domains runs once") {
    auto ftp = parse_tuple("hostdomain.com", "ftp", "tcp", "10.10.10.121", "21");
    auto dup = parse_tuple("second.com", "http", "tcp", "10.10.10.121", "80");
    auto plan = reconcile({{"hostdomain.com", std::vector<Tuple>{*ftp, seed_tuples()[0]}},
                           {"second.com", std::vector<Tuple>{*dup}}},
                          {ip("10.10.10.121")}, kCatalog, {});
    REQUIRE(plan.start.size() == 1);
    CHECK(plan.start[0].domain == "hostdomain.com");
}

TEST_CASE("IPv6 tuples match IPv6 addresses") {
    auto v6 = parse_tuple("hostdomain.com", "http", "tcp", "2001:DB8::1", "443");
    REQUIRE(v6);
    auto plan = reconcile({{"hostdomain.com", std::vector<Tuple>{*v6}}}, {ip("2001:db8:0::1")},
                          kCatalog, {});
    CHECK(units(plan.start) == std::vector<std::string>{"patchbay-http@2001:db8::1:443-tcp.service"});
}
