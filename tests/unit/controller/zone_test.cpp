// zone: the records build_zone_set makes from the seed example, compared as text.
#include <catch2/catch.hpp>

#include <algorithm>

#include "seed.h"
#include "zone.h"

using namespace patchbay;

namespace {

Address addr(const char* text) { return *Address::parse(text); }

bool has(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::shared_ptr<const ZoneSet> seed_zones(uint32_t serial = 7) {
    DnsSettings settings;
    settings.ns_addresses = {addr("10.10.10.1"), addr("2001:db8::53")};
    return build_zone_set({{"hostdomain.com", serial}}, test::seed_tuples(), settings);
}

}  // namespace

TEST_CASE("zone: the seed example gives SOA, NS, glue, SRV and derived targets") {
    auto zones = seed_zones();
    REQUIRE(zones->zones().size() == 1);
    const Zone* zone = zones->zone("hostdomain.com");
    REQUIRE(zone != nullptr);
    CHECK(zone->serial() == 7);
    auto lines = zone->dump();

    const std::vector<std::string> expected = {
        "hostdomain.com. 60 IN SOA ns.hostdomain.com. hostmaster.hostdomain.com. 7 3600 600 "
        "604800 60",
        "hostdomain.com. 60 IN NS ns.hostdomain.com.",
        "ns.hostdomain.com. 60 IN A 10.10.10.1",
        "ns.hostdomain.com. 60 IN AAAA 2001:db8::53",
        "_http._tcp.hostdomain.com. 60 IN SRV 1 100 80 ip4-10-10-10-121.hostdomain.com.",
        "_http._tcp.hostdomain.com. 60 IN SRV 1 100 80 ip4-10-10-10-122.hostdomain.com.",
        "_http._tcp.hostdomain.com. 60 IN SRV 2 100 8080 ip4-10-10-10-123.hostdomain.com.",
        "_smtp._tcp.hostdomain.com. 60 IN SRV 1 100 23 ip4-10-10-10-123.hostdomain.com.",
        "_smtp._tcp.hostdomain.com. 60 IN SRV 2 100 23 ip4-10-10-10-124.hostdomain.com.",
        "ip4-10-10-10-121.hostdomain.com. 60 IN A 10.10.10.121",
        "ip4-10-10-10-122.hostdomain.com. 60 IN A 10.10.10.122",
        "ip4-10-10-10-123.hostdomain.com. 60 IN A 10.10.10.123",
        "ip4-10-10-10-124.hostdomain.com. 60 IN A 10.10.10.124",
    };
    for (const auto& line : expected) {
        INFO(line);
        CHECK(has(lines, line));
    }
    // .123 serves http and smtp: one A record, not two; nothing for .125.
    CHECK(lines.size() == expected.size());
}

TEST_CASE("zone: names that exist, empty non-terminals and names that do not") {
    auto zones = seed_zones();
    const Zone& zone = *zones->zone("hostdomain.com");
    struct Row {
        const char* name;
        bool exists;
        size_t rrsets;
    };
    const Row rows[] = {
        {"hostdomain.com", true, 2},
        {"HostDomain.COM.", true, 2},
        {"_http._tcp.hostdomain.com", true, 1},
        {"_tcp.hostdomain.com", true, 0},  // empty non-terminal
        {"ns.hostdomain.com", true, 2},
        {"ip4-10-10-10-121.hostdomain.com", true, 1},
        {"ip4-10-10-10-125.hostdomain.com", false, 0},
        {"nope.hostdomain.com", false, 0},
        {"_udp.hostdomain.com", false, 0},
        {"x._http._tcp.hostdomain.com", false, 0},
    };
    for (const auto& row : rows) {
        INFO(row.name);
        const ZoneNode* node = zone.find(std::string_view(row.name));
        CHECK((node != nullptr) == row.exists);
        if (node) CHECK(node->rrsets.size() == row.rrsets);
    }
}

TEST_CASE("zone: the closest enclosing zone answers, others are nobody's") {
    auto zones = build_zone_set({{"hostdomain.com", 1}, {"sub.hostdomain.com", 2}, {"other.org", 3}},
                                test::seed_tuples(), {});
    struct Row {
        const char* name;
        const char* zone;  // nullptr: no zone
    };
    const Row rows[] = {
        {"hostdomain.com.", "hostdomain.com"},
        {"_http._tcp.hostdomain.com.", "hostdomain.com"},
        {"a.sub.hostdomain.com.", "sub.hostdomain.com"},
        {"other.org.", "other.org"},
        {"example.com.", nullptr},
        {"com.", nullptr},
        {".", nullptr},
    };
    for (const auto& row : rows) {
        INFO(row.name);
        knot_dname_storage_t name;
        REQUIRE(knot_dname_from_str(name, row.name, sizeof name) != nullptr);
        const Zone* zone = zones->find(name);
        if (row.zone == nullptr) {
            CHECK(zone == nullptr);
        } else {
            REQUIRE(zone != nullptr);
            CHECK(zone->name() == row.zone);
        }
    }
    // Tuples bind to their own zone only: the sub zone got none of the seed's.
    CHECK(zones->zone("sub.hostdomain.com")->dump().size() == 2);
    CHECK(zones->zone("other.org")->serial() == 3);
}

TEST_CASE("zone: IPv6 and explicit targets") {
    std::vector<Tuple> tuples = {
        *parse_tuple("hostdomain.com", "http", "tcp", "2001:db8::1", "80"),
        *parse_tuple("hostdomain.com", "sip", "udp", "10.10.10.125", "5060", "1", "10",
                    "pbx.hostdomain.com"),
        *parse_tuple("hostdomain.com", "sip", "udp", "2001:db8::5", "5060", "1", "10",
                    "pbx.hostdomain.com"),
        *parse_tuple("hostdomain.com", "sip", "tcp", "10.10.10.126", "5060", "1", "10",
                    "sip.example.net"),
        *parse_tuple("elsewhere.com", "http", "tcp", "10.0.0.1", "80"),
    };
    auto zones = build_zone_set({{"hostdomain.com", 3}}, tuples, {.ttl = 300, .ns_addresses = {}});
    auto lines = zones->zone("hostdomain.com")->dump();
    const std::vector<std::string> expected = {
        "hostdomain.com. 300 IN SOA ns.hostdomain.com. hostmaster.hostdomain.com. 3 3600 600 "
        "604800 300",
        "hostdomain.com. 300 IN NS ns.hostdomain.com.",
        "_http._tcp.hostdomain.com. 300 IN SRV 1 100 80 ip6-2001-db8--1.hostdomain.com.",
        "ip6-2001-db8--1.hostdomain.com. 300 IN AAAA 2001:db8::1",
        "_sip._udp.hostdomain.com. 300 IN SRV 1 10 5060 pbx.hostdomain.com.",
        "pbx.hostdomain.com. 300 IN A 10.10.10.125",
        "pbx.hostdomain.com. 300 IN AAAA 2001:db8::5",
        "_sip._tcp.hostdomain.com. 300 IN SRV 1 10 5060 sip.example.net.",
    };
    for (const auto& line : expected) {
        INFO(line);
        CHECK(has(lines, line));
    }
    CHECK(lines.size() == expected.size());  // nothing for sip.example.net, elsewhere.com
    CHECK(zones->zone("elsewhere.com") == nullptr);
}

TEST_CASE("zone: derived target names") {
    struct Row {
        const char* address;
        const char* name;
    };
    const Row rows[] = {
        {"10.10.10.121", "ip4-10-10-10-121.z.com"},
        {"2001:db8::1", "ip6-2001-db8--1.z.com"},
        {"::1", "ip6---1.z.com"},
        {"::ffff:10.0.0.1", "ip6---ffff-10-0-0-1.z.com"},
    };
    for (const auto& row : rows) {
        CHECK(derived_target(addr(row.address), "z.com") == row.name);
    }
}

TEST_CASE("zone: no zones, or a zone without tuples") {
    CHECK(build_zone_set({}, test::seed_tuples(), {})->zones().empty());
    auto zones = build_zone_set({{"empty.com", 1}, {"empty.com", 2}}, {}, {});
    REQUIRE(zones->zones().size() == 1);  // a repeated name counts once
    CHECK(zones->zone("empty.com")->dump().size() == 2);  // SOA and NS
}

TEST_CASE("with_zone replaces, adds and removes one zone and shares the others") {
    auto set = build_zone_set({{"hostdomain.com", 1}, {"other.com", 1}}, test::seed_tuples(), {});
    const Zone* other = set->zone("other.com");
    REQUIRE(other);

    auto changed = test::seed_tuples();
    changed[0].weight = 7;
    auto next = with_zone(*set, "hostdomain.com", build_zone({"hostdomain.com", 2}, changed, {}));
    REQUIRE(next->zone("hostdomain.com"));
    CHECK(next->zone("hostdomain.com")->serial() == 2);
    CHECK(next->zone("other.com") == other);  // shared, not rebuilt
    CHECK(set->zone("hostdomain.com")->serial() == 1);  // the old snapshot is untouched

    auto added = with_zone(*next, "third.com", build_zone({"third.com", 1}, {}, {}));
    CHECK(added->zones().size() == 3);
    auto removed = with_zone(*added, "other.com", nullptr);
    CHECK(removed->zones().size() == 2);
    CHECK_FALSE(removed->zone("other.com"));
}
