#include <catch2/catch.hpp>

#include "unit_name.h"

using namespace patchbay;

TEST_CASE("unit_escape matches systemd-escape") {
    struct Row {
        const char* text;
        const char* escaped;
    };
    // Expected values are what `systemd-escape TEXT` prints (systemd 252).
    const std::vector<Row> rows = {
        {"10.10.10.121:80/tcp", "10.10.10.121:80-tcp"},
        {"2001:db8::1:5060/udp", "2001:db8::1:5060-udp"},
        {"a-b", "a\\x2db"},
        {".hidden", "\\x2ehidden"},
        {"[::1]:53/tcp", "\\x5b::1\\x5d:53-tcp"},
        {"sp ace", "sp\\x20ace"},
        {"back\\slash", "back\\x5cslash"},
    };
    for (const auto& row : rows) {
        INFO(row.text);
        CHECK(unit_escape(row.text) == row.escaped);
        auto back = unit_unescape(row.escaped);
        REQUIRE(back);
        CHECK(*back == row.text);
    }
}

TEST_CASE("unit_unescape rejects malformed escapes") {
    for (const char* bad : {"a\\x2", "a\\y41", "a\\xzz", "\\"}) {
        INFO(bad);
        CHECK_FALSE(unit_unescape(bad));
    }
}

TEST_CASE("instance units round-trip, IPv4 and IPv6") {
    struct Row {
        const char* transport;
        const char* address;
        uint16_t port;
        const char* unit;
    };
    const std::vector<Row> rows = {
        {"tcp", "10.10.10.121", 80, "patchbay-http@10.10.10.121:80-tcp.service"},
        {"udp", "2001:db8::1", 5060, "patchbay-http@2001:db8::1:5060-udp.service"},
        {"tcp", "::", 1, "patchbay-http@:::1-tcp.service"},
        {"tls", "fe80::1:2", 65535, "patchbay-http@fe80::1:2:65535-tls.service"},
    };
    for (const auto& row : rows) {
        INFO(row.unit);
        TupleKey key{"http", row.transport, *Address::parse(row.address), row.port};
        CHECK(instance_unit("patchbay-http@.service", key) == row.unit);
        auto parsed = parse_instance_unit("patchbay-http@.service", "http", row.unit);
        REQUIRE(parsed);
        CHECK(*parsed == key);
    }
}

TEST_CASE("parse_instance_unit refuses other units") {
    for (const char* unit : {"patchbay-smtp@10.0.0.1:25-tcp.service", "patchbay-http@.service",
                             "patchbay-http@10.0.0.1-tcp.service", "patchbay-http@10.0.0.1:99999-tcp.service",
                             "patchbay-http@10.0.0.1:80-xyz.service", "patchbay-http@nope:80-tcp.service",
                             "patchbay-http@10.0.0.1:80-tcp.socket"}) {
        INFO(unit);
        CHECK_FALSE(parse_instance_unit("patchbay-http@.service", "http", unit));
    }
}

TEST_CASE("unit templates are checked") {
    CHECK(check_unit_template("patchbay-http@.service"));
    CHECK_FALSE(check_unit_template("patchbay-http.service"));
    CHECK_FALSE(check_unit_template("@.service"));
    CHECK_FALSE(check_unit_template("bad name@.service"));
}
