// resolve: answers from a zone holding more than tuples (CNAME, delegations, wildcards,
// MX), section by section. The expectations are what Knot 3.2 answers for the same zone
// (knotd on loopback, queried with kdig), except where a row says otherwise.
#include <catch2/catch.hpp>

#include "dns_client.h"
#include "example_zone.h"
#include "zone_text.h"

using namespace patchbay;
using test::ask;

namespace {

using V = std::vector<std::string>;

std::shared_ptr<const ZoneSet> example_zones() {
    auto zone = zone_from_text("example.com", test::example_zone);
    REQUIRE(zone.ok());
    return std::make_shared<const ZoneSet>(std::vector<std::shared_ptr<const Zone>>{*zone});
}

const std::string soa =
    "example.com. 60 IN SOA ns.example.com. hostmaster.example.com. 7 3600 600 604800 60";

struct Row {
    const char* what;
    const char* name;
    uint16_t type;
    uint16_t rcode;
    bool aa;
    V answer, authority, additional;
};

void check(const std::vector<Row>& rows) {
    auto zones = example_zones();
    for (const auto& row : rows) {
        INFO(row.what << " (" << row.name << " type " << row.type << ")");
        auto r = ask(*zones, {.name = row.name, .type = row.type});
        CHECK(r.rcode == row.rcode);
        CHECK(r.aa == row.aa);
        CHECK_FALSE(r.tc);
        CHECK(r.answer == row.answer);
        CHECK(r.authority == row.authority);
        CHECK(r.additional == row.additional);
    }
}

}  // namespace

TEST_CASE("resolve: CNAME chains within the zone (RFC 1034 §4.3.2, RFC 6604)") {
    check({
        {"CNAME followed to an address (RFC 1034 §3.6.2)",
         "www.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{
             "www.example.com. 60 IN CNAME web.example.com.",
             "web.example.com. 60 IN A 192.0.2.80"},
         V{},
         V{}},
        {"a CNAME query gets the CNAME itself",
         "www.example.com.", KNOT_RRTYPE_CNAME, KNOT_RCODE_NOERROR, true,
         V{"www.example.com. 60 IN CNAME web.example.com."},
         V{},
         V{}},
        {"CNAME to a name without the type: NODATA after the CNAME",
         "www.example.com.", KNOT_RRTYPE_AAAA, KNOT_RCODE_NOERROR, true,
         V{"www.example.com. 60 IN CNAME web.example.com."},
         V{soa},
         V{}},
        {"ANY at a CNAME: the CNAME, not followed",
         "www.example.com.", KNOT_RRTYPE_ANY, KNOT_RCODE_NOERROR, true,
         V{"www.example.com. 60 IN CNAME web.example.com."},
         V{},
         V{}},
        {"a chain of two CNAMEs",
         "alias.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{
             "alias.example.com. 60 IN CNAME www.example.com.",
             "www.example.com. 60 IN CNAME web.example.com.",
             "web.example.com. 60 IN A 192.0.2.80"},
         V{},
         V{}},
        {"chain ending at a missing name: NXDOMAIN (RFC 6604)",
         "dangling.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NXDOMAIN, true,
         V{"dangling.example.com. 60 IN CNAME nothere.example.com."},
         V{soa},
         V{}},
        {"chain leaving the zone: stops at the edge",
         "out.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{"out.example.com. 60 IN CNAME www.example.net."},
         V{},
         V{}},
        {"chain ending in NODATA",
         "tonodata.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{"tonodata.example.com. 60 IN CNAME txt.example.com."},
         V{soa},
         V{}},
        {"CNAME loop: each CNAME once",
         "loop1.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{
             "loop1.example.com. 60 IN CNAME loop2.example.com.",
             "loop2.example.com. 60 IN CNAME loop1.example.com."},
         V{},
         V{}},
        {"CNAME to itself",
         "self.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{"self.example.com. 60 IN CNAME self.example.com."},
         V{},
         V{}},
        {"long chain: five CNAMEs at most",
         "c1.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{
             "c1.example.com. 60 IN CNAME c2.example.com.",
             "c2.example.com. 60 IN CNAME c3.example.com.",
             "c3.example.com. 60 IN CNAME c4.example.com.",
             "c4.example.com. 60 IN CNAME c5.example.com.",
             "c5.example.com. 60 IN CNAME c6.example.com."},
         V{},
         V{}},
        {"five CNAMEs, then the final answer",
         "c2.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{
             "c2.example.com. 60 IN CNAME c3.example.com.",
             "c3.example.com. 60 IN CNAME c4.example.com.",
             "c4.example.com. 60 IN CNAME c5.example.com.",
             "c5.example.com. 60 IN CNAME c6.example.com.",
             "c6.example.com. 60 IN CNAME c7.example.com.",
             "c7.example.com. 60 IN A 192.0.2.7"},
         V{},
         V{}},
        {"five CNAMEs, then NODATA",
         "c2.example.com.", KNOT_RRTYPE_MX, KNOT_RCODE_NOERROR, true,
         V{
             "c2.example.com. 60 IN CNAME c3.example.com.",
             "c3.example.com. 60 IN CNAME c4.example.com.",
             "c4.example.com. 60 IN CNAME c5.example.com.",
             "c5.example.com. 60 IN CNAME c6.example.com.",
             "c6.example.com. 60 IN CNAME c7.example.com."},
         V{soa},
         V{}},
    });
}

TEST_CASE("resolve: referrals at zone cuts, DS from the parent (RFC 1034 §4.3.2 3b)") {
    check({
        {"referral at the cut: NS in authority, in-zone glue, AA clear",
         "sub.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, false,
         V{},
         V{
             "sub.example.com. 60 IN NS ns.other.net.",
             "sub.example.com. 60 IN NS ns1.sub.example.com."},
         V{
             "ns1.sub.example.com. 60 IN A 192.0.2.100",
             "ns1.sub.example.com. 60 IN AAAA 2001:db8::100"}},
        {"NS at the cut is the child's: referral",
         "sub.example.com.", KNOT_RRTYPE_NS, KNOT_RCODE_NOERROR, false,
         V{},
         V{
             "sub.example.com. 60 IN NS ns.other.net.",
             "sub.example.com. 60 IN NS ns1.sub.example.com."},
         V{
             "ns1.sub.example.com. 60 IN A 192.0.2.100",
             "ns1.sub.example.com. 60 IN AAAA 2001:db8::100"}},
        {"ANY at the cut: referral",
         "sub.example.com.", KNOT_RRTYPE_ANY, KNOT_RCODE_NOERROR, false,
         V{},
         V{
             "sub.example.com. 60 IN NS ns.other.net.",
             "sub.example.com. 60 IN NS ns1.sub.example.com."},
         V{
             "ns1.sub.example.com. 60 IN A 192.0.2.100",
             "ns1.sub.example.com. 60 IN AAAA 2001:db8::100"}},
        {"DS at the cut is the parent's: authoritative answer",
         "sub.example.com.", KNOT_RRTYPE_DS, KNOT_RCODE_NOERROR, true,
         V{
             "sub.example.com. 60 IN DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"},
         V{},
         V{}},
        {"glue is never an authoritative answer: referral",
         "ns1.sub.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, false,
         V{},
         V{
             "sub.example.com. 60 IN NS ns.other.net.",
             "sub.example.com. 60 IN NS ns1.sub.example.com."},
         V{
             "ns1.sub.example.com. 60 IN A 192.0.2.100",
             "ns1.sub.example.com. 60 IN AAAA 2001:db8::100"}},
        {"DS below the cut: referral",
         "ns1.sub.example.com.", KNOT_RRTYPE_DS, KNOT_RCODE_NOERROR, false,
         V{},
         V{
             "sub.example.com. 60 IN NS ns.other.net.",
             "sub.example.com. 60 IN NS ns1.sub.example.com."},
         V{
             "ns1.sub.example.com. 60 IN A 192.0.2.100",
             "ns1.sub.example.com. 60 IN AAAA 2001:db8::100"}},
        {"missing name below a cut: referral",
         "host.sub.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, false,
         V{},
         V{
             "sub.example.com. 60 IN NS ns.other.net.",
             "sub.example.com. 60 IN NS ns1.sub.example.com."},
         V{
             "ns1.sub.example.com. 60 IN A 192.0.2.100",
             "ns1.sub.example.com. 60 IN AAAA 2001:db8::100"}},
        {"a cut below a cut: the highest cut refers",
         "deep.in.sub.example.com.", KNOT_RRTYPE_DS, KNOT_RCODE_NOERROR, false,
         V{},
         V{
             "sub.example.com. 60 IN NS ns.other.net.",
             "sub.example.com. 60 IN NS ns1.sub.example.com."},
         V{
             "ns1.sub.example.com. 60 IN A 192.0.2.100",
             "ns1.sub.example.com. 60 IN AAAA 2001:db8::100"}},
        {"below a cut below a cut: the highest cut refers",
         "x.deep.in.sub.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, false,
         V{},
         V{
             "sub.example.com. 60 IN NS ns.other.net.",
             "sub.example.com. 60 IN NS ns1.sub.example.com."},
         V{
             "ns1.sub.example.com. 60 IN A 192.0.2.100",
             "ns1.sub.example.com. 60 IN AAAA 2001:db8::100"}},
        {"empty non-terminal below a cut: referral",
         "in.sub.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, false,
         V{},
         V{
             "sub.example.com. 60 IN NS ns.other.net.",
             "sub.example.com. 60 IN NS ns1.sub.example.com."},
         V{
             "ns1.sub.example.com. 60 IN A 192.0.2.100",
             "ns1.sub.example.com. 60 IN AAAA 2001:db8::100"}},
        {"a CNAME below a cut is not followed: referral",
         "cn.sub.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, false,
         V{},
         V{
             "sub.example.com. 60 IN NS ns.other.net.",
             "sub.example.com. 60 IN NS ns1.sub.example.com."},
         V{
             "ns1.sub.example.com. 60 IN A 192.0.2.100",
             "ns1.sub.example.com. 60 IN AAAA 2001:db8::100"}},
        {"nor answered: referral",
         "cn.sub.example.com.", KNOT_RRTYPE_CNAME, KNOT_RCODE_NOERROR, false,
         V{},
         V{
             "sub.example.com. 60 IN NS ns.other.net.",
             "sub.example.com. 60 IN NS ns1.sub.example.com."},
         V{
             "ns1.sub.example.com. 60 IN A 192.0.2.100",
             "ns1.sub.example.com. 60 IN AAAA 2001:db8::100"}},
        {"a wildcard below a cut synthesizes nothing: referral",
         "x.sub.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, false,
         V{},
         V{
             "sub.example.com. 60 IN NS ns.other.net.",
             "sub.example.com. 60 IN NS ns1.sub.example.com."},
         V{
             "ns1.sub.example.com. 60 IN A 192.0.2.100",
             "ns1.sub.example.com. 60 IN AAAA 2001:db8::100"}},
        {"nor is it answered by name: referral",
         "*.sub.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, false,
         V{},
         V{
             "sub.example.com. 60 IN NS ns.other.net.",
             "sub.example.com. 60 IN NS ns1.sub.example.com."},
         V{
             "ns1.sub.example.com. 60 IN A 192.0.2.100",
             "ns1.sub.example.com. 60 IN AAAA 2001:db8::100"}},
        {"DS at a cut without DS: NODATA from the parent",
         "nods.example.com.", KNOT_RRTYPE_DS, KNOT_RCODE_NOERROR, true,
         V{},
         V{soa},
         V{}},
        {"referral with one glue address",
         "nods.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, false,
         V{},
         V{"nods.example.com. 60 IN NS ns1.nods.example.com."},
         V{"ns1.nods.example.com. 60 IN A 192.0.2.101"}},
        {"CNAME into a delegation: CNAME, then the referral, AA kept",
         "tosub.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{"tosub.example.com. 60 IN CNAME host.sub.example.com."},
         V{
             "sub.example.com. 60 IN NS ns.other.net.",
             "sub.example.com. 60 IN NS ns1.sub.example.com."},
         V{
             "ns1.sub.example.com. 60 IN A 192.0.2.100",
             "ns1.sub.example.com. 60 IN AAAA 2001:db8::100"}},
    });
}

TEST_CASE("resolve: wildcards through the closest encloser (RFC 4592)") {
    check({
        {"wildcard synthesis, owner rewritten (RFC 4592)",
         "foo.wild.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{"foo.wild.example.com. 60 IN A 192.0.2.200"},
         V{},
         V{}},
        {"wildcard synthesis of another type",
         "foo.wild.example.com.", KNOT_RRTYPE_TXT, KNOT_RCODE_NOERROR, true,
         V{"foo.wild.example.com. 60 IN TXT \"wild\""},
         V{},
         V{}},
        {"wildcard NODATA",
         "foo.wild.example.com.", KNOT_RRTYPE_AAAA, KNOT_RCODE_NOERROR, true,
         V{},
         V{soa},
         V{}},
        {"ANY synthesized from the wildcard: one RRset",
         "foo.wild.example.com.", KNOT_RRTYPE_ANY, KNOT_RCODE_NOERROR, true,
         V{"foo.wild.example.com. 60 IN A 192.0.2.200"},
         V{},
         V{}},
        {"wildcard covers more than one label",
         "x.y.wild.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{"x.y.wild.example.com. 60 IN A 192.0.2.200"},
         V{},
         V{}},
        {"an existing name is not synthesized",
         "exists.wild.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{"exists.wild.example.com. 60 IN A 192.0.2.201"},
         V{},
         V{}},
        {"an existing name blocks the wildcard: NODATA",
         "exists.wild.example.com.", KNOT_RRTYPE_TXT, KNOT_RCODE_NOERROR, true,
         V{},
         V{soa},
         V{}},
        {"an empty non-terminal is the closest encloser: no *.b.wild, NXDOMAIN",
         "x.b.wild.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NXDOMAIN, true,
         V{},
         V{soa},
         V{}},
        {"empty non-terminal under the wildcard's parent: NODATA",
         "b.wild.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{},
         V{soa},
         V{}},
        {"the wildcard asked for by name",
         "*.wild.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{"*.wild.example.com. 60 IN A 192.0.2.200"},
         V{},
         V{}},
        {"the wildcard's parent: NODATA",
         "wild.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{},
         V{soa},
         V{}},
        {"CNAME to a wildcard-synthesized name",
         "towild.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{
             "towild.example.com. 60 IN CNAME foo.wild.example.com.",
             "foo.wild.example.com. 60 IN A 192.0.2.200"},
         V{},
         V{}},
        {"CNAME at a wildcard, followed",
         "q.cw.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{
             "q.cw.example.com. 60 IN CNAME web.example.com.",
             "web.example.com. 60 IN A 192.0.2.80"},
         V{},
         V{}},
        {"CNAME at a wildcard, asked for",
         "q.cw.example.com.", KNOT_RRTYPE_CNAME, KNOT_RCODE_NOERROR, true,
         V{"q.cw.example.com. 60 IN CNAME web.example.com."},
         V{},
         V{}},
        {"wildcard CNAME loop",
         "q.wl.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NOERROR, true,
         V{
             "q.wl.example.com. 60 IN CNAME x.wl.example.com.",
             "x.wl.example.com. 60 IN CNAME x.wl.example.com."},
         V{},
         V{}},
        {"wildcard MX with the exchange's addresses",
         "a.wmx.example.com.", KNOT_RRTYPE_MX, KNOT_RCODE_NOERROR, true,
         V{"a.wmx.example.com. 60 IN MX 10 mail.example.com."},
         V{},
         V{
             "mail.example.com. 60 IN A 192.0.2.25",
             "mail.example.com. 60 IN AAAA 2001:db8::25"}},
    });
}

TEST_CASE("resolve: addresses of NS, MX and SRV targets as additional data") {
    check({
        {"MX: the in-zone exchange's addresses in additional",
         "example.com.", KNOT_RRTYPE_MX, KNOT_RCODE_NOERROR, true,
         V{
             "example.com. 60 IN MX 10 mail.example.com.",
             "example.com. 60 IN MX 20 mx.elsewhere.net."},
         V{},
         V{
             "mail.example.com. 60 IN A 192.0.2.25",
             "mail.example.com. 60 IN AAAA 2001:db8::25"}},
        {"NS at the apex: authoritative, with glue",
         "example.com.", KNOT_RRTYPE_NS, KNOT_RCODE_NOERROR, true,
         V{"example.com. 60 IN NS ns.example.com."},
         V{},
         V{"ns.example.com. 60 IN A 192.0.2.53"}},
        {"additional address synthesized from a wildcard",
         "mxw.example.com.", KNOT_RRTYPE_MX, KNOT_RCODE_NOERROR, true,
         V{"mxw.example.com. 60 IN MX 10 host.wild.example.com."},
         V{},
         V{"host.wild.example.com. 60 IN A 192.0.2.200"}},
        {"additional address from glue below a cut",
         "mxglue.example.com.", KNOT_RRTYPE_MX, KNOT_RCODE_NOERROR, true,
         V{"mxglue.example.com. 60 IN MX 10 ns1.sub.example.com."},
         V{},
         V{
             "ns1.sub.example.com. 60 IN A 192.0.2.100",
             "ns1.sub.example.com. 60 IN AAAA 2001:db8::100"}},
        {"SRV target's address in additional",
         "srv.example.com.", KNOT_RRTYPE_SRV, KNOT_RCODE_NOERROR, true,
         V{"srv.example.com. 60 IN SRV 1 1 80 web.example.com."},
         V{},
         V{"web.example.com. 60 IN A 192.0.2.80"}},
        {"SRV target synthesized from a wildcard",
         "srvw.example.com.", KNOT_RRTYPE_SRV, KNOT_RCODE_NOERROR, true,
         V{"srvw.example.com. 60 IN SRV 0 0 80 h.wild.example.com."},
         V{},
         V{"h.wild.example.com. 60 IN A 192.0.2.200"}},
        // Knot repeats the addresses for each mention, and lower-cases RDATA names; we
        // put each RRset once and keep the case as written. libknot compresses names
        // case-insensitively, so the owner points at the last spelling.
        {"one host named twice: its addresses once",
         "dup.example.com.", KNOT_RRTYPE_MX, KNOT_RCODE_NOERROR, true,
         V{
             "dup.example.com. 60 IN MX 10 mail.example.com.",
             "dup.example.com. 60 IN MX 20 MAIL.example.com."},
         V{},
         V{
             "MAIL.example.com. 60 IN A 192.0.2.25",
             "MAIL.example.com. 60 IN AAAA 2001:db8::25"}},
    });
}

TEST_CASE("resolve: DNAME is an ordinary type, and plain NXDOMAIN") {
    check({
        {"DNAME is an ordinary type",
         "dn.example.com.", KNOT_RRTYPE_DNAME, KNOT_RCODE_NOERROR, true,
         V{"dn.example.com. 60 IN DNAME example.net."},
         V{},
         V{}},
        // Knot synthesizes a CNAME (RFC 6672); we do not implement DNAME.
        {"no DNAME synthesis: NXDOMAIN",
         "x.dn.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NXDOMAIN, true,
         V{},
         V{soa},
         V{}},
        {"NXDOMAIN",
         "nothere.example.com.", KNOT_RRTYPE_A, KNOT_RCODE_NXDOMAIN, true,
         V{},
         V{soa},
         V{}},
    });
}

TEST_CASE("resolve: the question's case is kept, synthesized names included") {
    auto zones = example_zones();
    struct Row {
        const char* name;
        V answer, authority;
    };
    const Row rows[] = {
        {"FoO.Wild.Example.COM.", V{"FoO.Wild.Example.COM. 60 IN A 192.0.2.200"}, V{}},
        {"WWW.example.com.",
         V{"WWW.example.com. 60 IN CNAME web.example.com.", "web.example.com. 60 IN A 192.0.2.80"}, V{}},
        {"TOWILD.example.com.",
         V{"TOWILD.example.com. 60 IN CNAME foo.wild.example.com.", "foo.wild.example.com. 60 IN A 192.0.2.200"},
         V{}},
        {"Q.CW.example.com.",
         V{"Q.CW.example.com. 60 IN CNAME web.example.com.", "web.example.com. 60 IN A 192.0.2.80"}, V{}},
        // The cut's name is a suffix of the question: compressed to it, in its case.
        {"HOST.Sub.example.com.", V{},
         V{"Sub.example.com. 60 IN NS ns.other.net.", "Sub.example.com. 60 IN NS ns1.sub.example.com."}},
    };
    for (const auto& row : rows) {
        INFO(row.name);
        auto r = ask(*zones, {.name = row.name, .type = KNOT_RRTYPE_A});
        CHECK(r.question == row.name);
        CHECK(r.answer == row.answer);
        CHECK(r.authority == row.authority);
    }
}

TEST_CASE("resolve: whole RRsets over UDP; TC for glue a referral needs, not for optional data") {
    // Eight hosts with four addresses each: their glue is far more than 512 bytes.
    std::string text = "$TTL 60\n@ SOA ns hostmaster 1 3600 600 604800 60\n@ NS ns\nns A 192.0.2.53\n";
    for (int i = 1; i <= 8; ++i) {
        std::string n = std::to_string(i);
        text += "big NS ns" + n + ".big\n";               // in-domain glue: required
        text += "side NS h" + n + "\n";                   // sibling glue: optional
        text += "bigmx MX " + n + " h" + n + "\n";        // MX exchanges: optional
        for (int k = 1; k <= 4; ++k) {
            text += "ns" + n + ".big AAAA 2001:db8::" + n + ":" + std::to_string(k) + "\n";
            text += "h" + n + " AAAA 2001:db8::" + n + ":" + std::to_string(k) + "\n";
        }
    }
    text += "tomany CNAME many\n";
    for (int i = 1; i <= 40; ++i) text += "many A 198.51.100." + std::to_string(i) + "\n";
    auto zone = zone_from_text("example.com", text);
    REQUIRE(zone.ok());
    ZoneSet zones({*zone});

    struct Row {
        const char* what;
        const char* name;
        Transport transport;
        bool tc;
        size_t answer, authority, min_additional, max_additional;
    };
    const Row rows[] = {
        {"referral, glue cut short: TC", "www.big.example.com.", Transport::udp, true, 0, 8, 0, 31},
        {"referral over TCP: all glue", "www.big.example.com.", Transport::tcp, false, 0, 8, 32, 32},
        {"referral with sibling glue cut short: no TC", "www.side.example.com.", Transport::udp, false, 0, 8, 1, 31},
        {"MX with exchanges cut short: no TC", "bigmx.example.com.", Transport::udp, false, 8, 0, 1, 31},
        {"MX over TCP: every exchange", "bigmx.example.com.", Transport::tcp, false, 8, 0, 32, 32},
        {"CNAME, then an RRset too big: TC after the CNAME", "tomany.example.com.", Transport::udp, true, 1, 0, 0, 0},
        {"CNAME and the RRset over TCP", "tomany.example.com.", Transport::tcp, false, 41, 0, 0, 0},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        uint16_t type = std::string(row.name).starts_with("bigmx") ? KNOT_RRTYPE_MX : KNOT_RRTYPE_A;
        auto r = ask(zones, {.name = row.name, .type = type, .transport = row.transport});
        CHECK(r.tc == row.tc);
        if (row.transport == Transport::udp) CHECK(r.size <= 512);
        CHECK(r.answer.size() == row.answer);
        CHECK(r.authority.size() == row.authority);
        CHECK(r.additional.size() >= row.min_additional);
        CHECK(r.additional.size() <= row.max_additional);
    }
}
