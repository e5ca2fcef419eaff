// docs/configuration.md against the agent's parser: the reference documents exactly the
// keys the parser accepts (agent/config_keys.h, the lists the parser refuses others by),
// and its example, which uses every key, parses.
#include <catch2/catch.hpp>

#include "config.h"
#include "config_keys.h"
#include "config_reference.h"

using namespace patchbay;

namespace {

std::set<std::string> code_keys() {
    std::set<std::string> keys;
    test::add_keys(keys, "agent", agent_keys::agent);
    test::add_keys(keys, "services.NAME", agent_keys::service, {"probe"});
    test::add_keys(keys, "services.NAME.probe", agent_keys::probe);
    return keys;
}

}  // namespace

TEST_CASE("configuration reference: agent.toml documents exactly the keys the agent accepts") {
    const std::string section = test::reference_section("agent.toml");
    REQUIRE_FALSE(section.empty());
    auto code = code_keys();
    CHECK(test::key_differences(test::documented_keys(section), code, "agent/config_keys.h") == std::vector<std::string>{});
}

TEST_CASE("configuration reference: the agent.toml example uses every key and parses") {
    const std::string example = test::example_toml(test::reference_section("agent.toml"));
    REQUIRE_FALSE(example.empty());
    auto parsed = parse_config(example, "configuration.md", ConfigDefaults{"host", {}});
    INFO((parsed ? std::string() : parsed.error()));
    REQUIRE(parsed);
    CHECK(parsed->name == "h121");
    CHECK(parsed->services.size() == 2);
    std::set<std::string> used;
    test::leaf_keys(toml::parse(example), "", {"services"}, used);
    CHECK(used == code_keys());
}
