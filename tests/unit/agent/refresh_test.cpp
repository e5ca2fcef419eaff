// One refresh against a scripted DNS (failure injection): complete snapshots only, one
// SOA query when nothing moved, and any failed query fails the whole refresh — which,
// fed to reconcile as "keep the last complete snapshot", stops nothing.
#include <arpa/nameser.h>

#include <catch2/catch.hpp>
#include <deque>
#include <map>

#include "reconcile.h"
#include "refresh.h"
#include "seed.h"

using namespace patchbay;

namespace {

// Answers from a table keyed by "TYPE name"; SOA answers are taken in turn from a list
// (so a test can move the serial between the first and the second SOA query).
class ScriptedDns : public QuerySource {
public:
    std::deque<uint32_t> soa_serials;
    std::map<std::string, QueryResult> table;
    std::vector<std::string> asked;

    void query(const std::string& name, int type, Done done) override {
        std::string key = (type == ns_t_soa ? "SOA " : type == ns_t_srv ? "SRV " : type == ns_t_a ? "A " : "AAAA ") + name;
        asked.push_back(key);
        if (type == ns_t_soa && table.find(key) == table.end()) {
            QueryResult r;
            r.status = QueryStatus::answered;
            r.answer.soa.push_back({name, soa_serials.front()});
            if (soa_serials.size() > 1) soa_serials.pop_front();
            return done(r);
        }
        auto it = table.find(key);
        if (it == table.end()) {
            QueryResult r;
            r.status = QueryStatus::nxdomain;
            return done(r);
        }
        done(it->second);
    }
};

QueryResult srv(std::vector<SrvRecord> records) {
    QueryResult r;
    r.status = QueryStatus::answered;
    for (const auto& rec : records) r.answer.srv.push_back(rec);
    return r;
}

QueryResult a(const char* address) {
    QueryResult r;
    r.status = QueryStatus::answered;
    r.answer.addresses.push_back(*Address::parse(address));
    return r;
}

QueryResult failure(const char* why) {
    QueryResult r;
    r.status = QueryStatus::failed;
    r.error = why;
    return r;
}

// The seed zone as the controller serves it.
ScriptedDns seed_dns() {
    ScriptedDns dns;
    dns.soa_serials = {7};
    dns.table["SRV _http._tcp.hostdomain.com"] = srv({{1, 100, 80, "ip4-10-10-10-121.hostdomain.com"},
                                                      {1, 100, 80, "ip4-10-10-10-122.hostdomain.com"},
                                                      {2, 100, 8080, "ip4-10-10-10-123.hostdomain.com"}});
    dns.table["SRV _smtp._tcp.hostdomain.com"] = srv({{1, 100, 23, "ip4-10-10-10-123.hostdomain.com"},
                                                      {2, 100, 23, "ip4-10-10-10-124.hostdomain.com"}});
    for (const char* n : {"121", "122", "123", "124"}) {
        std::string target = std::string("ip4-10-10-10-") + n + ".hostdomain.com";
        dns.table["A " + target] = a((std::string("10.10.10.") + n).c_str());
        QueryResult nodata;
        nodata.status = QueryStatus::nodata;
        dns.table["AAAA " + target] = nodata;
    }
    return dns;
}

RefreshRequest seed_request(std::optional<uint32_t> applied = std::nullopt) {
    return RefreshRequest{"hostdomain.com", {{"http", "tcp"}, {"smtp", "tcp"}, {"http", "udp"}}, applied, false};
}

RefreshResult run(ScriptedDns& dns, RefreshRequest request) {
    std::optional<RefreshResult> out;
    refresh_domain(dns, std::move(request), [&out](RefreshResult r) { out = std::move(r); });
    REQUIRE(out);
    return *out;
}

// What the agent acts on: key, priority, weight (the SRV target is DNS plumbing).
std::vector<std::tuple<TupleKey, uint16_t, uint16_t>> placements(const std::vector<Tuple>& tuples) {
    std::vector<std::tuple<TupleKey, uint16_t, uint16_t>> out;
    for (const auto& t : tuples) out.emplace_back(t.key, t.priority, t.weight);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("refresh: every query answered at one serial gives the complete seed snapshot") {
    auto dns = seed_dns();
    auto r = run(dns, seed_request());
    REQUIRE(r.kind == RefreshResult::Kind::fetched);
    CHECK(r.serial == 7);
    CHECK(placements(r.tuples) == placements(test::seed_tuples()));
    // SOA, 3 SRV (_http._udp is NXDOMAIN: really nothing), A+AAAA for 4 targets, SOA.
    CHECK(r.queries == 1 + 3 + 8 + 1);
    CHECK(dns.asked.front() == "SOA hostdomain.com");
    CHECK(dns.asked.back() == "SOA hostdomain.com");
}

TEST_CASE("refresh: an unmoved serial costs one SOA query") {
    auto dns = seed_dns();
    auto r = run(dns, seed_request(7));
    CHECK(r.kind == RefreshResult::Kind::unchanged);
    CHECK(dns.asked == std::vector<std::string>{"SOA hostdomain.com"});
    auto forced = seed_request(7);
    forced.force = true;  // local addresses changed
    CHECK(run(dns, forced).kind == RefreshResult::Kind::fetched);
}

TEST_CASE("refresh: one failed query fails the refresh, naming it; reconcile then stops nothing") {
    struct Row {
        const char* key;
        QueryResult result;
        const char* says;
    };
    const std::vector<Row> rows = {
        {"SRV _smtp._tcp.hostdomain.com", failure("timeout"), "SRV _smtp._tcp.hostdomain.com: timeout"},
        {"A ip4-10-10-10-124.hostdomain.com", failure("SERVFAIL"), "A ip4-10-10-10-124.hostdomain.com: SERVFAIL"},
        {"AAAA ip4-10-10-10-121.hostdomain.com", failure("REFUSED"), "AAAA ip4-10-10-10-121.hostdomain.com: REFUSED"},
        {"SOA hostdomain.com", failure("timeout"), "SOA hostdomain.com: timeout"},
    };
    const std::vector<CatalogEntry> catalog = {{"http", "patchbay-http@.service"}, {"smtp", "patchbay-smtp@.service"}};
    const std::vector<Address> here = {*Address::parse("10.10.10.123")};
    // What runs on .123 after the last complete snapshot.
    auto before = reconcile({{"hostdomain.com", test::seed_tuples()}}, here, catalog, {});
    std::vector<RunningInstance> running;
    for (const auto& act : before.start) running.push_back({act.unit, act.key});
    REQUIRE(running.size() == 2);

    for (const auto& row : rows) {
        INFO(row.says);
        auto dns = seed_dns();
        dns.soa_serials = {8};  // the zone moved on; the fetch is needed
        dns.table[row.key] = row.result;
        auto r = run(dns, seed_request(7));
        REQUIRE(r.kind == RefreshResult::Kind::failed);
        CHECK_THAT(r.error, Catch::Contains(row.says));
        // The agent keeps the last complete snapshot of the domain.
        auto plan = reconcile({{"hostdomain.com", test::seed_tuples()}}, here, catalog, running);
        CHECK(plan.stop.empty());
        CHECK(plan.start.empty());
    }
}

TEST_CASE("refresh: a serial that moves during the fetch or goes backwards is not a snapshot") {
    auto moving = seed_dns();
    moving.soa_serials = {8, 9};
    auto r = run(moving, seed_request(7));
    REQUIRE(r.kind == RefreshResult::Kind::failed);
    CHECK_THAT(r.error, Catch::Contains("moved from 8 to 9"));

    auto older = seed_dns();
    older.soa_serials = {6};
    auto back = run(older, seed_request(7));
    REQUIRE(back.kind == RefreshResult::Kind::failed);
    CHECK_THAT(back.error, Catch::Contains("lower than the applied serial 7"));
    CHECK(older.asked.size() == 1);
}
