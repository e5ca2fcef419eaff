// RFC 2136 UPDATE evaluated against a zone: prerequisites, prescan, additions and
// deletions, and the tuples that come out of the new records.
#include <catch2/catch.hpp>

#include "seed.h"
#include "update.h"
#include "zone_content.h"
#include "zonefile.h"
#include "update_packet.h"

using namespace patchbay;
using namespace patchbay::test;

namespace {

DnsSettings settings() { return DnsSettings{60, {*Address::parse("127.0.0.1")}}; }

// The seed zone plus an MX and a TXT.
std::shared_ptr<const Zone> seed_zone() {
    auto file = parse_zone_file("@ SOA a. b. 9 1 1 1 1\n@ MX 10 mail\nmail A 192.0.2.25\ntxt TXT \"one\"\n",
                                "hostdomain.com", "t");
    REQUIRE(file);
    return build_zone({"hostdomain.com", 9, file->records}, test::seed_tuples(), settings());
}

// The outcome's records as content: tuples and other records.
ZoneContent content_of(const UpdateOutcome& outcome) {
    REQUIRE(outcome.records);
    auto content = split_records("hostdomain.com", *outcome.records, settings());
    REQUIRE(content);
    return *content;
}

bool has_tuple(const ZoneContent& c, const std::string& key) {
    for (const auto& t : c.tuples)
        if (t.key.str() == key) return true;
    return false;
}

}  // namespace

TEST_CASE("update: adding an SRV and its address places a tuple") {
    auto zone = seed_zone();
    Update u({}, {{"_sip._udp.hostdomain.com", IN, KNOT_RRTYPE_SRV, 60, "1 100 5060 ip4-10-10-10-125.hostdomain.com."},
                  {"ip4-10-10-10-125.hostdomain.com", IN, KNOT_RRTYPE_A, 60, "10.10.10.125"}});
    auto outcome = evaluate_update(*zone, u.parsed);
    CHECK(outcome.rcode == KNOT_RCODE_NOERROR);
    auto c = content_of(outcome);
    CHECK(has_tuple(c, "sip/udp 10.10.10.125:5060"));
    CHECK(c.tuples.size() == test::seed_tuples().size() + 1);
    CHECK(c.records.size() == 3);  // MX, mail A, TXT kept
}

TEST_CASE("update: deleting a tuple's SRV record removes the tuple") {
    auto zone = seed_zone();
    Update u({}, {{"_smtp._tcp.hostdomain.com", NONE, KNOT_RRTYPE_SRV, 0, "1 100 23 ip4-10-10-10-123.hostdomain.com."}});
    auto outcome = evaluate_update(*zone, u.parsed);
    CHECK(outcome.rcode == KNOT_RCODE_NOERROR);
    auto c = content_of(outcome);
    CHECK_FALSE(has_tuple(c, "smtp/tcp 10.10.10.123:23"));
    CHECK(has_tuple(c, "smtp/tcp 10.10.10.124:23"));
}

TEST_CASE("update: deleting an RRset, a name, and the rules that protect the zone") {
    auto zone = seed_zone();
    SECTION("RRset") {
        Update u({}, {{"_http._tcp.hostdomain.com", ANY, KNOT_RRTYPE_SRV, 0, ""}});
        auto c = content_of(evaluate_update(*zone, u.parsed));
        CHECK(c.tuples.size() == 2);  // smtp only
    }
    SECTION("all of a name") {
        Update u({}, {{"txt.hostdomain.com", ANY, KNOT_RRTYPE_ANY, 0, ""}});
        auto c = content_of(evaluate_update(*zone, u.parsed));
        CHECK(c.records.size() == 2);
    }
    SECTION("the apex keeps its SOA and NS; SOA updates are ignored") {
        Update u({}, {{"hostdomain.com", ANY, KNOT_RRTYPE_ANY, 0, ""},
                      {"hostdomain.com", IN, KNOT_RRTYPE_SOA, 60, "a. b. 99 1 1 1 1"},
                      {"hostdomain.com", NONE, KNOT_RRTYPE_NS, 0, "ns.hostdomain.com."}});
        auto outcome = evaluate_update(*zone, u.parsed);
        CHECK(outcome.rcode == KNOT_RCODE_NOERROR);
        auto c = content_of(outcome);
        // The MX at the apex went; the tuples and the rest stayed.
        CHECK(c.records.size() == 2);
        CHECK(c.tuples.size() == test::seed_tuples().size());
    }
    SECTION("a CNAME does not join other data, other data does not join a CNAME") {
        Update u({}, {{"txt.hostdomain.com", IN, KNOT_RRTYPE_CNAME, 60, "mail.hostdomain.com."},
                      {"alias.hostdomain.com", IN, KNOT_RRTYPE_CNAME, 60, "mail.hostdomain.com."},
                      {"alias.hostdomain.com", IN, KNOT_RRTYPE_TXT, 60, "\"no\""}});
        auto c = content_of(evaluate_update(*zone, u.parsed));
        CHECK(c.records.size() == 4);  // + the alias CNAME only
    }
    SECTION("an update that changes nothing has no records to apply") {
        Update u({}, {{"nothing.hostdomain.com", ANY, KNOT_RRTYPE_A, 0, ""}});
        auto outcome = evaluate_update(*zone, u.parsed);
        CHECK(outcome.rcode == KNOT_RCODE_NOERROR);
        CHECK_FALSE(outcome.records);
    }
}

TEST_CASE("update: prerequisites decide, each with its rcode") {
    auto zone = seed_zone();
    struct Row {
        Rr prerequisite;
        uint16_t rcode;
    };
    const std::vector<Row> rows = {
        {{"mail.hostdomain.com", ANY, KNOT_RRTYPE_ANY, 0, ""}, KNOT_RCODE_NOERROR},    // name in use
        {{"none.hostdomain.com", ANY, KNOT_RRTYPE_ANY, 0, ""}, KNOT_RCODE_NXDOMAIN},
        {{"_tcp.hostdomain.com", ANY, KNOT_RRTYPE_ANY, 0, ""}, KNOT_RCODE_NXDOMAIN},   // empty non-terminal
        {{"none.hostdomain.com", NONE, KNOT_RRTYPE_ANY, 0, ""}, KNOT_RCODE_NOERROR},   // name not in use
        {{"mail.hostdomain.com", NONE, KNOT_RRTYPE_ANY, 0, ""}, KNOT_RCODE_YXDOMAIN},
        {{"hostdomain.com", ANY, KNOT_RRTYPE_MX, 0, ""}, KNOT_RCODE_NOERROR},          // RRset exists
        {{"hostdomain.com", ANY, KNOT_RRTYPE_TXT, 0, ""}, KNOT_RCODE_NXRRSET},
        {{"hostdomain.com", NONE, KNOT_RRTYPE_TXT, 0, ""}, KNOT_RCODE_NOERROR},        // RRset does not exist
        {{"hostdomain.com", NONE, KNOT_RRTYPE_MX, 0, ""}, KNOT_RCODE_YXRRSET},
        {{"hostdomain.com", IN, KNOT_RRTYPE_MX, 0, "10 mail.hostdomain.com."}, KNOT_RCODE_NOERROR},  // value
        {{"hostdomain.com", IN, KNOT_RRTYPE_MX, 0, "20 mail.hostdomain.com."}, KNOT_RCODE_NXRRSET},
        {{"other.org", ANY, KNOT_RRTYPE_ANY, 0, ""}, KNOT_RCODE_NOTZONE},
        {{"mail.hostdomain.com", ANY, KNOT_RRTYPE_ANY, 5, ""}, KNOT_RCODE_FORMERR},    // TTL must be 0
    };
    for (const auto& row : rows) {
        INFO(row.prerequisite.owner << " class " << row.prerequisite.rclass << " type " << row.prerequisite.type);
        Update u({row.prerequisite}, {{"new.hostdomain.com", IN, KNOT_RRTYPE_TXT, 60, "\"x\""}});
        auto outcome = evaluate_update(*zone, u.parsed);
        CHECK(outcome.rcode == row.rcode);
        CHECK(outcome.records.has_value() == (row.rcode == KNOT_RCODE_NOERROR));
    }
}

TEST_CASE("update: the prescan refuses the whole update before anything applies") {
    auto zone = seed_zone();
    struct Row {
        Rr bad;
        uint16_t rcode;
    };
    const std::vector<Row> rows = {
        {{"www.other.org", IN, KNOT_RRTYPE_A, 60, "192.0.2.1"}, KNOT_RCODE_NOTZONE},
        {{"x.hostdomain.com", ANY, KNOT_RRTYPE_A, 60, ""}, KNOT_RCODE_FORMERR},         // delete with a TTL
        {{"x.hostdomain.com", NONE, KNOT_RRTYPE_A, 60, "192.0.2.1"}, KNOT_RCODE_FORMERR},
        {{"x.hostdomain.com", KNOT_CLASS_CH, KNOT_RRTYPE_TXT, 60, "\"x\""}, KNOT_RCODE_FORMERR},
    };
    for (const auto& row : rows) {
        INFO(row.bad.owner << " class " << row.bad.rclass << " type " << row.bad.type << " ttl " << row.bad.ttl);
        Update u({}, {{"fine.hostdomain.com", IN, KNOT_RRTYPE_TXT, 60, "\"ok\""}, row.bad});
        auto outcome = evaluate_update(*zone, u.parsed);
        CHECK(outcome.rcode == row.rcode);
        CHECK_FALSE(outcome.records);
    }
}
