// What the live stream says of state changes, committed changes and applied serials, and
// to whom (live_events.h).
#include <catch2/catch.hpp>

#include "live_events.h"

using namespace patchbay;

TEST_CASE("live events: state changes, with a shared server's reason left out") {
    auto t = parse_tuple("a.example", "http", "tcp", "10.0.0.1", "80");
    REQUIRE(t);
    std::vector<StateChange> changes = {
        {1000, "h1", InstanceRef{t->domain, t->key}, Health::up, Health::down, "unit failed", {"a"}},
        {1000, "h1", std::nullopt, Health::up, Health::down, "http/tcp 10.0.0.1:80: unit failed", {"a"}},
        {1000, "h2", std::nullopt, Health::up, Health::down, "b.example's instance failed", {"a", "b"}},
    };
    auto events = state_events(changes);
    REQUIRE(events.size() == 3);
    CHECK(events[0].name == "state");
    CHECK(events[0].accounts == std::vector<std::string>{"a"});
    CHECK(events[0].data["instance"]["address"] == "10.0.0.1");
    CHECK(events[0].data["reason"] == "unit failed");
    CHECK(events[1].data["reason"] == "http/tcp 10.0.0.1:80: unit failed");  // one account: its own
    CHECK(events[2].data["reason"].is_null());
    CHECK(events[2].accounts == std::vector<std::string>{"a", "b"});
}

TEST_CASE("live events: a change, to its zone's account; the platform's to admins") {
    auto e = change_event(Change{"a.example", 7, true}, "a");
    CHECK(e.name == "change");
    CHECK(e.data == nlohmann::json{{"zone", "a.example"}, {"serial", 7}});
    CHECK(e.accounts == std::vector<std::string>{"a"});
    CHECK(change_event(Change{"p.example", 1, true}, "").accounts.empty());
}

TEST_CASE("live events: applied serials, each account hearing of its own domains only") {
    SerialsMoved moved{"h1", {{"a.example", 3}, {"a2.example", 4}, {"b.example", 5}, {"p.example", 6}, {"x.test", 1}}};
    auto account_of = [](const std::string& d) -> std::optional<std::string> {
        if (d.starts_with("a")) return "a";
        if (d == "b.example") return "b";
        if (d == "p.example") return "";
        return std::nullopt;
    };
    auto events = applied_events(moved, account_of);
    REQUIRE(events.size() == 3);
    CHECK(events[0].accounts.empty());  // the platform's and unknown domains: admins only
    CHECK(events[0].data["serials"] == nlohmann::json{{"p.example", 6}, {"x.test", 1}});
    CHECK(events[1].accounts == std::vector<std::string>{"a"});
    CHECK(events[1].data == nlohmann::json{{"server", "h1"}, {"serials", {{"a.example", 3}, {"a2.example", 4}}}});
    CHECK(events[2].accounts == std::vector<std::string>{"b"});
    CHECK(events[2].data["serials"] == nlohmann::json{{"b.example", 5}});
}
