#include <catch2/catch.hpp>

#include "domain.h"
#include "tuple.h"

using namespace patchbay;

TEST_CASE("parse_tuple normalizes every field") {
    auto t = parse_tuple("HostDomain.COM.", "_HTTP", "TCP", "2001:0db8:0000::0001", "80", "2", "50");
    REQUIRE(t);
    CHECK(t->domain == "hostdomain.com");
    CHECK(t->key.service == "http");
    CHECK(t->key.transport == "tcp");
    CHECK(t->key.address.str() == "2001:db8::1");
    CHECK(t->key.port == 80);
    CHECK(t->priority == 2);
    CHECK(t->weight == 50);
}

TEST_CASE("parse_tuple names the bad field") {
    struct Row {
        std::vector<const char*> args;
        const char* says;
    };
    const std::vector<Row> rows = {
        {{"bad..com", "http", "tcp", "10.0.0.1", "80"}, "empty label"},
        {{"x.com", "h_ttp", "tcp", "10.0.0.1", "80"}, "service name"},
        {{"x.com", "http", "ftp", "10.0.0.1", "80"}, "transport 'ftp'"},
        {{"x.com", "http", "tcp", "10.0.0.300", "80"}, "not an IP address"},
        {{"x.com", "http", "tcp", "10.0.0.1", "65536"}, "port must be"},
        {{"x.com", "http", "tcp", "10.0.0.1", "0"}, "port must be a whole number from 1"},
        {{"x.com", "http", "tcp", "10.0.0.1", "80x"}, "port must be"},
        {{"x.com", "http", "tcp", "10.0.0.1", "80", "-1"}, "priority must be"},
        {{"x.com", "http", "tcp", "10.0.0.1", "80", "1", "1e3"}, "weight must be"},
        {{"x.com", "averyveryverylongname", "tcp", "10.0.0.1", "80"}, "1 to 15"},
    };
    for (const auto& row : rows) {
        auto& a = row.args;
        auto t = a.size() == 5   ? parse_tuple(a[0], a[1], a[2], a[3], a[4])
                 : a.size() == 6 ? parse_tuple(a[0], a[1], a[2], a[3], a[4], a[5])
                                 : parse_tuple(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
        INFO(row.says);
        REQUIRE_FALSE(t);
        CHECK_THAT(t.error(), Catch::Contains(row.says));
    }
}

TEST_CASE("endpoints parse both families") {
    CHECK(Endpoint::parse("10.10.10.1:53")->str() == "10.10.10.1:53");
    CHECK(Endpoint::parse("[::1]:5300")->str() == "[::1]:5300");
    CHECK_FALSE(Endpoint::parse("::1:53"));
    CHECK_FALSE(Endpoint::parse("10.0.0.1"));
    CHECK_FALSE(Endpoint::parse("10.0.0.1:99999"));
    CHECK_FALSE(Endpoint::parse("[::1]53"));
}

TEST_CASE("in_zone compares whole labels") {
    CHECK(in_zone("a.hostdomain.com", "hostdomain.com"));
    CHECK(in_zone("hostdomain.com", "hostdomain.com"));
    CHECK_FALSE(in_zone("xhostdomain.com", "hostdomain.com"));
    CHECK_FALSE(in_zone("com", "hostdomain.com"));
}
