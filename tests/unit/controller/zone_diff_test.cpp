// zone_diff and journal: the diff of two builds of the seed zone, its encoding, and the
// chains IXFR takes from the journal.
#include <catch2/catch.hpp>

#include "journal.h"
#include "seed.h"
#include "zone_diff.h"

using namespace patchbay;

namespace {

std::shared_ptr<const Zone> seed_zone(uint32_t serial, std::vector<Tuple> tuples, uint32_t ttl = 60) {
    DnsSettings settings;
    settings.ttl = ttl;
    return build_zone({"hostdomain.com", serial}, tuples, settings);
}

std::vector<Tuple> plus(std::vector<Tuple> tuples, Tuple t) {
    tuples.push_back(std::move(t));
    return tuples;
}

// A diff from serial `from` to `to` with nothing in it but the SOAs.
std::shared_ptr<const ZoneDiff> step(uint32_t from, uint32_t to) {
    auto a = seed_zone(from, {});
    auto b = seed_zone(to, {});
    return diff_zones(*a, *b);
}

}  // namespace

TEST_CASE("zone diff: an added tuple adds its SRV record and its target's address") {
    auto before = seed_zone(7, test::seed_tuples());
    auto after = seed_zone(8, plus(test::seed_tuples(), test::tuple_of("http", "10.10.10.125", "80", "1")));
    auto diff = diff_zones(*before, *after);
    CHECK(diff->serial_from == 7);
    CHECK(diff->serial_to == 8);
    CHECK(knot_soa_serial(diff->soa_from->rrs.rdata) == 7);
    CHECK(knot_soa_serial(diff->soa_to->rrs.rdata) == 8);
    CHECK(diff->removed.empty());
    CHECK(diff->dump() == std::vector<std::string>{
                              "+_http._tcp.hostdomain.com. 60 SRV 1 100 80 ip4-10-10-10-125.hostdomain.com.",
                              "+ip4-10-10-10-125.hostdomain.com. 60 A 10.10.10.125",
                          });

    // The way back removes the same two records.
    auto back = diff_zones(*after, *before);
    CHECK(back->added.empty());
    CHECK(back->dump() == std::vector<std::string>{
                              "-_http._tcp.hostdomain.com. 60 SRV 1 100 80 ip4-10-10-10-125.hostdomain.com.",
                              "-ip4-10-10-10-125.hostdomain.com. 60 A 10.10.10.125",
                          });
}

TEST_CASE("zone diff: changed weights, shared addresses, TTL changes, no change") {
    auto base = test::seed_tuples();
    auto reweighted = base;
    reweighted[0].weight = 5;  // 10.10.10.121 http: the SRV record changes, the A stays
    auto diff = diff_zones(*seed_zone(1, base), *seed_zone(2, reweighted));
    CHECK(diff->dump() == std::vector<std::string>{
                              "-_http._tcp.hostdomain.com. 60 SRV 1 100 80 ip4-10-10-10-121.hostdomain.com.",
                              "+_http._tcp.hostdomain.com. 60 SRV 1 5 80 ip4-10-10-10-121.hostdomain.com.",
                          });

    // Removing the smtp tuple of .123 keeps its A record: http still points there.
    auto fewer = base;
    fewer.erase(fewer.begin() + 3);
    CHECK(diff_zones(*seed_zone(2, base), *seed_zone(3, fewer))->dump() ==
          std::vector<std::string>{"-_smtp._tcp.hostdomain.com. 60 SRV 1 100 23 ip4-10-10-10-123.hostdomain.com."});

    // A TTL change replaces every RRset whole (RFC 2181 §5.2).
    auto ttl = diff_zones(*seed_zone(3, base), *seed_zone(4, base, 30));
    CHECK(ttl->removed.size() == ttl->added.size());
    CHECK(ttl->added.size() == 7);  // NS, two SRV RRsets, four A (no glue without ns_addresses)
    for (const auto& r : ttl->added) CHECK(r->ttl == 30);

    auto same = diff_zones(*seed_zone(4, base), *seed_zone(5, base));
    CHECK(same->removed.empty());
    CHECK(same->added.empty());
}

TEST_CASE("zone diff: the journal encoding round-trips and refuses damage") {
    auto diff = diff_zones(*seed_zone(7, test::seed_tuples()),
                           *seed_zone(8, plus(test::seed_tuples(), test::tuple_of("smtp", "10.10.10.125", "25", "3"))));
    auto removed = encode_removed(*diff);
    auto added = encode_added(*diff);
    auto back = decode_diff(removed, added);
    REQUIRE(back);
    CHECK((*back)->serial_from == 7);
    CHECK((*back)->serial_to == 8);
    CHECK((*back)->dump() == diff->dump());

    CHECK_FALSE(decode_diff(removed.substr(0, removed.size() - 1), added));       // truncated
    CHECK_FALSE(decode_diff("", added));                                            // no SOA
    CHECK(decode_diff(added.substr(encode_rrsets({diff->soa_to.get()}).size()), added).error() ==
          "journal diff has no SOA first");
    CHECK_FALSE(decode_rrsets(std::string("\xff\x01", 2)));                          // bad owner
    auto empty = decode_rrsets("");
    REQUIRE(empty);
    CHECK(empty->empty());
}

TEST_CASE("journal: chains, gaps, bounds and removed zones") {
    JournalLimits limits{3, 1u << 20};
    auto j = std::make_shared<const Journal>();
    for (uint32_t s = 1; s < 5; ++s) j = j->with_diff("hostdomain.com", step(s, s + 1), limits);
    const ZoneJournal* zj = j->find("hostdomain.com");
    REQUIRE(zj != nullptr);
    REQUIRE(zj->diffs.size() == 3);  // 2→3, 3→4, 4→5: 1→2 dropped by the bound
    CHECK(zj->diffs.front()->serial_from == 2);

    struct Row {
        uint32_t from, to;
        std::optional<std::vector<uint32_t>> serials;  // serial_to of each step
    };
    const std::vector<Row> rows = {
        {2, 5, std::vector<uint32_t>{3, 4, 5}},
        {3, 5, std::vector<uint32_t>{4, 5}},
        {4, 5, std::vector<uint32_t>{5}},
        {5, 5, std::vector<uint32_t>{}},
        {1, 5, std::nullopt},  // dropped: fall back to AXFR
        {9, 5, std::nullopt},  // never seen
        {2, 4, std::vector<uint32_t>{3, 4}},
    };
    for (const auto& r : rows) {
        INFO(r.from << "→" << r.to);
        auto chain = journal_chain(*zj, r.from, r.to);
        REQUIRE(chain.has_value() == r.serials.has_value());
        if (!chain) continue;
        std::vector<uint32_t> got;
        for (const auto* d : *chain) got.push_back(d->serial_to);
        CHECK(got == *r.serials);
    }

    // A gap (a diff lost in a crash) breaks chains across it, not those after it.
    auto gapped = j->with_diff("hostdomain.com", step(7, 8), limits);
    CHECK_FALSE(journal_chain(*gapped->find("hostdomain.com"), 3, 8));
    CHECK(journal_chain(*gapped->find("hostdomain.com"), 7, 8));
    // The old value is untouched: journals are immutable once published.
    CHECK(j->find("hostdomain.com")->diffs.size() == 3);

    CHECK(j->without_zone("hostdomain.com")->find("hostdomain.com") == nullptr);
    CHECK(j->find("other.com") == nullptr);

    // The byte bound keeps at least the newest diff.
    JournalLimits tiny{100, 1};
    auto small = std::make_shared<const Journal>()->with_diff("z.com", step(1, 2), tiny)->with_diff("z.com", step(2, 3), tiny);
    REQUIRE(small->find("z.com")->diffs.size() == 1);
    CHECK(small->find("z.com")->diffs[0]->serial_to == 3);
}
