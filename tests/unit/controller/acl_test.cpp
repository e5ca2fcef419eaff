// acl: prefix parsing and acl_allows, table by table.
#include <catch2/catch.hpp>

#include "acl.h"

using namespace patchbay;

namespace {

Address addr(const char* text) { return *Address::parse(text); }

AclEntry entry(AclAction action, std::vector<const char*> prefixes, std::optional<std::string> key,
               std::vector<std::string> zones) {
    AclEntry e;
    e.action = action;
    for (const char* p : prefixes) e.addresses.push_back(*Prefix::parse(p));
    e.key = std::move(key);
    e.zones = std::move(zones);
    return e;
}

}  // namespace

TEST_CASE("acl: prefixes parse, clear host bits and match") {
    struct Row {
        const char* prefix;
        const char* address;
        bool contains;
    };
    const std::vector<Row> rows = {
        {"10.0.0.0/8", "10.255.1.2", true},
        {"10.0.0.0/8", "11.0.0.1", false},
        {"10.1.2.3/8", "10.9.9.9", true},      // host bits ignored
        {"192.0.2.10", "192.0.2.10", true},    // a bare address is a /32
        {"192.0.2.10", "192.0.2.11", false},
        {"0.0.0.0/0", "203.0.113.9", true},
        {"0.0.0.0/0", "::1", false},           // families never mix
        {"::1", "::1", true},
        {"2001:db8::/32", "2001:db8:ffff::1", true},
        {"2001:db8::/33", "2001:db8:8000::1", false},
        {"127.0.0.0/8", "::ffff:127.0.0.1", true},  // IPv4-mapped counts as IPv4
        {"10.0.0.0/12", "10.15.255.255", true},
        {"10.0.0.0/12", "10.16.0.0", false},
    };
    for (const auto& r : rows) {
        auto p = Prefix::parse(r.prefix);
        REQUIRE(p);
        INFO(r.prefix << " vs " << r.address);
        CHECK(p->contains(addr(r.address)) == r.contains);
    }
    CHECK(Prefix::parse("10.1.2.3/8")->str() == "10.0.0.0/8");
    for (const char* bad : {"", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0/8", "host", "10.0.0.0/8x", "/8"}) {
        INFO(bad);
        CHECK_FALSE(Prefix::parse(bad));
    }
    CHECK(Prefix::parse("10.0.0.0/33").error() == "prefix length 33 is over 32 in '10.0.0.0/33'");
}

TEST_CASE("acl: an entry allows when every field it sets matches") {
    const std::vector<AclEntry> acls = {
        entry(AclAction::transfer, {"10.0.0.0/8"}, std::nullopt, {}),
        entry(AclAction::transfer, {}, std::string("xfr"), {"hostdomain.com"}),
        entry(AclAction::update, {"192.0.2.0/24"}, std::string("upd"), {}),
    };
    struct Row {
        AclAction action;
        const char* source;
        std::optional<std::string> key;
        const char* zone;
        bool allowed;
    };
    const std::vector<Row> rows = {
        {AclAction::transfer, "10.1.1.1", std::nullopt, "any.org", true},         // entry 1
        {AclAction::transfer, "10.1.1.1", std::string("other"), "any.org", true}, // no key asked: any
        {AclAction::transfer, "172.16.0.1", std::nullopt, "hostdomain.com", false},
        {AclAction::transfer, "172.16.0.1", std::string("xfr"), "hostdomain.com", true},  // entry 2
        {AclAction::transfer, "172.16.0.1", std::string("xfr"), "other.com", false},      // zone not listed
        {AclAction::transfer, "172.16.0.1", std::string("upd"), "hostdomain.com", false}, // wrong key
        {AclAction::update, "10.1.1.1", std::nullopt, "hostdomain.com", false},           // action differs
        {AclAction::update, "192.0.2.7", std::string("upd"), "x.org", true},               // entry 3
        {AclAction::update, "192.0.2.7", std::nullopt, "x.org", false},                    // unsigned
        {AclAction::update, "198.51.100.1", std::string("upd"), "x.org", false},           // address
    };
    for (const auto& r : rows) {
        INFO(r.source << " key " << r.key.value_or("-") << " zone " << r.zone);
        CHECK(acl_allows(acls, r.action, addr(r.source), r.key, r.zone) == r.allowed);
    }
    CHECK_FALSE(acl_allows({}, AclAction::transfer, addr("127.0.0.1"), std::nullopt, "hostdomain.com"));
    CHECK(parse_acl_action("update"));
    CHECK(parse_acl_action("notify").error() == "unknown action 'notify' (expected transfer, update)");
}
