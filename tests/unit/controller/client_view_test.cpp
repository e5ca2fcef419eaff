// client_view: the seed example (hostdomain.com) under health maps, as zone text, table
// by table; the DNS answers, the TTLs, and which zones a health change touches.
#include <catch2/catch.hpp>

#include <algorithm>

#include "client_view.h"
#include "dname.h"
#include "dns_client.h"
#include "seed.h"

using namespace patchbay;

namespace {

InstanceRef instance(const char* service, const char* address, uint16_t port, const char* domain = "hostdomain.com") {
    return {domain, {service, "tcp", *Address::parse(address), port}};
}

std::shared_ptr<const ZoneSet> seed_assignment(uint32_t serial = 7) {
    return build_zone_set({{"hostdomain.com", serial}}, test::seed_tuples(), {});
}

ZoneTuples seed_tuples_by_zone() { return {{"hostdomain.com", test::seed_tuples()}}; }

// The zone's lines whose owner starts with `owner`, sorted.
std::vector<std::string> lines_of(const Zone& zone, const std::string& owner) {
    std::vector<std::string> out;
    for (const auto& line : zone.dump())
        if (line.rfind(owner + " ", 0) == 0) out.push_back(line);
    return out;
}

const std::string http = "_http._tcp.hostdomain.com.";
const std::string smtp = "_smtp._tcp.hostdomain.com.";

std::string srv(uint32_t ttl, const char* rdata, const std::string& owner = http) {
    return owner + " " + std::to_string(ttl) + " IN SRV " + rdata;
}

}  // namespace

TEST_CASE("client_view: the seed's HTTP and SMTP records by health") {
    using L = std::vector<std::string>;
    const char* h121 = "1 100 80 ip4-10-10-10-121.hostdomain.com.";
    const char* h122 = "1 100 80 ip4-10-10-10-122.hostdomain.com.";
    const char* h123 = "2 100 8080 ip4-10-10-10-123.hostdomain.com.";
    const char* s123 = "1 100 23 ip4-10-10-10-123.hostdomain.com.";
    const char* s124 = "2 100 23 ip4-10-10-10-124.hostdomain.com.";
    auto down121 = std::pair{instance("http", "10.10.10.121", 80), Health::down};
    auto down122 = std::pair{instance("http", "10.10.10.122", 80), Health::down};
    auto down123 = std::pair{instance("http", "10.10.10.123", 8080), Health::down};
    ClientViewSettings empty;
    empty.all_down = AllDown::empty;
    ClientViewSettings half;
    half.warning_weight_percent = 50;

    struct Case {
        const char* what;
        HealthMap health;
        ClientViewSettings settings;
        L http_lines, smtp_lines;
    };
    const std::vector<Case> cases = {
        {"nothing known: every record, at the client TTL", {}, {},
         {srv(5, h121), srv(5, h122), srv(5, h123)}, {srv(5, s123, smtp), srv(5, s124, smtp)}},
        {"all up and unknown count as up",
         {{instance("http", "10.10.10.121", 80), Health::up}, {instance("http", "10.10.10.122", 80), Health::unknown}},
         {}, {srv(5, h121), srv(5, h122), srv(5, h123)}, {srv(5, s123, smtp), srv(5, s124, smtp)}},
        {"121 down: HTTP answers 122 (and 123 p2)", {down121}, {},
         {srv(5, h122), srv(5, h123)}, {srv(5, s123, smtp), srv(5, s124, smtp)}},
        {"121 and 122 down: 123:8080 (p2) answers", {down121, down122}, {},
         {srv(5, h123)}, {srv(5, s123, smtp), srv(5, s124, smtp)}},
        {"all three down, least-bad: all kept as they are", {down121, down122, down123}, {},
         {srv(5, h121), srv(5, h122), srv(5, h123)}, {srv(5, s123, smtp), srv(5, s124, smtp)}},
        {"all three down, empty: no HTTP record", {down121, down122, down123}, empty,
         {}, {srv(5, s123, smtp), srv(5, s124, smtp)}},
        {"122 warning: weight 10", {{instance("http", "10.10.10.122", 80), Health::warning}}, {},
         {srv(5, h121), srv(5, "1 10 80 ip4-10-10-10-122.hostdomain.com."), srv(5, h123)},
         {srv(5, s123, smtp), srv(5, s124, smtp)}},
        {"122 warning at 50 %: weight 50", {{instance("http", "10.10.10.122", 80), Health::warning}}, half,
         {srv(5, h121), srv(5, "1 50 80 ip4-10-10-10-122.hostdomain.com."), srv(5, h123)},
         {srv(5, s123, smtp), srv(5, s124, smtp)}},
        {"121 down, 122 warning: 122 and 123 left", {down121, {instance("http", "10.10.10.122", 80), Health::warning}},
         {}, {srv(5, "1 10 80 ip4-10-10-10-122.hostdomain.com."), srv(5, h123)},
         {srv(5, s123, smtp), srv(5, s124, smtp)}},
        {"down and warning mixed, all down but one warning: not all down",
         {down121, down123, {instance("http", "10.10.10.122", 80), Health::warning}}, empty,
         {srv(5, "1 10 80 ip4-10-10-10-122.hostdomain.com.")}, {srv(5, s123, smtp), srv(5, s124, smtp)}},
        {"123's HTTP down leaves its SMTP alone", {down123}, {},
         {srv(5, h121), srv(5, h122)}, {srv(5, s123, smtp), srv(5, s124, smtp)}},
        {"SMTP 123 down: 124 (p2) answers", {{instance("smtp", "10.10.10.123", 23), Health::down}}, {},
         {srv(5, h121), srv(5, h122), srv(5, h123)}, {srv(5, s124, smtp)}},
        {"an instance of another zone changes nothing",
         {{instance("http", "10.10.10.121", 80, "example.org"), Health::down}}, {},
         {srv(5, h121), srv(5, h122), srv(5, h123)}, {srv(5, s123, smtp), srv(5, s124, smtp)}},
        {"another port of the same address changes nothing", {{instance("http", "10.10.10.121", 81), Health::down}},
         {}, {srv(5, h121), srv(5, h122), srv(5, h123)}, {srv(5, s123, smtp), srv(5, s124, smtp)}},
    };
    auto assignment = seed_assignment();
    const Zone& zone = *assignment->zone("hostdomain.com");
    for (const auto& c : cases) {
        INFO(c.what);
        auto client = build_client_zone(zone, test::seed_tuples(), c.health, c.settings);
        REQUIRE(client);
        CHECK(client->serial() == 7);
        L want_http = c.http_lines, want_smtp = c.smtp_lines;
        std::sort(want_http.begin(), want_http.end());
        std::sort(want_smtp.begin(), want_smtp.end());
        CHECK(lines_of(*client, http) == want_http);
        CHECK(lines_of(*client, smtp) == want_smtp);
    }
}

TEST_CASE("client_view: the assignment view keeps every record, and addresses stay in the client view") {
    auto assignment = seed_assignment();
    const Zone& zone = *assignment->zone("hostdomain.com");
    auto before = zone.dump();
    HealthMap all_down = {{instance("http", "10.10.10.121", 80), Health::down},
                          {instance("http", "10.10.10.122", 80), Health::down}};
    auto client = build_client_zone(zone, test::seed_tuples(), all_down, {});
    CHECK(zone.dump() == before);  // untouched
    CHECK(lines_of(zone, http).size() == 3);
    // A resolver holding an older SRV answer can still resolve the target.
    CHECK(lines_of(*client, "ip4-10-10-10-121.hostdomain.com.") ==
          std::vector<std::string>{"ip4-10-10-10-121.hostdomain.com. 60 IN A 10.10.10.121"});
    CHECK(lines_of(*client, "hostdomain.com.") ==
          std::vector<std::string>{"hostdomain.com. 5 IN SOA ns.hostdomain.com. hostmaster.hostdomain.com. 7 3600 600 604800 5",
                                   "hostdomain.com. 60 IN NS ns.hostdomain.com."});
}

TEST_CASE("client_view: answers — failover, NODATA when empty, configured TTL") {
    auto assignment = seed_assignment();
    HealthMap health = {{instance("http", "10.10.10.121", 80), Health::down},
                        {instance("http", "10.10.10.122", 80), Health::down}};
    ClientViewSettings settings;
    settings.ttl = 3;
    auto client = build_client_view(*assignment, seed_tuples_by_zone(), health, settings);
    auto r = test::ask(*client, {"_http._tcp.hostdomain.com", KNOT_RRTYPE_SRV});
    CHECK(r.rcode == KNOT_RCODE_NOERROR);
    CHECK(r.answer == std::vector<std::string>{srv(3, "2 100 8080 ip4-10-10-10-123.hostdomain.com.")});

    health[instance("http", "10.10.10.123", 8080)] = Health::down;
    settings.all_down = AllDown::empty;
    client = build_client_view(*assignment, seed_tuples_by_zone(), health, settings);
    r = test::ask(*client, {"_http._tcp.hostdomain.com", KNOT_RRTYPE_SRV});
    CHECK(r.rcode == KNOT_RCODE_NOERROR);  // NODATA, not NXDOMAIN: the name still exists
    CHECK(r.answer.empty());
    REQUIRE(r.authority.size() == 1);
    CHECK(r.authority[0].rfind("hostdomain.com. 3 IN SOA", 0) == 0);  // negative TTL 3
}

TEST_CASE("client_view: a plain SRV record beside tuples keeps its TTL rules and stays") {
    // An SRV record with an outside target, stored as a record: no health, never dropped.
    auto owner = *wire_name("_http._tcp.hostdomain.com");
    std::string rdata = std::string("\x00\x01\x00\x64\x00\x50", 6) + *wire_name("web.example.net");
    ZoneInput input{"hostdomain.com", 3, {{owner, KNOT_RRTYPE_SRV, 60, rdata}}};
    auto assignment = build_zone_set({input}, test::seed_tuples(), {});
    HealthMap health = {{instance("http", "10.10.10.121", 80), Health::down},
                        {instance("http", "10.10.10.122", 80), Health::down},
                        {instance("http", "10.10.10.123", 8080), Health::down}};
    ClientViewSettings empty;
    empty.all_down = AllDown::empty;
    auto client = build_client_zone(*assignment->zone("hostdomain.com"), test::seed_tuples(), health, empty);
    CHECK(lines_of(*client, http) == std::vector<std::string>{srv(5, "1 100 80 web.example.net.")});
}

TEST_CASE("client_view: a tuple with an explicit target outside the zone is dropped when down") {
    auto tuple = parse_tuple("hostdomain.com", "sip", "udp", "192.0.2.7", "5060", "1", "100", "sip.example.net");
    auto other = parse_tuple("hostdomain.com", "sip", "udp", "192.0.2.8", "5060", "2", "100");
    REQUIRE(tuple);
    REQUIRE(other);
    std::vector<Tuple> tuples{*tuple, *other};
    auto assignment = build_zone_set({{"hostdomain.com", 1}}, tuples, {});
    HealthMap health = {{InstanceRef{"hostdomain.com", tuple->key}, Health::down}};
    auto client = build_client_zone(*assignment->zone("hostdomain.com"), tuples, health, {});
    CHECK(lines_of(*client, "_sip._udp.hostdomain.com.") ==
          std::vector<std::string>{"_sip._udp.hostdomain.com. 5 IN SRV 2 100 5060 ip4-192-0-2-8.hostdomain.com."});
}

TEST_CASE("client_view: warning weights") {
    struct Case {
        uint16_t weight;
        unsigned percent;
        uint16_t want;
    };
    for (auto c : {Case{100, 10, 10}, Case{5, 10, 1}, Case{0, 10, 0}, Case{65535, 100, 65535}, Case{65535, 10, 6553},
                   Case{1, 1, 1}, Case{200, 1, 2}}) {
        INFO(c.weight << " at " << c.percent << "%");
        CHECK(warning_weight(c.weight, c.percent) == c.want);
    }
}

TEST_CASE("client_view: all_down names") {
    CHECK(parse_all_down("least-bad") == AllDown::least_bad);
    CHECK(parse_all_down("empty") == AllDown::empty);
    CHECK_FALSE(parse_all_down("nothing"));
    CHECK(all_down_name(AllDown::empty) == "empty");
}

TEST_CASE("client_view: the zones a health change touches") {
    auto a = instance("http", "10.10.10.121", 80);
    auto b = instance("http", "10.10.10.1", 80, "example.org");
    auto c = instance("http", "10.10.10.2", 80, "example.net");
    using S = std::set<std::string>;
    struct Case {
        const char* what;
        HealthMap before, after;
        S want;
    };
    const std::vector<Case> cases = {
        {"nothing to nothing", {}, {}, {}},
        {"new instance up: nothing to rebuild", {}, {{a, Health::up}}, {}},
        {"new instance unknown: nothing", {}, {{a, Health::unknown}}, {}},
        {"new instance down", {}, {{a, Health::down}}, {"hostdomain.com"}},
        {"gone while down", {{a, Health::down}}, {}, {"hostdomain.com"}},
        {"gone while up", {{a, Health::up}}, {}, {}},
        {"unknown to up", {{a, Health::unknown}}, {{a, Health::up}}, {}},
        {"up to warning in one zone of three", {{a, Health::up}, {b, Health::up}, {c, Health::down}},
         {{a, Health::up}, {b, Health::warning}, {c, Health::down}}, {"example.org"}},
        {"two zones", {{a, Health::down}, {c, Health::up}}, {{a, Health::up}, {c, Health::warning}},
         {"hostdomain.com", "example.net"}},
    };
    for (const auto& k : cases) {
        INFO(k.what);
        CHECK(zones_with_changed_health(k.before, k.after) == k.want);
    }
}

TEST_CASE("client_view: with_client_zones rebuilds the zones named and shares the rest") {
    auto assignment = build_zone_set({{"hostdomain.com", 7}, {"example.org", 2}}, test::seed_tuples(), {});
    auto tuples = seed_tuples_by_zone();
    auto client = build_client_view(*assignment, tuples, {}, {});
    REQUIRE(client->zones().size() == 2);
    HealthMap health = {{instance("http", "10.10.10.121", 80), Health::down}};
    auto next = with_client_zones(*client, *assignment, {"hostdomain.com", "gone.example"}, tuples, health, {});
    REQUIRE(next->zones().size() == 2);
    CHECK(next->zone("example.org") == client->zone("example.org"));  // shared, not rebuilt
    CHECK(lines_of(*next->zone("hostdomain.com"), http).size() == 2);
    CHECK(lines_of(*client->zone("hostdomain.com"), http).size() == 3);  // the old snapshot stands
}
