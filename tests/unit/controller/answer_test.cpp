// answer: queries built with libknot, answered from the seed zone, responses read back.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <memory>

#include "answer.h"
#include "dns_client.h"
#include "seed.h"

using namespace patchbay;

namespace {

struct Query {
    const char* name = "hostdomain.com.";
    uint16_t type = KNOT_RRTYPE_SOA;
    uint16_t qclass = KNOT_CLASS_IN;
    uint8_t opcode = KNOT_OPCODE_QUERY;
    bool edns = false;
    uint16_t edns_size = 4096;
    uint8_t edns_version = 0;
};

struct PktFree {
    void operator()(knot_pkt_t* pkt) const { knot_pkt_free(pkt); }
};

std::vector<uint8_t> wire_of(const Query& q) {
    std::unique_ptr<knot_pkt_t, PktFree> pkt(knot_pkt_new(nullptr, 512, nullptr));
    knot_wire_set_id(pkt->wire, 0xbeef);
    knot_wire_set_opcode(pkt->wire, q.opcode);
    knot_wire_set_rd(pkt->wire);
    knot_dname_storage_t name;
    REQUIRE(knot_dname_from_str(name, q.name, sizeof name) != nullptr);
    REQUIRE(knot_pkt_put_question(pkt.get(), name, q.qclass, q.type) == KNOT_EOK);
    if (q.edns) {
        knot_rrset_t opt;
        REQUIRE(knot_edns_init(&opt, q.edns_size, 0, q.edns_version, nullptr) == KNOT_EOK);
        knot_pkt_begin(pkt.get(), KNOT_ADDITIONAL);
        REQUIRE(knot_pkt_put(pkt.get(), KNOT_COMPR_HINT_NONE, &opt, 0) == KNOT_EOK);
        knot_rrset_clear(&opt, nullptr);
    }
    return std::vector<uint8_t>(pkt->wire, pkt->wire + pkt->size);
}

struct Reply {
    uint16_t id = 0;
    uint16_t rcode = 0;  // with the EDNS extended bits
    bool aa = false, tc = false, rd = false;
    uint16_t qdcount = 0;
    std::string question;  // as written, case kept
    bool edns = false;
    uint16_t edns_size = 0;
    size_t size = 0;
    std::vector<std::string> answer, authority, additional;
};

Reply read_reply(std::vector<uint8_t> wire) {
    std::unique_ptr<knot_pkt_t, PktFree> pkt(
        knot_pkt_new(wire.data(), static_cast<uint16_t>(wire.size()), nullptr));
    REQUIRE(knot_pkt_parse(pkt.get(), 0) == KNOT_EOK);
    Reply r;
    r.id = knot_wire_get_id(pkt->wire);
    r.rcode = knot_pkt_ext_rcode(pkt.get());
    r.aa = knot_wire_get_aa(pkt->wire);
    r.tc = knot_wire_get_tc(pkt->wire);
    r.rd = knot_wire_get_rd(pkt->wire);
    REQUIRE(knot_wire_get_qr(pkt->wire));
    r.qdcount = knot_wire_get_qdcount(pkt->wire);
    if (r.qdcount > 0) {
        knot_dname_txt_storage_t text;
        knot_dname_to_str(text, knot_pkt_wire_qname(pkt.get()), sizeof text);
        r.question = text;
    }
    r.edns = knot_pkt_has_edns(pkt.get());
    if (r.edns) r.edns_size = knot_edns_get_payload(pkt->opt_rr);
    r.size = wire.size();
    r.answer = test::section_lines(pkt.get(), KNOT_ANSWER);
    r.authority = test::section_lines(pkt.get(), KNOT_AUTHORITY);
    r.additional = test::section_lines(pkt.get(), KNOT_ADDITIONAL);
    return r;
}

Reply ask(const ZoneSet& zones, const Query& q, Transport transport = Transport::udp) {
    auto wire = wire_of(q);
    std::vector<uint8_t> out;
    REQUIRE(answer(zones, wire.data(), wire.size(), transport, out));
    return read_reply(out);
}

std::shared_ptr<const ZoneSet> seed_zones() {
    DnsSettings settings;
    settings.ns_addresses = {*Address::parse("10.10.10.1")};
    return build_zone_set({{"hostdomain.com", 42}}, test::seed_tuples(), settings);
}

const std::string soa_line =
    "hostdomain.com. 60 IN SOA ns.hostdomain.com. hostmaster.hostdomain.com. 42 3600 600 "
    "604800 60";

}  // namespace

TEST_CASE("answer: rcodes, flags and section sizes") {
    auto zones = seed_zones();
    struct Row {
        const char* what;
        Query query;
        uint16_t rcode;
        bool aa;
        size_t answers, authority, additional;
    };
    const Row rows[] = {
        {"SOA at the apex", {.name = "hostdomain.com."}, KNOT_RCODE_NOERROR, true, 1, 0, 0},
        {"NS with glue", {.type = KNOT_RRTYPE_NS}, KNOT_RCODE_NOERROR, true, 1, 0, 1},
        {"ANY at the apex: NS only (RFC 8482)", {.type = KNOT_RRTYPE_ANY}, KNOT_RCODE_NOERROR, true, 1, 0, 1},
        {"SRV http", {.name = "_http._tcp.hostdomain.com.", .type = KNOT_RRTYPE_SRV},
         KNOT_RCODE_NOERROR, true, 3, 0, 3},
        {"SRV smtp", {.name = "_smtp._tcp.hostdomain.com.", .type = KNOT_RRTYPE_SRV},
         KNOT_RCODE_NOERROR, true, 2, 0, 2},
        {"A of a derived target", {.name = "ip4-10-10-10-123.hostdomain.com.", .type = KNOT_RRTYPE_A},
         KNOT_RCODE_NOERROR, true, 1, 0, 0},
        {"NODATA: AAAA of an IPv4 target",
         {.name = "ip4-10-10-10-123.hostdomain.com.", .type = KNOT_RRTYPE_AAAA}, KNOT_RCODE_NOERROR,
         true, 0, 1, 0},
        {"NODATA: empty non-terminal", {.name = "_tcp.hostdomain.com.", .type = KNOT_RRTYPE_SRV},
         KNOT_RCODE_NOERROR, true, 0, 1, 0},
        {"NXDOMAIN", {.name = "nope.hostdomain.com.", .type = KNOT_RRTYPE_A}, KNOT_RCODE_NXDOMAIN,
         true, 0, 1, 0},
        {"NXDOMAIN: no server .125", {.name = "ip4-10-10-10-125.hostdomain.com.", .type = KNOT_RRTYPE_A},
         KNOT_RCODE_NXDOMAIN, true, 0, 1, 0},
        {"REFUSED: outside every zone", {.name = "example.com.", .type = KNOT_RRTYPE_A},
         KNOT_RCODE_REFUSED, false, 0, 0, 0},
        {"REFUSED: parent of the zone", {.name = "com.", .type = KNOT_RRTYPE_NS},
         KNOT_RCODE_REFUSED, false, 0, 0, 0},
        {"REFUSED: class CH", {.qclass = KNOT_CLASS_CH}, KNOT_RCODE_REFUSED, false, 0, 0, 0},
        {"REFUSED: AXFR", {.type = KNOT_RRTYPE_AXFR}, KNOT_RCODE_REFUSED, false, 0, 0, 0},
        {"REFUSED: IXFR", {.type = KNOT_RRTYPE_IXFR}, KNOT_RCODE_REFUSED, false, 0, 0, 0},
        {"FORMERR: OPT as qtype", {.type = KNOT_RRTYPE_OPT}, KNOT_RCODE_FORMERR, false, 0, 0, 0},
        {"NOTIMP: NOTIFY", {.opcode = KNOT_OPCODE_NOTIFY}, KNOT_RCODE_NOTIMPL, false, 0, 0, 0},
        {"NOTIMP: UPDATE", {.opcode = KNOT_OPCODE_UPDATE}, KNOT_RCODE_NOTIMPL, false, 0, 0, 0},
        {"BADVERS: EDNS version 1", {.edns = true, .edns_version = 1}, KNOT_RCODE_BADVERS, false,
         0, 0, 0},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        Reply r = ask(*zones, row.query);
        CHECK(r.id == 0xbeef);
        CHECK(r.rcode == row.rcode);
        CHECK(r.aa == row.aa);
        CHECK(r.rd);  // copied from the query (RFC 1035 §4.1.1)
        CHECK_FALSE(r.tc);
        CHECK(r.answer.size() == row.answers);
        CHECK(r.authority.size() == row.authority);
        CHECK(r.additional.size() == row.additional);
        if (row.authority > 0) CHECK(r.authority[0] == soa_line);
        CHECK(r.edns == row.query.edns);
    }
}

TEST_CASE("answer: SRV records and the addresses of their targets") {
    auto zones = seed_zones();
    Reply r = ask(*zones, {.name = "_http._tcp.hostdomain.com.", .type = KNOT_RRTYPE_SRV});
    using V = std::vector<std::string>;
    CHECK(r.answer == V{
        "_http._tcp.hostdomain.com. 60 IN SRV 1 100 80 ip4-10-10-10-121.hostdomain.com.",
        "_http._tcp.hostdomain.com. 60 IN SRV 1 100 80 ip4-10-10-10-122.hostdomain.com.",
        "_http._tcp.hostdomain.com. 60 IN SRV 2 100 8080 ip4-10-10-10-123.hostdomain.com.",
    });
    CHECK(r.additional == V{
        "ip4-10-10-10-121.hostdomain.com. 60 IN A 10.10.10.121",
        "ip4-10-10-10-122.hostdomain.com. 60 IN A 10.10.10.122",
        "ip4-10-10-10-123.hostdomain.com. 60 IN A 10.10.10.123",
    });
    Reply a = ask(*zones, {.name = "ip4-10-10-10-121.hostdomain.com.", .type = KNOT_RRTYPE_A});
    CHECK(a.answer == V{"ip4-10-10-10-121.hostdomain.com. 60 IN A 10.10.10.121"});
    Reply soa = ask(*zones, {});
    CHECK(soa.answer == V{soa_line});
}

TEST_CASE("answer: IPv6 derived targets") {
    std::vector<Tuple> tuples = {*parse_tuple("hostdomain.com", "http", "tcp", "2001:db8::1", "80")};
    auto zones = build_zone_set({{"hostdomain.com", 1}}, tuples, {});
    Reply srv = ask(*zones, {.name = "_http._tcp.hostdomain.com.", .type = KNOT_RRTYPE_SRV});
    REQUIRE(srv.answer.size() == 1);
    CHECK(srv.answer[0] == "_http._tcp.hostdomain.com. 60 IN SRV 1 100 80 ip6-2001-db8--1.hostdomain.com.");
    CHECK(srv.additional == std::vector<std::string>{"ip6-2001-db8--1.hostdomain.com. 60 IN AAAA 2001:db8::1"});
    Reply aaaa = ask(*zones, {.name = "ip6-2001-db8--1.hostdomain.com.", .type = KNOT_RRTYPE_AAAA});
    CHECK(aaaa.answer == std::vector<std::string>{"ip6-2001-db8--1.hostdomain.com. 60 IN AAAA 2001:db8::1"});
}

TEST_CASE("answer: the question keeps the client's case") {
    auto zones = seed_zones();
    Reply r = ask(*zones, {.name = "_HTTP._Tcp.HostDomain.COM.", .type = KNOT_RRTYPE_SRV});
    CHECK(r.rcode == KNOT_RCODE_NOERROR);
    CHECK(r.question == "_HTTP._Tcp.HostDomain.COM.");
    CHECK(r.answer.size() == 3);
}

TEST_CASE("answer: EDNS is echoed with our size, and the serial follows the zone") {
    auto zones = seed_zones();
    Reply r = ask(*zones, {.edns = true, .edns_size = 4096});
    CHECK(r.edns);
    CHECK(r.edns_size == edns_udp_size);
    CHECK(r.answer == std::vector<std::string>{soa_line});
    Reply plain = ask(*zones, {});
    CHECK_FALSE(plain.edns);

    auto next = build_zone_set({{"hostdomain.com", 43}}, test::seed_tuples(), {});
    Reply later = ask(*next, {});
    REQUIRE(later.answer.size() == 1);
    CHECK(later.answer[0].find(" 43 3600 ") != std::string::npos);
}

TEST_CASE("answer: big answers are truncated over UDP, whole over TCP") {
    std::vector<Tuple> tuples;
    for (int i = 1; i <= 60; ++i) {
        tuples.push_back(*parse_tuple("hostdomain.com", "http", "tcp", "10.20.0." + std::to_string(i), "80"));
    }
    auto zones = build_zone_set({{"hostdomain.com", 1}}, tuples, {});
    Query q{.name = "_http._tcp.hostdomain.com.", .type = KNOT_RRTYPE_SRV};
    struct Row {
        const char* what;
        bool edns;
        Transport transport;
        bool tc;
        size_t max_size;
    };
    const Row rows[] = {
        {"UDP without EDNS", false, Transport::udp, true, 512},
        {"UDP with EDNS 4096", true, Transport::udp, true, edns_udp_size},
        {"TCP", false, Transport::tcp, false, 65535},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        Query query = q;
        query.edns = row.edns;
        Reply r = ask(*zones, query, row.transport);
        CHECK(r.tc == row.tc);
        CHECK(r.size <= row.max_size);
        CHECK(r.edns == row.edns);
        CHECK(r.answer.size() == (row.tc ? 0 : 60));  // an RRset goes whole or not at all
        if (!row.tc) CHECK(r.additional.size() > 0);
    }
}

TEST_CASE("answer: malformed queries") {
    auto zones = seed_zones();
    auto good = wire_of({});
    std::vector<uint8_t> out;

    // No header, or a response: nothing to answer.
    CHECK_FALSE(answer(*zones, good.data(), 11, Transport::udp, out));
    CHECK_FALSE(answer(*zones, good.data(), 0, Transport::udp, out));
    auto response = good;
    knot_wire_set_qr(response.data());
    CHECK_FALSE(answer(*zones, response.data(), response.size(), Transport::udp, out));

    struct Row {
        const char* what;
        std::vector<uint8_t> wire;
        uint16_t qdcount;
    };
    auto cut = good;
    cut.resize(good.size() - 3);  // question without its class
    auto two = good;
    knot_wire_set_qdcount(two.data(), 2);
    auto none = std::vector<uint8_t>(good.begin(), good.begin() + KNOT_WIRE_HEADER_SIZE);
    knot_wire_set_qdcount(none.data(), 0);
    auto trailing = good;
    trailing.push_back(0);
    auto counts = good;
    knot_wire_set_ancount(counts.data(), 3);  // says 3 answers, holds none
    const Row rows[] = {
        {"question cut short", cut, 0},
        {"two questions claimed", two, 0},
        {"no question", none, 0},
        {"trailing garbage", trailing, 1},
        {"records claimed but missing", counts, 1},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        REQUIRE(answer(*zones, row.wire.data(), row.wire.size(), Transport::udp, out));
        Reply r = read_reply(out);
        CHECK(r.id == 0xbeef);
        CHECK(r.rcode == KNOT_RCODE_FORMERR);
        CHECK_FALSE(r.aa);
        CHECK(r.qdcount == row.qdcount);
        CHECK(r.answer.empty());
    }
}

TEST_CASE("answer: a zone set without zones refuses everything") {
    auto zones = build_zone_set({}, {}, {});
    CHECK(ask(*zones, {}).rcode == KNOT_RCODE_REFUSED);
}

TEST_CASE("answer: ANY gets one RRset, the first by type, over UDP and TCP (RFC 8482)") {
    auto zones = seed_zones();
    using V = std::vector<std::string>;
    for (auto transport : {Transport::udp, Transport::tcp}) {
        Reply apex = ask(*zones, {.type = KNOT_RRTYPE_ANY}, transport);
        CHECK(apex.answer == V{"hostdomain.com. 60 IN NS ns.hostdomain.com."});
        Reply srv = ask(*zones, {.name = "_http._tcp.hostdomain.com.", .type = KNOT_RRTYPE_ANY}, transport);
        CHECK(srv.answer.size() == 3);  // one RRset of three records
        Reply ent = ask(*zones, {.name = "_tcp.hostdomain.com.", .type = KNOT_RRTYPE_ANY}, transport);
        CHECK(ent.answer.empty());
        CHECK(ent.authority == V{soa_line});
    }
}

TEST_CASE("answer: an OPT must be owned by the root and hold whole options (RFC 6891 §6.1)") {
    auto zones = seed_zones();
    // The seed query without EDNS, then a hand-written OPT: owner, type 41, payload 1232,
    // TTL 0, RDATA.
    auto with_opt = [](std::vector<uint8_t> owner, std::vector<uint8_t> rdata) {
        auto wire = wire_of({});
        knot_wire_set_arcount(wire.data(), 1);
        wire.insert(wire.end(), owner.begin(), owner.end());
        const uint8_t fixed[] = {0, 41, 0x04, 0xd0, 0, 0, 0, 0,
                                 0, static_cast<uint8_t>(rdata.size())};
        wire.insert(wire.end(), std::begin(fixed), std::end(fixed));
        wire.insert(wire.end(), rdata.begin(), rdata.end());
        return wire;
    };
    const std::vector<uint8_t> root = {0}, not_root = {3, 'c', 'o', 'm', 0};
    struct Row {
        const char* what;
        std::vector<uint8_t> wire;
        uint16_t rcode;
        bool edns;
    };
    const Row rows[] = {
        {"no options", with_opt(root, {}), KNOT_RCODE_NOERROR, true},
        {"an unknown option is ignored", with_opt(root, {0xfd, 0xe9, 0, 2, 0xc0, 0xff}),
         KNOT_RCODE_NOERROR, true},
        {"owner not the root", with_opt(not_root, {}), KNOT_RCODE_FORMERR, false},
        {"option longer than the RDATA", with_opt(root, {0xfd, 0xe9, 0, 40, 'a', 'b'}),
         KNOT_RCODE_FORMERR, false},
        {"half an option header", with_opt(root, {0xfd, 0xe9}), KNOT_RCODE_FORMERR, false},
    };
    std::vector<uint8_t> out;
    for (const auto& row : rows) {
        INFO(row.what);
        REQUIRE(answer(*zones, row.wire.data(), row.wire.size(), Transport::udp, out));
        Reply r = read_reply(out);
        CHECK(r.rcode == row.rcode);
        CHECK(r.edns == row.edns);
        if (r.edns) CHECK(r.edns_size == edns_udp_size);
    }
}
