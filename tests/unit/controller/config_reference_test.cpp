// docs/configuration.md against the controller's parser: the reference documents exactly
// the keys the parser accepts (controller/config_keys.h, the lists the parser refuses
// others by), and its example, which uses every key, parses.
#include <catch2/catch.hpp>

#include "config.h"
#include "config_keys.h"
#include "config_reference.h"

using namespace patchbay;

namespace {

std::set<std::string> code_keys() {
    namespace k = controller_keys;
    std::set<std::string> keys;
    test::add_keys(keys, "controller", k::controller);
    test::add_keys(keys, "dns", k::dns);
    test::add_keys(keys, "api", k::api);
    test::add_keys(keys, "client_view", k::client_view);
    test::add_keys(keys, "health", k::health);
    test::add_keys(keys, "tsig_key", k::tsig_key);
    test::add_keys(keys, "secondary", k::secondary);
    test::add_keys(keys, "acl", k::acl);
    test::add_keys(keys, "alert", k::alert, {"email"});
    test::add_keys(keys, "alert.email", k::alert_email);
    return keys;
}

}  // namespace

TEST_CASE("configuration reference: controller.toml documents exactly the keys the controller accepts") {
    const std::string section = test::reference_section("controller.toml");
    REQUIRE_FALSE(section.empty());
    auto code = code_keys();
    CHECK(test::key_differences(test::documented_keys(section), code, "controller/config_keys.h") == std::vector<std::string>{});
    // Every section the parser knows has its keys in the code list above.
    std::set<std::string> sections;
    for (const auto& k : code) sections.insert(k.substr(0, k.find('.')));
    CHECK(sections == std::set<std::string>(std::begin(controller_keys::sections), std::end(controller_keys::sections)));
}

TEST_CASE("configuration reference: the controller.toml example uses every key and parses") {
    const std::string example = test::example_toml(test::reference_section("controller.toml"));
    REQUIRE_FALSE(example.empty());
    auto parsed = parse_controller_config(example, "configuration.md");
    INFO((parsed ? std::string() : parsed.error()));
    REQUIRE(parsed);
    CHECK(parsed->tsig_keys.size() == 2);
    CHECK(parsed->alerts.size() == 1);
    std::set<std::string> used;
    test::leaf_keys(toml::parse(example), "", {}, used);
    CHECK(used == code_keys());
}

TEST_CASE("an unknown key of any controller table is refused with a suggestion") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"[controller]\nstat = \"/x\"\n", "c.toml:2:8: unknown key 'controller.stat' (did you mean 'state'?)"},
        {"[[secondary]]\naddres = \"192.0.2.1\"\n", "c.toml:2:10: unknown key 'secondary.addres' (did you mean 'address'?)"},
        {"[[alert]]\nname = \"a\"\nwebhook = \"http://h/\"\nemail = { smtp = \"smtp://h:25\", from = \"a@b\", to = [\"c@d\"], "
         "usrname = \"u\" }\n",
         "c.toml:4:71: unknown key 'alert.email.usrname' (did you mean 'username'?)"},
    };
    for (const auto& [text, want] : cases) {
        auto r = parse_controller_config(text, "c.toml");
        REQUIRE_FALSE(r);
        CHECK(r.error() == want);
    }
}
