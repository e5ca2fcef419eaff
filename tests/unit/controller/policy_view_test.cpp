// policy_view: the client view's answers under an account's mapping rules, through the
// whole answer path (answer() with a ClientQuery): geography by source and by ECS (with
// the scope echoed), a department by network and by TSIG key, a time window switching
// at its boundary with the clock injected, and a new snapshot as the only invalidation.
#include <catch2/catch.hpp>

#include <chrono>

#include "client_view.h"
#include "dns_client.h"
#include "policy_view.h"
#include "seed.h"

using namespace patchbay;
using namespace std::chrono;

namespace {

Prefix prefix(const char* text) { return *Prefix::parse(text); }

// The seed zone's account: .121 and .123 in eu, .122 in us; HTTP by geography, except
// for sales (failover, one answer); SMTP weighted towards .124 at night (22:00–06:00 UTC).
AccountSettings seed_settings() {
    AccountSettings s;
    s.regions = {{"eu", {prefix("192.0.2.0/24")}, {}, {}, {"us"}, {}},
                 {"us", {prefix("198.51.100.0/24")}, {}, {}, {"eu"}, {}}};
    s.departments = {{"sales", {prefix("10.1.0.0/16")}, {"sales-key"}, {}}};
    Window night;
    night.name = "night";
    night.from_minute = 22 * 60;
    night.to_minute = 6 * 60;
    s.windows = {night};
    s.servers = {{prefix("10.10.10.121"), "eu", "", {}, std::nullopt, {}},
                 {prefix("10.10.10.122"), "us", "", {}, std::nullopt, {}},
                 {prefix("10.10.10.123"), "eu", "", {}, std::nullopt, {}}};
    Rule geo;
    geo.name = "geo-http";
    geo.when.service = "http";
    geo.strategy = Strategy::geo;
    Rule sales;
    sales.name = "sales-http";
    sales.when.service = "http";
    sales.when.department = "sales";
    sales.strategy = Strategy::failover;
    sales.count = 1;
    Rule night_smtp;
    night_smtp.name = "night-smtp";
    night_smtp.when.service = "smtp";
    night_smtp.when.window = "night";
    night_smtp.strategy = Strategy::weighted;
    night_smtp.weights = {{"10.10.10.124", 9}, {"10.10.10.123", 1}};
    s.rules = {geo, sales, night_smtp};
    return s;
}

struct Fixture {
    system_clock::time_point now = sys_days{2026y / 11 / 23} + 12h;
    std::shared_ptr<const ZoneSet> assignment = build_zone_set({{"hostdomain.com", 7}}, test::seed_tuples(), {});
    ClientViewSettings view;
    AccountPolicyPtr account;

    Fixture() {
        auto compiled = AccountPolicy::compile("acme", seed_settings(), [this] { return now; });
        REQUIRE(compiled);
        account = *compiled;
    }
    std::shared_ptr<const PolicyView> policies(const HealthMap& health = {}) const {
        auto zone = std::make_shared<const PolicyZone>(*assignment->zone("hostdomain.com"), account, std::nullopt,
                                                       test::seed_tuples(), health, LoadMap{}, view);
        return std::make_shared<const PolicyView>(std::vector<std::shared_ptr<const PolicyZone>>{zone});
    }
    std::shared_ptr<const ZoneSet> client(const HealthMap& health = {}) const {
        return build_client_view(*assignment, {{"hostdomain.com", test::seed_tuples()}}, health, view);
    }
};

ClientQuery from(const PolicyView& policies, const char* source, std::optional<std::string> key = std::nullopt) {
    return ClientQuery{&policies, *Address::parse(source), std::move(key)};
}

const char* http = "_http._tcp.hostdomain.com";
const char* smtp = "_smtp._tcp.hostdomain.com";
std::string srv(const char* rdata, const char* owner = "_http._tcp.hostdomain.com.") {
    return std::string(owner) + " 5 IN SRV " + rdata;
}
const char* h121 = "1 100 80 ip4-10-10-10-121.hostdomain.com.";
const char* h122 = "1 100 80 ip4-10-10-10-122.hostdomain.com.";
const char* h123 = "2 100 8080 ip4-10-10-10-123.hostdomain.com.";

}  // namespace

TEST_CASE("policy_view: geography by source address, then by ECS with its scope") {
    Fixture f;
    auto policies = f.policies();
    auto zones = f.client();
    using L = std::vector<std::string>;

    auto eu = from(*policies, "192.0.2.7");
    auto r = test::ask(*zones, {http, KNOT_RRTYPE_SRV}, &eu);
    CHECK(r.answer == L{srv(h121), srv(h123)});
    CHECK_FALSE(r.ecs_scope);  // no ECS asked, none answered

    auto us = from(*policies, "198.51.100.9");
    CHECK(test::ask(*zones, {http, KNOT_RRTYPE_SRV}, &us).answer == L{srv(h122)});

    // A resolver on loopback asking for a client in us: the ECS address decides.
    auto resolver = from(*policies, "127.0.0.1");
    test::Question q{http, KNOT_RRTYPE_SRV};
    q.ecs = "198.51.100.0";
    q.ecs_source = 24;
    r = test::ask(*zones, q, &resolver);
    CHECK(r.answer == L{srv(h122)});
    REQUIRE(r.ecs_scope);
    CHECK(*r.ecs_scope == 24);

    // Nowhere known: every healthy record.
    auto elsewhere = from(*policies, "203.0.113.1");
    CHECK(test::ask(*zones, {http, KNOT_RRTYPE_SRV}, &elsewhere).answer == L{srv(h121), srv(h122), srv(h123)});

    // Without a ClientQuery (the assignment view) the zone answers as it is.
    CHECK(test::ask(*zones, {http, KNOT_RRTYPE_SRV}).answer == L{srv(h121), srv(h122), srv(h123)});
}

TEST_CASE("policy_view: a department by source network and by TSIG key") {
    Fixture f;
    auto policies = f.policies();
    auto zones = f.client();
    using L = std::vector<std::string>;
    auto by_network = from(*policies, "10.1.2.3");
    CHECK(test::ask(*zones, {http, KNOT_RRTYPE_SRV}, &by_network).answer == L{srv(h121)});
    auto by_key = from(*policies, "192.0.2.7", "sales-key");
    CHECK(test::ask(*zones, {http, KNOT_RRTYPE_SRV}, &by_key).answer == L{srv(h121)});
    auto other_key = from(*policies, "192.0.2.7", "other-key");
    CHECK(test::ask(*zones, {http, KNOT_RRTYPE_SRV}, &other_key).answer == L{srv(h121), srv(h123)});
}

TEST_CASE("policy_view: a window switches the answer at its boundary (clock injected)") {
    Fixture f;
    auto policies = f.policies();
    auto zones = f.client();
    using L = std::vector<std::string>;
    auto q = from(*policies, "192.0.2.7");
    const char* s123 = "1 100 23 ip4-10-10-10-123.hostdomain.com.";
    const char* s124 = "2 100 23 ip4-10-10-10-124.hostdomain.com.";
    const L day = {srv(s123, "_smtp._tcp.hostdomain.com."), srv(s124, "_smtp._tcp.hostdomain.com.")};
    const L night = {srv("1 9 23 ip4-10-10-10-124.hostdomain.com.", "_smtp._tcp.hostdomain.com."),
                     srv("1 1 23 ip4-10-10-10-123.hostdomain.com.", "_smtp._tcp.hostdomain.com.")};
    auto sorted = [](L l) {
        std::sort(l.begin(), l.end());
        return l;
    };

    f.now = sys_days{2026y / 11 / 23} + 21h + 59min + 59s;
    CHECK(sorted(test::ask(*zones, {smtp, KNOT_RRTYPE_SRV}, &q).answer) == sorted(day));
    f.now = sys_days{2026y / 11 / 23} + 22h;
    CHECK(sorted(test::ask(*zones, {smtp, KNOT_RRTYPE_SRV}, &q).answer) == sorted(night));
    f.now = sys_days{2026y / 11 / 24} + 5h + 59min;
    CHECK(sorted(test::ask(*zones, {smtp, KNOT_RRTYPE_SRV}, &q).answer) == sorted(night));
    f.now = sys_days{2026y / 11 / 24} + 6h;
    CHECK(sorted(test::ask(*zones, {smtp, KNOT_RRTYPE_SRV}, &q).answer) == sorted(day));
}

TEST_CASE("policy_view: a new snapshot (health changed) is the invalidation") {
    Fixture f;
    using L = std::vector<std::string>;
    auto before = f.policies();
    auto zones = f.client();
    auto eu = from(*before, "192.0.2.7");
    CHECK(test::ask(*zones, {http, KNOT_RRTYPE_SRV}, &eu).answer == L{srv(h121), srv(h123)});
    CHECK(test::ask(*zones, {http, KNOT_RRTYPE_SRV}, &eu).answer == L{srv(h121), srv(h123)});  // cached

    HealthMap health = {{InstanceRef{"hostdomain.com", test::seed_tuples()[0].key}, Health::down}};
    auto after = f.policies(health);
    auto eu_after = from(*after, "192.0.2.7");
    CHECK(test::ask(*f.client(health), {http, KNOT_RRTYPE_SRV}, &eu_after).answer == L{srv(h123)});
    // The old snapshot still answers as it did: readers in flight never see a mix.
    CHECK(test::ask(*zones, {http, KNOT_RRTYPE_SRV}, &eu).answer == L{srv(h121), srv(h123)});
}

TEST_CASE("policy_view: explain names the rule and the facts") {
    Fixture f;
    auto policies = f.policies();
    const PolicyZone* zone = policies->zone("hostdomain.com");
    REQUIRE(zone);
    Querier q{*Address::parse("10.1.2.3"), std::nullopt, std::nullopt, 0};
    std::vector<std::string> facts;
    auto mapped = zone->explain("http", "tcp", q, f.now, std::nullopt, facts);
    REQUIRE(mapped);
    CHECK(mapped->mapping.rule == "sales-http");
    REQUIRE(mapped->mapping.records.size() == 1);
    CHECK(mapped->mapping.records[0].tuple.key.address.str() == "10.10.10.121");
    CHECK(std::find(facts.begin(), facts.end(), "department: sales") != facts.end());
    CHECK(zone->explain("ftp", "tcp", q, f.now, std::nullopt, facts) == nullptr);
}

TEST_CASE("policy_view: ECS that is not tailored is echoed with scope 0; a bad one is FORMERR") {
    Fixture f;
    using L = std::vector<std::string>;
    auto zones = f.client();
    auto none = std::make_shared<const PolicyView>();  // no zone has rules
    auto resolver = from(*none, "127.0.0.1");
    test::Question q{http, KNOT_RRTYPE_SRV};
    q.ecs = "198.51.100.0";
    auto r = test::ask(*zones, q, &resolver);
    CHECK(r.answer == L{srv(h121), srv(h122), srv(h123)});
    REQUIRE(r.ecs_scope);
    CHECK(*r.ecs_scope == 0);  // RFC 7871 §7.2.1: valid for every client

    q.ecs_scope = 8;  // RFC 7871 §7.1.2: SCOPE must be 0 in a query
    r = test::ask(*zones, q, &resolver);
    CHECK(r.rcode == KNOT_RCODE_FORMERR);
    CHECK(r.answer.empty());
    CHECK_FALSE(r.ecs_scope);

    // The assignment view (no ClientQuery) does not read ECS at all.
    r = test::ask(*zones, q);
    CHECK(r.rcode == KNOT_RCODE_NOERROR);
    CHECK_FALSE(r.ecs_scope);
}

TEST_CASE("policy_view: one bucket, one answer made; the facts a rule cannot use do not split buckets") {
    Fixture f;
    auto policies = f.policies();
    const PolicyZone* zone = policies->zone("hostdomain.com");
    REQUIRE(zone);
    knot_dname_storage_t http_owner, smtp_owner;
    REQUIRE(knot_dname_from_str(http_owner, "_http._tcp.hostdomain.com.", sizeof http_owner));
    REQUIRE(knot_dname_from_str(smtp_owner, "_smtp._tcp.hostdomain.com.", sizeof smtp_owner));
    auto querier = [](const char* source) { return Querier{*Address::parse(source), std::nullopt, std::nullopt, 0}; };
    uint8_t scope = 0;

    // HTTP depends on region and department: two sources of one region share an answer.
    auto a = zone->answer(http_owner, querier("192.0.2.7"), scope);
    auto b = zone->answer(http_owner, querier("192.0.2.200"), scope);
    auto c = zone->answer(http_owner, querier("198.51.100.1"), scope);
    REQUIRE(a);
    CHECK(a.get() == b.get());
    CHECK(a.get() != c.get());
    // SMTP depends on the night window only: any source, one answer, until the window moves.
    auto d = zone->answer(smtp_owner, querier("192.0.2.7"), scope);
    auto e = zone->answer(smtp_owner, querier("10.1.2.3"), scope);
    CHECK(scope == 0);  // no geo rule can answer SMTP: valid for every client
    CHECK(d.get() == e.get());
    f.now += 11h;  // 23:00
    auto g = zone->answer(smtp_owner, querier("192.0.2.7"), scope);
    CHECK(g.get() != d.get());
    CHECK(g->mapping.rule == "night-smtp");
    CHECK(zone->answer(http_owner, querier("192.0.2.7"), scope).get() == a.get());  // HTTP has no window rule
}
