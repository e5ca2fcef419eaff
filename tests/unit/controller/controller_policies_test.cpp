// Controller and accounts' settings: two accounts with different rules answer the same
// question differently; a bad file changes nothing; versions, rollback and reopening
// the store; a template makes a zone; load and health rebuild exactly the mapped zones
// they touch; explain names the rule.
#include <catch2/catch.hpp>

#include <algorithm>

#include "controller.h"
#include "dns_client.h"
#include "temp_dir.h"

using namespace patchbay;

namespace {

// Both accounts place http on the same three servers; a is answered by region, b with
// one server by failover.
const char* settings_a = R"(
[regions.eu]
networks = ["192.0.2.0/24"]
[regions.us]
networks = ["198.51.100.0/24"]
[servers."10.0.0.1"]
region = "eu"
[servers."10.0.0.2"]
region = "us"
[templates.web]
tuples = [ { service = "http", transport = "tcp", address = "10.0.0.1", port = 80 },
           { service = "http", transport = "tcp", address = "10.0.0.2", port = 80 } ]
[[rule]]
name = "by-region"
service = "http"
strategy = "geo"
)";

const char* settings_b = R"(
[[rule]]
name = "one-primary"
service = "http"
strategy = "failover"
count = 1
)";

const char* settings_b_load = R"(
[[rule]]
name = "by-load"
service = "http"
strategy = "load"
)";

struct Fixture {
    test::TempDir tmp;
    std::unique_ptr<Controller> controller;

    Fixture() { open(true); }
    void open(bool fresh) {
        controller.reset();
        auto store = Store::open(tmp.db());
        REQUIRE(store);
        controller = std::make_unique<Controller>(std::move(*store), DnsSettings{60, {}});
        if (fresh) {
            REQUIRE(controller->add_account("a"));
            REQUIRE(controller->add_account("b"));
            for (const char* zone : {"a.example", "b.example"}) {
                const char* account = zone[0] == 'a' ? "a" : "b";
                REQUIRE(controller->add_zone(zone, account));
                REQUIRE(controller->put_tuple(*parse_tuple(zone, "http", "tcp", "10.0.0.1", "80", "1")));
                REQUIRE(controller->put_tuple(*parse_tuple(zone, "http", "tcp", "10.0.0.2", "80", "1")));
                REQUIRE(controller->put_tuple(*parse_tuple(zone, "http", "tcp", "10.0.0.3", "80", "2")));
            }
        }
        REQUIRE(controller->snapshot());
    }
    // The client view's SRV targets ("1 100 80 ip4-…") for `source`.
    std::vector<std::string> ask(const char* zone, const char* source) {
        auto policies = controller->policy_view();
        ClientQuery client{policies.get(), *Address::parse(source), std::nullopt};
        std::string name = std::string("_http._tcp.") + zone;
        auto r = test::ask(*controller->client_view(), {name.c_str(), KNOT_RRTYPE_SRV}, &client);
        std::vector<std::string> out;
        for (const auto& line : r.answer) out.push_back(line.substr(line.find(" SRV ") + 5));
        std::sort(out.begin(), out.end());
        return out;
    }
};

using L = std::vector<std::string>;

}  // namespace

TEST_CASE("controller policies: two accounts, two rule sets, one question") {
    Fixture f;
    const L all_a = {"1 100 80 ip4-10-0-0-1.a.example.", "1 100 80 ip4-10-0-0-2.a.example.",
                     "2 100 80 ip4-10-0-0-3.a.example."};
    CHECK(f.ask("a.example", "192.0.2.9") == all_a);  // no settings yet: all healthy

    auto a = f.controller->put_settings("a", settings_a, "a.toml", "tester");
    REQUIRE(a);
    CHECK(a->version == 1);
    REQUIRE(f.controller->put_settings("b", settings_b, "b.toml", "tester"));

    CHECK(f.ask("a.example", "192.0.2.9") == L{"1 100 80 ip4-10-0-0-1.a.example."});
    CHECK(f.ask("a.example", "198.51.100.9") == L{"1 100 80 ip4-10-0-0-2.a.example."});
    CHECK(f.ask("b.example", "192.0.2.9") == L{"1 100 80 ip4-10-0-0-1.b.example."});
    CHECK(f.ask("b.example", "198.51.100.9") == L{"1 100 80 ip4-10-0-0-1.b.example."});

    // Health: 10.0.0.1 down in b moves b's answer, and a's zone keeps its own.
    auto health = std::make_shared<const HealthMap>(
        HealthMap{{InstanceRef{"b.example", {"http", "tcp", *Address::parse("10.0.0.1"), 80}}, Health::down}});
    f.controller->set_health(health);
    CHECK(f.ask("b.example", "192.0.2.9") == L{"1 100 80 ip4-10-0-0-2.b.example."});
    CHECK(f.ask("a.example", "192.0.2.9") == L{"1 100 80 ip4-10-0-0-1.a.example."});
}

TEST_CASE("controller policies: a bad file is refused whole, with its place") {
    Fixture f;
    REQUIRE(f.controller->put_settings("a", settings_a, "a.toml", "tester"));
    auto bad = f.controller->put_settings("a", "[[rule]]\nservice = \"http\"\nstrategy = \"nearest\"\n", "a.toml",
                                          "tester");
    REQUIRE_FALSE(bad);
    CHECK(bad.kind() == ErrorKind::invalid);
    CHECK_THAT(bad.error(), Catch::StartsWith("a.toml:3:"));
    CHECK_THAT(bad.error(), Catch::Contains("nearest"));
    auto history = f.controller->settings_history("a");
    REQUIRE(history);
    CHECK(history->size() == 1);
    CHECK(f.ask("a.example", "192.0.2.9") == L{"1 100 80 ip4-10-0-0-1.a.example."});  // still in force

    auto check = f.controller->check_settings("[mapping]\nttl = 0\n", "x.toml");
    REQUIRE_FALSE(check);
    CHECK_THAT(check.error(), Catch::StartsWith("x.toml:2:"));
    auto nobody = f.controller->put_settings("zz", settings_b, "zz.toml", "tester");
    REQUIRE_FALSE(nobody);
    CHECK(nobody.kind() == ErrorKind::not_found);
}

TEST_CASE("controller policies: versions, rollback, and the newest in force after a restart") {
    Fixture f;
    REQUIRE(f.controller->put_settings("b", settings_b, "b.toml", "alice"));
    REQUIRE(f.controller->put_settings("b", settings_b_load, "b.toml", "bob"));
    // Load rule: weights from CPU use (10.0.0.1 busy, 10.0.0.2 idle, 10.0.0.3 unknown).
    f.controller->set_load(std::make_shared<const LoadMap>(
        LoadMap{{*Address::parse("10.0.0.1"), 0.8}, {*Address::parse("10.0.0.2"), 0.0}}));
    CHECK(f.ask("b.example", "192.0.2.9") ==
          L{"1 100 80 ip4-10-0-0-2.b.example.", "1 20 80 ip4-10-0-0-1.b.example.", "1 50 80 ip4-10-0-0-3.b.example."});
    // A change under a tenth moves nothing; a bigger one moves the weight.
    f.controller->set_load(std::make_shared<const LoadMap>(
        LoadMap{{*Address::parse("10.0.0.1"), 0.82}, {*Address::parse("10.0.0.2"), 0.0}}));
    CHECK(f.ask("b.example", "192.0.2.9")[1] == "1 20 80 ip4-10-0-0-1.b.example.");
    f.controller->set_load(std::make_shared<const LoadMap>(
        LoadMap{{*Address::parse("10.0.0.1"), 0.3}, {*Address::parse("10.0.0.2"), 0.0}}));
    CHECK(f.ask("b.example", "192.0.2.9") ==
          L{"1 100 80 ip4-10-0-0-2.b.example.", "1 50 80 ip4-10-0-0-3.b.example.", "1 70 80 ip4-10-0-0-1.b.example."});

    auto back = f.controller->rollback_settings("b", 1, "carol");
    REQUIRE(back);
    CHECK(back->version == 3);
    CHECK(back->note == "rollback to version 1");
    CHECK(back->text == settings_b);
    CHECK(f.ask("b.example", "192.0.2.9") == L{"1 100 80 ip4-10-0-0-1.b.example."});
    auto missing = f.controller->rollback_settings("b", 9, "carol");
    REQUIRE_FALSE(missing);
    CHECK(missing.kind() == ErrorKind::not_found);

    auto history = f.controller->settings_history("b");
    REQUIRE(history);
    REQUIRE(history->size() == 3);
    CHECK((*history)[0].version == 3);
    CHECK((*history)[1].author == "bob");

    f.open(false);  // the controller restarted on the same store
    CHECK(f.ask("b.example", "192.0.2.9") == L{"1 100 80 ip4-10-0-0-1.b.example."});
}

TEST_CASE("controller policies: a zone from a template, and explain") {
    Fixture f;
    auto none = f.controller->add_zone("c.example", "a", "web");
    REQUIRE_FALSE(none);  // a has no settings yet, so no template
    CHECK(none.kind() == ErrorKind::not_found);
    REQUIRE(f.controller->put_settings("a", settings_a, "a.toml", "tester"));
    auto platform = f.controller->add_zone("c.example", "", "web");
    REQUIRE_FALSE(platform);
    CHECK(platform.kind() == ErrorKind::invalid);
    REQUIRE(f.controller->add_zone("c.example", "a", "web"));
    auto tuples = f.controller->tuples(std::string("c.example"));
    REQUIRE(tuples);
    CHECK(tuples->size() == 2);
    CHECK(f.ask("c.example", "198.51.100.9") == L{"1 100 80 ip4-10-0-0-2.c.example."});

    Querier q{*Address::parse("198.51.100.9"), std::nullopt, std::nullopt, 0};
    auto why = f.controller->explain("a.example", "http", "tcp", q, std::nullopt, std::nullopt);
    REQUIRE(why);
    CHECK(why->account == "a");
    CHECK(why->mapping.rule == "by-region");
    CHECK(why->answer.size() == 1);
    CHECK(std::find(why->question.begin(), why->question.end(), "region: 198.51.100.0/24 → us (table)") !=
          why->question.end());
    // A zone without rules is explained by the default rule.
    REQUIRE(f.controller->add_zone("plain.example"));
    REQUIRE(f.controller->put_tuple(*parse_tuple("plain.example", "http", "tcp", "10.0.0.9", "80")));
    auto plain = f.controller->explain("plain.example", "http", "tcp", q, std::nullopt, std::nullopt);
    REQUIRE(plain);
    CHECK(plain->mapping.rule == "default");
    auto nothing = f.controller->explain("a.example", "sip", "udp", q, std::nullopt, std::nullopt);
    REQUIRE_FALSE(nothing);
    CHECK(nothing.kind() == ErrorKind::not_found);
}

TEST_CASE("controller policies: the accounts callback follows zones and settings") {
    Fixture f;
    std::vector<AccountsSnapshotPtr> calls;
    f.controller->on_accounts([&calls](AccountsSnapshotPtr s) { calls.push_back(std::move(s)); });
    CHECK(f.controller->accounts_snapshot()->account_of("a.example") == "a");

    REQUIRE(f.controller->add_zone("a2.example", "a"));
    REQUIRE(calls.size() == 1);
    CHECK(calls.back()->account_of("a2.example") == "a");
    CHECK(calls.back()->account_of("b.example") == "b");
    REQUIRE(f.controller->add_zone("platform.example"));
    REQUIRE(calls.size() == 2);
    CHECK(calls.back()->account_of("platform.example").empty());
    CHECK_FALSE(calls.back()->zone_accounts.count("platform.example"));

    const std::string with_health = std::string(settings_b) +
                                    "\n[health]\ndown_after = 1\n\n[[alert]]\nname = \"pager\"\n"
                                    "webhook = \"https://hooks.example.com/b\"\n";
    REQUIRE(f.controller->put_settings("b", with_health, "b.toml", "tester"));
    REQUIRE(calls.size() == 3);
    REQUIRE(calls.back()->health.count("b"));
    CHECK(calls.back()->health.at("b").down_after == 1u);
    CHECK_FALSE(calls.back()->health.at("b").up_after);
    REQUIRE(calls.back()->alerts.count("b"));
    CHECK(calls.back()->alerts.at("b").at(0).name == "pager");
    CHECK_FALSE(calls.back()->health.count("a"));

    // A refused file calls nothing.
    REQUIRE_FALSE(f.controller->put_settings("b", "[health]\nperiod_seconds = 5\n", "b.toml", "tester"));
    CHECK(calls.size() == 3);

    REQUIRE(f.controller->put_settings("b", settings_b, "b.toml", "tester"));  // version 2: no [health]
    REQUIRE(calls.size() == 4);
    CHECK(calls.back()->health.empty());
    CHECK(calls.back()->alerts.empty());
    REQUIRE(f.controller->rollback_settings("b", 1, "tester"));
    REQUIRE(calls.size() == 5);
    CHECK(calls.back()->health.count("b"));

    REQUIRE(f.controller->remove_zone("a2.example"));
    REQUIRE(calls.size() == 6);
    CHECK_FALSE(calls.back()->zone_accounts.count("a2.example"));
    REQUIRE(f.controller->import_zone("$ORIGIN imported.example.\n@ 3600 IN SOA ns. h. 1 3600 600 86400 60\n",
                                      std::nullopt, "imported.zone", "a"));
    REQUIRE(calls.size() == 7);
    CHECK(calls.back()->account_of("imported.example") == "a");

    REQUIRE(f.controller->remove_zone("b.example"));
    REQUIRE(f.controller->remove_account("b"));
    CHECK(calls.back()->health.empty());
    CHECK_FALSE(calls.back()->zone_accounts.count("b.example"));

    f.controller->on_accounts(nullptr);
    REQUIRE(f.controller->add_zone("quiet.example", "a"));
    CHECK(calls.back()->account_of("quiet.example").empty());
}
