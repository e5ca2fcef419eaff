#include <catch2/catch.hpp>

#include "dns_answer.h"
#include "wire.h"

using namespace patchbay;
using namespace patchbay::test;

TEST_CASE("dns_answer: SOA, SRV, A and AAAA from the answer section") {
    Wire w;
    w.header(9, kQr | kAa, 1, 5, 0, 0).question("_http._tcp.hostdomain.com", kTypeSrv);
    w.rr("_http._tcp.hostdomain.com", kTypeSrv, static_cast<uint16_t>(6 + name_len("Web1.HostDomain.com")))
        .u16(1).u16(100).u16(80).name("Web1.HostDomain.com");
    w.rr("_http._tcp.hostdomain.com", kTypeSrv, 7).u16(0).u16(0).u16(0).name("");
    w.rr("hostdomain.com", kTypeSoa, static_cast<uint16_t>(2 * name_len("") + 20))
        .name("").name("").u32(2026112301u).u32(1).u32(1).u32(1).u32(1);
    w.rr("web1.hostdomain.com", kTypeA, 4).raw({10, 10, 10, 121});
    w.rr("web1.hostdomain.com", kTypeAaaa, 16).raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    auto a = parse_answer(w.bytes.data(), w.bytes.size());
    REQUIRE(a.ok());
    CHECK(a->rcode == 0);
    REQUIRE(a->srv.size() == 2);
    CHECK(a->srv[0] == SrvRecord{1, 100, 80, "web1.hostdomain.com"});
    CHECK(a->srv[1].target == ".");
    REQUIRE(a->soa.size() == 1);
    CHECK(a->soa[0].owner == "hostdomain.com");
    CHECK(a->soa[0].serial == 2026112301u);
    REQUIRE(a->addresses.size() == 2);
    CHECK(a->addresses[0].str() == "10.10.10.121");
    CHECK(a->addresses[1].str() == "2001:db8::1");
}

TEST_CASE("dns_answer: malformed input is an error, not a crash") {
    Wire short_srv;
    short_srv.header(1, kQr, 0, 1).rr("x", kTypeSrv, 2).u16(1);
    Wire bad_a;
    bad_a.header(1, kQr, 0, 1).rr("x", kTypeA, 3).raw({1, 2, 3});
    Wire truncated;
    truncated.header(1, kQr, 1, 1).question("x", kTypeA).raw({1, 'x'});
    for (const Wire* w : {&short_srv, &bad_a, &truncated}) {
        auto a = parse_answer(w->bytes.data(), w->bytes.size());
        CHECK(!a.ok());
        if (!a.ok()) CHECK_THAT(a.error(), Catch::StartsWith("malformed DNS response"));
    }
    uint8_t tiny[3] = {0, 1, 2};
    CHECK(!parse_answer(tiny, sizeof tiny).ok());
}
