// controller config: [[tsig_key]], [[secondary]], [[acl]] and --dev's loopback transfers.
#include <catch2/catch.hpp>

#include "config.h"

using namespace patchbay;

namespace {
const std::string secret = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
}

TEST_CASE("controller config: TSIG keys, secondaries and ACLs") {
    auto cfg = parse_controller_config(R"(
[[tsig_key]]
name = "transfer"
secret = ")" + secret + R"("
[[tsig_key]]
name = "Update."
algorithm = "hmac-sha512"
secret = ")" + secret + R"("
[[secondary]]
address = "192.0.2.10"
key = "transfer"
[[secondary]]
address = "[2001:db8::53]:5353"
[[acl]]
action = "transfer"
address = ["10.0.0.0/8", "::1"]
zones = ["HostDomain.com."]
[[acl]]
action = "update"
key = "update"
)", "c.toml");
    REQUIRE(cfg);
    REQUIRE(cfg->tsig_keys.size() == 2);
    CHECK(cfg->tsig_keys[0]->algorithm() == "hmac-sha256");  // the default
    CHECK(cfg->tsig_keys[1]->name() == "update");
    REQUIRE(cfg->secondaries.size() == 2);
    CHECK(cfg->secondaries[0].address.str() == "192.0.2.10:53");  // port 53 by default
    CHECK(cfg->secondaries[0].key->name() == "transfer");
    CHECK(cfg->secondaries[1].address.str() == "[2001:db8::53]:5353");
    CHECK_FALSE(cfg->secondaries[1].key);
    REQUIRE(cfg->acl.size() == 2);
    CHECK(cfg->acl[0].zones == std::vector<std::string>{"hostdomain.com"});
    CHECK(cfg->acl[1].action == AclAction::update);
    CHECK(cfg->acl[1].key == "update");

    // Secondaries may transfer: from their address, with their key when they have one.
    auto acl = effective_acl(*cfg);
    auto a = [](const char* t) { return *Address::parse(t); };
    CHECK(acl_allows(acl, AclAction::transfer, a("192.0.2.10"), std::string("transfer"), "x.com"));
    CHECK_FALSE(acl_allows(acl, AclAction::transfer, a("192.0.2.10"), std::nullopt, "x.com"));
    CHECK(acl_allows(acl, AclAction::transfer, a("2001:db8::53"), std::nullopt, "x.com"));
    CHECK(acl_allows(acl, AclAction::transfer, a("10.1.2.3"), std::nullopt, "hostdomain.com"));
    CHECK_FALSE(acl_allows(acl, AclAction::transfer, a("10.1.2.3"), std::nullopt, "x.com"));
}

TEST_CASE("controller config: transfers are refused by default, --dev allows loopback") {
    auto plain = parse_controller_config("", "c.toml");
    REQUIRE(plain);
    CHECK(effective_acl(*plain).empty());

    const char* argv[] = {"patchbay-controller", "--dev"};
    auto dev = resolve_controller_config(*parse_controller_flags(2, argv));
    REQUIRE(dev);
    auto acl = effective_acl(*dev);
    CHECK(acl_allows(acl, AclAction::transfer, *Address::parse("127.0.0.1"), std::nullopt, "hostdomain.com"));
    CHECK(acl_allows(acl, AclAction::transfer, *Address::parse("::1"), std::nullopt, "hostdomain.com"));
    CHECK_FALSE(acl_allows(acl, AclAction::transfer, *Address::parse("10.0.0.1"), std::nullopt, "hostdomain.com"));
    CHECK_FALSE(acl_allows(acl, AclAction::update, *Address::parse("127.0.0.1"), std::nullopt, "hostdomain.com"));
}

TEST_CASE("controller config: transfer errors name file:line:column") {
    struct Row {
        std::string text;
        const char* says;
    };
    const std::string key = "[[tsig_key]]\nname = \"k\"\nsecret = \"" + secret + "\"\n";
    const std::vector<Row> rows = {
        {"[[tsig_key]]\nname = \"k\"\nsecret = \"not base64!\"\n", "c.toml:3:10: tsig_key: secret is not valid base64"},
        {"[[tsig_key]]\nname = \"k\"\nalgorithm = \"hmac-sha3\"\nsecret = \"" + secret + "\"\n",
         "c.toml:3:13: tsig_key: unknown TSIG algorithm 'hmac-sha3'"},
        {"[[tsig_key]]\nname = \"k\"\n", "c.toml:1:1: tsig_key needs a secret"},
        {"[[tsig_key]]\nname = \"a..b\"\nsecret = \"" + secret + "\"\n", "c.toml:2:8: tsig_key: not a DNS name"},
        {key + key, "c.toml:5:8: tsig_key.name: 'k' is defined twice"},
        {"[[tsig_key]]\nname = \"k\"\nsize = 3\n", "c.toml:3:8: unknown key 'tsig_key.size'"},
        {"[[secondary]]\naddress = \"192.0.2.300\"\n", "c.toml:2:11: secondary.address:"},
        {"[[secondary]]\naddress = \"192.0.2.1\"\nkey = \"nope\"\n",
         "c.toml:3:7: secondary.key: no [[tsig_key]] named 'nope'"},
        {"[[secondary]]\nkey = \"k\"\n" + key, "c.toml:1:1: secondary needs an address"},
        {"[[acl]]\naction = \"notify\"\n", "c.toml:2:10: acl.action: unknown action 'notify' (expected transfer, update)"},
        {"[[acl]]\naction = \"transfer\"\naddress = [\"10.0.0.0/8\", \"10.0.0.0/40\"]\n",
         "c.toml:3:26: acl.address: prefix length 40 is over 32"},
        {"[[acl]]\naction = \"transfer\"\naddress = [\"nowhere\"]\n",
         "c.toml:3:12: acl.address: not an address or prefix: 'nowhere'"},
        {"[[acl]]\naction = \"transfer\"\nkey = \"nope\"\n", "c.toml:3:7: acl.key: no [[tsig_key]] named 'nope'"},
        {"[[acl]]\naction = \"transfer\"\nzones = [\"bad..zone\"]\n", "c.toml:3:10: acl.zones:"},
        {"[[acl]]\naddress = \"::1\"\n", "c.toml:1:1: acl needs an action"},
        {"acl = 3\n", "c.toml:1:7: acl must be an array of tables [[acl]]"},
        {"[acl]\naction = \"transfer\"\n", "c.toml:1:1: acl must be an array of tables [[acl]]"},
    };
    for (const auto& r : rows) {
        auto cfg = parse_controller_config(r.text, "c.toml");
        INFO(r.text);
        REQUIRE_FALSE(cfg);
        CHECK_THAT(cfg.error(), Catch::StartsWith(r.says));
    }
}

TEST_CASE("controller config: a TSIG key may belong to an account") {
    auto cfg = parse_controller_config("[[tsig_key]]\nname = \"Team-A.\"\nsecret = \"" + secret +
                                           "\"\naccount = \"a\"\n[[tsig_key]]\nname = \"ops\"\nsecret = \"" + secret +
                                           "\"\n",
                                       "c.toml");
    REQUIRE(cfg);
    CHECK(cfg->tsig_key_accounts == std::map<std::string, std::string>{{"team-a", "a"}});
    auto bad = parse_controller_config("[[tsig_key]]\nname = \"k\"\nsecret = \"" + secret + "\"\naccount = \"A_1\"\n",
                                       "c.toml");
    REQUIRE_FALSE(bad);
    CHECK(bad.error() ==
          "c.toml:4:11: tsig_key.account: account name 'A_1': only lower-case letters, digits and '-' may be used");
}
