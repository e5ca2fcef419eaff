// ecs: client subnets read from queries built with libknot (RFC 7871 §6, §7.1.2), and
// written into responses read back (§7.2.1).
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "ecs.h"

using namespace patchbay;

namespace {

struct PktFree {
    void operator()(knot_pkt_t* pkt) const { knot_pkt_free(pkt); }
};
using PktPtr = std::unique_ptr<knot_pkt_t, PktFree>;

using Bytes = std::vector<uint8_t>;

// A query for an SRV RRset; with an OPT when `edns`, holding each of `options` as an
// ECS option body, after a cookie-like option of another code.
Bytes query_wire(bool edns, const std::vector<Bytes>& options) {
    PktPtr pkt(knot_pkt_new(nullptr, 512, nullptr));
    knot_wire_set_id(pkt->wire, 0x1234);
    knot_dname_storage_t name;
    REQUIRE(knot_dname_from_str(name, "_http._tcp.hostdomain.com.", sizeof name) != nullptr);
    REQUIRE(knot_pkt_put_question(pkt.get(), name, KNOT_CLASS_IN, KNOT_RRTYPE_SRV) == KNOT_EOK);
    if (edns) {
        knot_rrset_t opt;
        REQUIRE(knot_edns_init(&opt, 1232, 0, 0, nullptr) == KNOT_EOK);
        const uint8_t cookie[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        REQUIRE(knot_edns_add_option(&opt, KNOT_EDNS_OPTION_COOKIE, sizeof cookie, cookie, nullptr) == KNOT_EOK);
        for (const Bytes& body : options) {
            REQUIRE(knot_edns_add_option(&opt, KNOT_EDNS_OPTION_CLIENT_SUBNET, static_cast<uint16_t>(body.size()),
                                         body.data(), nullptr) == KNOT_EOK);
        }
        knot_pkt_begin(pkt.get(), KNOT_ADDITIONAL);
        REQUIRE(knot_pkt_put(pkt.get(), KNOT_COMPR_HINT_NONE, &opt, 0) == KNOT_EOK);
        knot_rrset_clear(&opt, nullptr);
    }
    return Bytes(pkt->wire, pkt->wire + pkt->size);
}

// `wire` parsed as the DNS path parses it; the packet points into `wire`.
PktPtr parsed(Bytes& wire) {
    PktPtr pkt(knot_pkt_new(wire.data(), static_cast<uint16_t>(wire.size()), nullptr));
    REQUIRE(knot_pkt_parse(pkt.get(), 0) == KNOT_EOK);
    return pkt;
}

Result<std::optional<ClientSubnet>> subnet_of(const std::vector<Bytes>& options, bool edns = true) {
    Bytes wire = query_wire(edns, options);
    PktPtr pkt = parsed(wire);
    return client_subnet(pkt.get());
}

ClientSubnet subnet(const char* address, uint8_t source) {
    return ClientSubnet{*Address::parse(address), source};
}

}  // namespace

TEST_CASE("ecs: client subnets read from queries") {
    struct Row {
        const char* what;
        Bytes body;
        ClientSubnet expected;
    };
    const Row rows[] = {
        {"IPv4 /24", {0, 1, 24, 0, 192, 0, 2}, subnet("192.0.2.0", 24)},
        {"IPv4 /32", {0, 1, 32, 0, 192, 0, 2, 7}, subnet("192.0.2.7", 32)},
        {"IPv4 /20: a partial last byte", {0, 1, 20, 0, 198, 51, 96}, subnet("198.51.96.0", 20)},
        {"IPv4 /0: no address bytes", {0, 1, 0, 0}, subnet("0.0.0.0", 0)},
        {"IPv6 /56", {0, 2, 56, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x02}, subnet("2001:db8:1:200::", 56)},
        {"IPv6 /128",
         {0, 2, 128, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
         subnet("2001:db8::1", 128)},
        {"IPv6 /0", {0, 2, 0, 0}, subnet("::", 0)},
        {"IPv4-mapped IPv6 /120",
         {0, 2, 120, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2},
         subnet("::ffff:192.0.2.0", 120)},
    };
    for (const Row& row : rows) {
        INFO(row.what);
        auto got = subnet_of({row.body});
        REQUIRE(got.ok());
        REQUIRE(got->has_value());
        CHECK(**got == row.expected);
    }
}

TEST_CASE("ecs: queries without a client subnet") {
    SECTION("no OPT") {
        auto got = subnet_of({}, false);
        REQUIRE(got.ok());
        CHECK_FALSE(got->has_value());
    }
    SECTION("an OPT with other options only") {
        auto got = subnet_of({});
        REQUIRE(got.ok());
        CHECK_FALSE(got->has_value());
    }
    SECTION("no packet") {
        auto got = client_subnet(nullptr);
        REQUIRE(got.ok());
        CHECK_FALSE(got->has_value());
    }
}

TEST_CASE("ecs: malformed options are errors the caller answers with FORMERR") {
    struct Row {
        const char* what;
        std::vector<Bytes> options;
        const char* error;
    };
    const Row rows[] = {
        {"empty option", {{}}, "ECS option shorter than 4 bytes"},
        {"3 bytes", {{0, 1, 24}}, "ECS option shorter than 4 bytes"},
        {"family 0", {{0, 0, 0, 0}}, "ECS FAMILY 0 is not 1 (IPv4) or 2 (IPv6)"},
        {"family 3", {{0, 3, 8, 0, 10}}, "ECS FAMILY 3 is not 1 (IPv4) or 2 (IPv6)"},
        {"IPv4 source /33", {{0, 1, 33, 0, 1, 2, 3, 4, 0}}, "ECS SOURCE PREFIX-LENGTH 33 is over 32"},
        {"IPv6 source /129", {{0, 2, 129, 0}}, "ECS SOURCE PREFIX-LENGTH 129 is over 128"},
        {"scope in a query", {{0, 1, 24, 24, 192, 0, 2}}, "ECS SCOPE PREFIX-LENGTH 24 in a query (must be 0)"},
        {"too few address bytes", {{0, 1, 24, 0, 192, 0}}, "ECS ADDRESS has 2 bytes, SOURCE PREFIX-LENGTH 24 needs 3"},
        {"too many address bytes", {{0, 1, 24, 0, 192, 0, 2, 0}},
         "ECS ADDRESS has 4 bytes, SOURCE PREFIX-LENGTH 24 needs 3"},
        {"/0 with an address byte", {{0, 1, 0, 0, 0}}, "ECS ADDRESS has 1 bytes, SOURCE PREFIX-LENGTH 0 needs 0"},
        {"host bits set (/20)", {{0, 1, 20, 0, 198, 51, 100}}, "ECS ADDRESS has bits set past SOURCE PREFIX-LENGTH 20"},
        {"host bits set (/1)", {{0, 2, 1, 0, 0xc0}}, "ECS ADDRESS has bits set past SOURCE PREFIX-LENGTH 1"},
        {"two ECS options", {{0, 1, 24, 0, 192, 0, 2}, {0, 1, 24, 0, 198, 51, 100}}, "ECS option repeated"},
    };
    for (const Row& row : rows) {
        INFO(row.what);
        auto got = subnet_of(row.options);
        REQUIRE_FALSE(got.ok());
        CHECK(got.error() == row.error);
    }
}

namespace {

// A response to `query_wire` with our OPT holding `subnet` at `scope`, read back.
struct EchoedSubnet {
    uint16_t family = 0;
    uint8_t source = 0, scope = 0;
    Bytes address;
};

EchoedSubnet respond_and_read(const ClientSubnet& s, uint8_t scope_at_put, std::optional<uint8_t> scope_later) {
    Bytes qwire = query_wire(true, {});
    PktPtr query = parsed(qwire);
    Bytes out(1232);
    PktPtr resp(knot_pkt_new(out.data(), static_cast<uint16_t>(out.size()), nullptr));
    REQUIRE(knot_pkt_init_response(resp.get(), query.get()) == KNOT_EOK);
    knot_rrset_t opt;
    REQUIRE(knot_edns_init(&opt, 1232, 0, 0, nullptr) == KNOT_EOK);
    REQUIRE(put_client_subnet(&opt, s, scope_at_put) == KNOT_EOK);
    if (scope_later) REQUIRE(set_client_subnet_scope(&opt, *scope_later));
    knot_pkt_begin(resp.get(), KNOT_ADDITIONAL);
    REQUIRE(knot_pkt_put(resp.get(), KNOT_COMPR_HINT_NONE, &opt, 0) == KNOT_EOK);
    knot_rrset_clear(&opt, nullptr);
    Bytes wire(resp->wire, resp->wire + resp->size);

    PktPtr back = parsed(wire);
    REQUIRE(back->opt_rr != nullptr);
    uint8_t* option = knot_edns_get_option(back->opt_rr, KNOT_EDNS_OPTION_CLIENT_SUBNET, nullptr);
    REQUIRE(option != nullptr);
    // libknot's own reader agrees with ours.
    knot_edns_client_subnet_t ecs{};
    REQUIRE(knot_edns_client_subnet_parse(&ecs, knot_edns_opt_get_data(option), knot_edns_opt_get_length(option)) ==
            KNOT_EOK);
    EchoedSubnet e;
    e.family = ecs.family;
    e.source = ecs.source_len;
    e.scope = ecs.scope_len;
    e.address.assign(ecs.address, ecs.address + (ecs.source_len + 7) / 8);
    return e;
}

}  // namespace

TEST_CASE("ecs: responses echo FAMILY, SOURCE PREFIX-LENGTH and ADDRESS with our scope") {
    SECTION("IPv4, scope 16 (a network table hit of /16)") {
        auto e = respond_and_read(subnet("192.0.2.0", 24), 16, std::nullopt);
        CHECK(e.family == ecs_family_ipv4);
        CHECK(e.source == 24);
        CHECK(e.scope == 16);
        CHECK(e.address == Bytes{192, 0, 2});
    }
    SECTION("IPv6, scope set after the answer is known, in place") {
        auto e = respond_and_read(subnet("2001:db8:1:200::", 56), 0, uint8_t{48});
        CHECK(e.family == ecs_family_ipv6);
        CHECK(e.source == 56);
        CHECK(e.scope == 48);
        CHECK(e.address == Bytes{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x02});
    }
    SECTION("an answer that does not depend on the address gets scope 0 (RFC 7871 §7.2.1)") {
        auto e = respond_and_read(subnet("198.51.96.0", 20), 0, std::nullopt);
        CHECK(e.family == ecs_family_ipv4);
        CHECK(e.source == 20);
        CHECK(e.scope == 0);
        CHECK(e.address == Bytes{198, 51, 96});
    }
    SECTION("a /0 query: no address bytes, scope 0") {
        auto e = respond_and_read(subnet("::", 0), 0, std::nullopt);
        CHECK(e.family == ecs_family_ipv6);
        CHECK(e.source == 0);
        CHECK(e.scope == 0);
        CHECK(e.address.empty());
    }
}

TEST_CASE("ecs: a read subnet written back reads the same") {
    const ClientSubnet subnets[] = {subnet("192.0.2.0", 24), subnet("10.0.0.0", 9), subnet("2001:db8::", 33),
                                    subnet("::ffff:192.0.2.0", 120), subnet("0.0.0.0", 0)};
    for (const ClientSubnet& s : subnets) {
        INFO(s.prefix().str());
        Bytes body(20);
        uint16_t size = write_client_subnet(body.data(), static_cast<uint16_t>(body.size()), s, 0);
        REQUIRE(size == 4 + (s.source_prefix + 7) / 8);
        body.resize(size);
        auto got = subnet_of({body});
        REQUIRE(got.ok());
        REQUIRE(got->has_value());
        CHECK(**got == s);
    }
}

TEST_CASE("ecs: what put_client_subnet and set_client_subnet_scope refuse") {
    knot_rrset_t opt;
    REQUIRE(knot_edns_init(&opt, 1232, 0, 0, nullptr) == KNOT_EOK);
    CHECK(set_client_subnet_scope(&opt, 0) == false);  // no ECS option yet
    CHECK(put_client_subnet(&opt, subnet("192.0.2.0", 24), 33) == KNOT_EINVAL);
    CHECK(put_client_subnet(nullptr, subnet("192.0.2.0", 24), 0) == KNOT_EINVAL);
    REQUIRE(put_client_subnet(&opt, subnet("192.0.2.0", 24), 0) == KNOT_EOK);
    CHECK(set_client_subnet_scope(&opt, 32));
    CHECK(set_client_subnet_scope(&opt, 33) == false);
    Bytes small(5);
    CHECK(write_client_subnet(small.data(), 5, subnet("192.0.2.0", 24), 0) == 0);
    knot_rrset_clear(&opt, nullptr);
}
