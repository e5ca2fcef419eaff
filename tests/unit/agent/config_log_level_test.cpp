// [agent] log_level (docs/logs.md); --log-level over it is agent/main.cpp's, tested by
// tests/integration/log_level.sh.
#include <catch2/catch.hpp>

#include "config.h"

using namespace patchbay;

namespace {

const ConfigDefaults kDefaults{"host1", {*Endpoint::parse("192.0.2.53:53")}};

Result<AgentConfig> parse_with(const std::string& agent_lines) {
    return parse_config("[agent]\ndomains = [\"hostdomain.com\"]\n" + agent_lines +
                            "[services.http]\nunit = \"patchbay-http@.service\"\n",
                        "agent.toml", kDefaults);
}

}  // namespace

TEST_CASE("agent config: log_level, info by default") {
    auto none = parse_with("");
    REQUIRE(none);
    CHECK(none->log_level == LogLevel::info);
    for (auto [text, level] : std::vector<std::pair<std::string, LogLevel>>{
             {"error", LogLevel::error}, {"warning", LogLevel::warning}, {"notice", LogLevel::notice},
             {"info", LogLevel::info}, {"debug", LogLevel::debug}}) {
        auto c = parse_with("log_level = \"" + text + "\"\n");
        REQUIRE(c);
        CHECK(c->log_level == level);
    }
}

TEST_CASE("agent config: a bad log_level names file:line:column") {
    auto loud = parse_with("log_level = \"loud\"\n");
    REQUIRE_FALSE(loud);
    CHECK(loud.error() ==
          "agent.toml:3:13: 'log_level': unknown log level 'loud' (want error, warning, notice, info or debug)");
    auto number = parse_with("log_level = 7\n");
    REQUIRE_FALSE(number);
    CHECK(number.error() == "agent.toml:3:13: 'log_level' must be a string");
}

TEST_CASE("agent config: the sample examples/agent.toml logs at info") {
    auto cfg = load_config(PATCHBAY_SOURCE_DIR "/examples/agent.toml");
    REQUIRE(cfg);
    CHECK(cfg->log_level == LogLevel::info);
}
