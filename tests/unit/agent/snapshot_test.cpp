#include <catch2/catch.hpp>

#include "seed.h"
#include "snapshot.h"

using namespace patchbay;

namespace {

Address ip(const char* text) { return *Address::parse(text); }

}  // namespace

TEST_CASE("tuples_from_srv: the seed zone gives the seed tuples") {
    // DESIGN.md §1, written the way a zone holds it: SRV records naming per-host targets.
    std::vector<SrvAnswer> answers = {
        {"http", "tcp",
         {{1, 100, 80, "h121.hostdomain.com"}, {1, 100, 80, "h122.hostdomain.com"},
          {2, 100, 8080, "h123.hostdomain.com"}}},
        {"smtp", "tcp", {{1, 100, 23, "h123.hostdomain.com"}, {2, 100, 23, "h124.hostdomain.com"}}},
        {"http", "udp", {}},  // NXDOMAIN/NODATA: really none
    };
    TargetAddresses addresses = {{"h121.hostdomain.com", {ip("10.10.10.121")}},
                                 {"h122.hostdomain.com", {ip("10.10.10.122")}},
                                 {"h123.hostdomain.com", {ip("10.10.10.123")}},
                                 {"h124.hostdomain.com", {ip("10.10.10.124")}}};
    auto got = tuples_from_srv("hostdomain.com", answers, addresses);
    auto want = test::seed_tuples();
    REQUIRE(got.size() == want.size());
    std::sort(want.begin(), want.end(), [](const Tuple& a, const Tuple& b) { return a.key < b.key; });
    for (size_t i = 0; i < got.size(); ++i) {
        CHECK(got[i].key == want[i].key);
        CHECK(got[i].priority == want[i].priority);
        CHECK(got[i].weight == want[i].weight);
        CHECK(got[i].domain == "hostdomain.com");
    }
    CHECK(got[0].target == "h121.hostdomain.com");
}

TEST_CASE("tuples_from_srv: table of edge cases") {
    struct Row {
        const char* what;
        std::vector<SrvRecord> records;
        TargetAddresses addresses;
        std::vector<std::string> want;  // "ADDR:PORT pPRIO wWEIGHT"
    };
    const std::vector<Row> rows = {
        {"target '.' means no service (RFC 2782)", {{0, 0, 0, "."}}, {}, {}},
        {"target '.' with a port is still no service", {{0, 0, 80, "."}}, {{".", {ip("10.0.0.1")}}}, {}},
        {"port 0 gives no tuple", {{1, 1, 0, "a.x"}}, {{"a.x", {ip("10.0.0.1")}}}, {}},
        {"a target without addresses gives none", {{1, 1, 80, "a.x"}}, {{"a.x", {}}}, {}},
        {"a target never resolved gives none", {{1, 1, 80, "a.x"}}, {}, {}},
        {"a target with A and AAAA gives both",
         {{1, 100, 80, "a.x"}},
         {{"a.x", {ip("10.0.0.1"), ip("2001:db8::1")}}},
         {"10.0.0.1:80 p1 w100", "[2001:db8::1]:80 p1 w100"}},
        {"duplicate keys: lowest priority, then highest weight wins",
         {{2, 100, 80, "a.x"}, {1, 10, 80, "b.x"}, {1, 50, 80, "c.x"}},
         {{"a.x", {ip("10.0.0.1")}}, {"b.x", {ip("10.0.0.1")}}, {"c.x", {ip("10.0.0.1")}}},
         {"10.0.0.1:80 p1 w50"}},
        {"two ports on one address are two tuples",
         {{1, 1, 80, "a.x"}, {1, 1, 81, "a.x"}},
         {{"a.x", {ip("10.0.0.1")}}},
         {"10.0.0.1:80 p1 w1", "10.0.0.1:81 p1 w1"}},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        auto got = tuples_from_srv("x", {{"http", "tcp", row.records}}, row.addresses);
        std::vector<std::string> text;
        for (const auto& t : got)
            text.push_back(Endpoint{t.key.address, t.key.port}.str() + " p" + std::to_string(t.priority) + " w" +
                           std::to_string(t.weight));
        CHECK(text == row.want);
    }
}

TEST_CASE("srv_name") {
    CHECK(srv_name("http", "tcp", "hostdomain.com") == "_http._tcp.hostdomain.com");
}

TEST_CASE("serial comparison follows RFC 1982") {
    struct Row {
        uint32_t a, b;
        SerialOrder want;
    };
    const std::vector<Row> rows = {
        {7, 7, SerialOrder::equal},
        {7, 8, SerialOrder::lower},
        {8, 7, SerialOrder::higher},
        {0xffffffffu, 0, SerialOrder::lower},  // wraps: 0 follows 2^32-1
        {0, 0xffffffffu, SerialOrder::higher},
        {1, 0x80000000u, SerialOrder::lower},  // 2^31 - 1 ahead: still "after"
        {0, 0x80000000u, SerialOrder::undefined},
        {0x80000000u, 0, SerialOrder::undefined},
        {2026112301u, 2026112302u, SerialOrder::lower},
    };
    for (const auto& r : rows) {
        INFO(r.a << " vs " << r.b);
        CHECK(compare_serial(r.a, r.b) == r.want);
    }
    CHECK(serial_acceptable(8, 7));
    CHECK(serial_acceptable(7, 7));
    CHECK_FALSE(serial_acceptable(6, 7));
    CHECK(serial_acceptable(0, 0xffffffffu));
    CHECK_FALSE(serial_acceptable(0x80000000u, 0));
}
