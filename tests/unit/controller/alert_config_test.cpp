// [[alert]] in the controller config: keys, defaults, and errors at file:line:column.
#include <catch2/catch.hpp>

#include <fstream>

#include "config.h"

using namespace patchbay;

TEST_CASE("controller config: [[alert]] keys and defaults") {
    auto cfg = parse_controller_config(R"(
[[alert]]
name = "ops"
webhook = "https://hooks.example.com/patchbay"

[[alert]]
name = "sip-slow"
states = ["warning", "down"]
servers = ["edge-*", "core1"]
services = "sip"
for_seconds = 30
recovery = false
email = { smtp = "smtp://mail.example.com:587", from = "patchbay@example.com", to = ["noc@example.com", "oncall@example.com"], username = "pb", password_file = "/etc/patchbay/smtp.pass" }
command = ["/usr/local/bin/page", "--team", "voip"]
)",
                                       "c.toml");
    REQUIRE(cfg);
    REQUIRE(cfg->alerts.size() == 2);
    const auto& ops = cfg->alerts[0];
    CHECK(ops.name == "ops");
    CHECK(ops.states == std::vector<Health>{Health::down});
    CHECK(ops.servers == std::vector<std::string>{"*"});
    CHECK(ops.services == std::vector<std::string>{"*"});
    CHECK(ops.for_ms == 0);
    CHECK(ops.recovery);
    CHECK(ops.webhook == "https://hooks.example.com/patchbay");
    CHECK_FALSE(ops.email);
    CHECK(ops.command.empty());

    const auto& sip = cfg->alerts[1];
    CHECK(sip.states == std::vector<Health>{Health::warning, Health::down});
    CHECK(sip.servers == std::vector<std::string>{"edge-*", "core1"});
    CHECK(sip.services == std::vector<std::string>{"sip"});
    CHECK(sip.for_ms == 30'000);
    CHECK_FALSE(sip.recovery);
    REQUIRE(sip.email);
    CHECK(*sip.email == EmailChannel{"smtp://mail.example.com:587", "patchbay@example.com",
                                     {"noc@example.com", "oncall@example.com"}, "pb", "/etc/patchbay/smtp.pass"});
    CHECK(sip.command == std::vector<std::string>{"/usr/local/bin/page", "--team", "voip"});
    CHECK(channel_names(sip) == std::vector<std::string>{"email", "command"});

    auto none = parse_controller_config("", "c.toml");
    REQUIRE(none);
    CHECK(none->alerts.empty());
}

TEST_CASE("controller config: [[alert]] errors name file:line:column") {
    struct Row {
        const char* text;
        const char* says;
    };
    const std::vector<Row> rows = {
        {"[[alert]]\nwebhook = \"http://h/\"\n", "c.toml:1:1: alert needs a name"},
        {"[[alert]]\nname = \"a\"\n", "c.toml:1:1: alert 'a' needs a channel: webhook, email or command"},
        {"[[alert]]\nname = \"a\"\nwebhook = \"http://h/\"\n[[alert]]\nname = \"a\"\nwebhook = \"http://h/\"\n",
         "c.toml:5:8: alert.name: 'a' is defined twice"},
        {"[[alert]]\nname = \"a\"\nwebhook = \"ftp://h/\"\n", "c.toml:3:11: alert.webhook must be an http:// or https:// URL"},
        {"[[alert]]\nname = \"a\"\nwebhook = \"http://h/\"\nstates = [\"up\"]\n",
         "c.toml:4:10: alert.states: 'up' is not a state to alert on (warning, down)"},
        {"[[alert]]\nname = \"a\"\nwebhook = \"http://h/\"\nstates = []\n", "c.toml:4:10: alert.states must not be empty"},
        {"[[alert]]\nname = \"a\"\nwebhook = \"http://h/\"\nservers = [1]\n",
         "c.toml:4:12: alert.servers must be a list of strings"},
        {"[[alert]]\nname = \"a\"\nwebhook = \"http://h/\"\nfor_seconds = -1\n",
         "c.toml:4:15: alert.for_seconds must be 0 to 604800 seconds"},
        {"[[alert]]\nname = \"a\"\nwebhook = \"http://h/\"\nfor_seconds = 1.5\n",
         "c.toml:4:15: alert.for_seconds must be 0 to 604800 seconds"},
        {"[[alert]]\nname = \"a\"\nwebhook = \"http://h/\"\nrecovery = \"yes\"\n",
         "c.toml:4:12: alert.recovery must be true or false"},
        {"[[alert]]\nname = \"a\"\nwebhook = \"http://h/\"\nchannel = \"x\"\n", "c.toml:4:11: unknown key 'alert.channel'"},
        {"[[alert]]\nname = \"a\"\ncommand = [\"page\"]\n",
         "c.toml:3:11: alert.command: the program must be an absolute path, got 'page'"},
        {"[[alert]]\nname = \"a\"\ncommand = []\n", "c.toml:3:11: alert.command must not be empty"},
        {"[[alert]]\nname = \"a\"\nemail = \"noc@example.com\"\n", "c.toml:3:9: alert.email must be a table"},
        {"[[alert]]\nname = \"a\"\nemail = { smtp = \"smtp://m:25\", from = \"a@b\" }\n",
         "c.toml:3:9: alert.email needs to"},
        {"[[alert]]\nname = \"a\"\nemail = { smtp = \"http://m\", from = \"a@b\", to = [\"c@d\"] }\n",
         "c.toml:3:18: alert.email.smtp must be a URL smtp://HOST:PORT"},
        {"[[alert]]\nname = \"a\"\nemail = { smtp = \"smtp://m\", from = \"a@b\", to = [\"nobody\"] }\n",
         "c.toml:3:49: alert.email.to: 'nobody' is not an e-mail address"},
        {"[[alert]]\nname = \"a\"\nemail = { smtp = \"smtp://m\", from = \"a@b\", to = \"c@d\", port = 25 }\n",
         "c.toml:3:63: unknown key 'alert.email.port'"},
        {"[[alert]]\nname = \"a\"\nemail = { smtp = \"smtp://m\", from = \"a@b\", to = \"c@d\", password_file = \"/p\" }\n",
         "c.toml:3:9: alert.email.password_file needs a username"},
        {"alert = 1\n", "c.toml:1:9: alert must be an array of tables [[alert]]"},
    };
    for (const auto& row : rows) {
        INFO(row.text);
        auto cfg = parse_controller_config(row.text, "c.toml");
        REQUIRE_FALSE(cfg);
        CHECK_THAT(cfg.error(), Catch::Contains(row.says));
    }
}

TEST_CASE("controller config: the [[alert]] sample in examples/controller.toml parses once uncommented") {
    std::ifstream in(std::string(PATCHBAY_SOURCE_DIR) + "/examples/controller.toml");
    REQUIRE(in);
    std::string line, text;
    bool in_alert = false;
    while (std::getline(in, line)) {
        if (line == "# [[alert]]") in_alert = true;
        if (in_alert && line.rfind("# ", 0) == 0) text += line.substr(2) + "\n";
    }
    auto cfg = parse_controller_config(text, "controller.toml");
    INFO(text);
    REQUIRE(cfg);
    REQUIRE(cfg->alerts.size() == 1);
    CHECK(channel_names(cfg->alerts[0]) == std::vector<std::string>{"webhook", "email", "command"});
}
