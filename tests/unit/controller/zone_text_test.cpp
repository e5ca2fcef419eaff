// zone_text: zones from presentation-format records, and what Zone marks in them.
#include <catch2/catch.hpp>

#include <algorithm>

#include "zone_text.h"

using namespace patchbay;

namespace {

const char* const small_zone = R"(
$TTL 300
@          SOA   ns hostmaster 9 3600 600 604800 60
@          NS    ns
ns         A     192.0.2.53
www   120  CNAME web
web        A     192.0.2.80
web        A     192.0.2.81
a.b.c      TXT   "deep"
sub        NS    ns.sub
ns.sub     A     192.0.2.100
x.sub      A     192.0.2.101
*.wild     A     192.0.2.200
)";

}  // namespace

TEST_CASE("zone_text: records, RRsets, TTLs and the serial") {
    auto zone = zone_from_text("Example.COM.", small_zone);
    REQUIRE(zone.ok());
    const Zone& z = **zone;
    CHECK(z.name() == "example.com");
    CHECK(z.serial() == 9);
    auto lines = z.dump();
    for (const char* line : {
             "example.com. 300 IN SOA ns.example.com. hostmaster.example.com. 9 3600 600 604800 60",
             "www.example.com. 120 IN CNAME web.example.com.",
             "web.example.com. 300 IN A 192.0.2.80",
             "web.example.com. 300 IN A 192.0.2.81",
             "a.b.c.example.com. 300 IN TXT \"deep\"",
         }) {
        INFO(line);
        CHECK(std::find(lines.begin(), lines.end(), line) != lines.end());
    }
    CHECK(lines.size() == 11);
    REQUIRE(z.find("web.example.com") != nullptr);
    CHECK(z.find("web.example.com")->rrsets.size() == 1);  // two records, one RRset
    // Empty non-terminals exist.
    REQUIRE(z.find("b.c.example.com") != nullptr);
    CHECK(z.find("b.c.example.com")->rrsets.empty());
    CHECK(z.find("c.example.com") != nullptr);
    CHECK(z.find("nope.example.com") == nullptr);
}

TEST_CASE("zone_text: zone cuts and wildcards are marked once, when the zone is built") {
    auto zone = zone_from_text("example.com", small_zone);
    REQUIRE(zone.ok());
    const Zone& z = **zone;
    const knot_rrset_t* cut = z.find("sub.example.com")->find(KNOT_RRTYPE_NS);
    REQUIRE(cut != nullptr);
    struct Row {
        const char* name;
        bool below_cut;
    };
    const Row rows[] = {
        {"example.com", false},  // NS at the apex is no cut
        {"ns.example.com", false},
        {"sub.example.com", true},
        {"ns.sub.example.com", true},
        {"x.sub.example.com", true},
        {"*.wild.example.com", false},
    };
    for (const auto& row : rows) {
        INFO(row.name);
        const ZoneNode* node = z.find(row.name);
        REQUIRE(node != nullptr);
        CHECK(node->delegation == (row.below_cut ? cut : nullptr));
    }
    CHECK(z.find("wild.example.com")->wildcard == z.find("*.wild.example.com"));
    CHECK(z.find("example.com")->wildcard == nullptr);
    CHECK(z.find("sub.example.com")->wildcard == nullptr);
    CHECK(z.has_cuts_or_wildcards());

    auto plain = zone_from_text("example.com", "@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n");
    REQUIRE(plain.ok());
    CHECK_FALSE((*plain)->has_cuts_or_wildcards());
    auto cut_only = zone_from_text("example.com", "@ SOA ns hostmaster 1 2 3 4 5\nsub NS ns.sub\n");
    REQUIRE(cut_only.ok());
    CHECK((*cut_only)->has_cuts_or_wildcards());
}

TEST_CASE("zone_text: errors are values with a reason") {
    struct Row {
        const char* what;
        const char* name;
        const char* text;
        const char* reason;
    };
    const Row rows[] = {
        {"syntax error", "example.com", "@ SOA ns hostmaster 1 2 3 4 5\nwww A not-an-address\n", "line 2"},
        {"no SOA", "example.com", "www A 192.0.2.1\n", "no SOA"},
        {"SOA below the apex only", "example.com", "www SOA ns hostmaster 1 2 3 4 5\n", "no SOA"},
        {"record outside the zone", "example.com",
         "@ SOA ns hostmaster 1 2 3 4 5\nwww.example.net. A 192.0.2.1\n", "outside the zone"},
        {"class other than IN (the scanner knows IN only)", "example.com",
         "@ SOA ns hostmaster 1 2 3 4 5\nwww CH A 192.0.2.1\n", "line 2"},
        {"$INCLUDE", "example.com", "$INCLUDE /etc/passwd\n", "$INCLUDE"},
        {"bad zone name", "", "", "not a zone name"},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        auto zone = zone_from_text(row.name, row.text);
        REQUIRE_FALSE(zone.ok());
        INFO(zone.error());
        CHECK(zone.error().find(row.reason) != std::string::npos);
    }
}
