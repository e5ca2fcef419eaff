// Controller::on_change: every committed change that moved a serial is told, with its
// zone's account — also a zone's removal, whose account is gone by then (the page's live
// stream shows an account only its own changes).
#include <catch2/catch.hpp>

#include "controller.h"
#include "temp_dir.h"

using namespace patchbay;

TEST_CASE("controller: every change is told with its zone's account, a zone's removal too") {
    test::TempDir dir;
    auto store = Store::open(dir.db());
    REQUIRE(store);
    Controller c(std::move(*store), DnsSettings{});
    REQUIRE(c.snapshot());
    std::vector<std::string> told;
    c.on_change([&](const Change& change, const std::string& account) {
        told.push_back(change.zone + " " + std::to_string(change.serial) + " " + (account.empty() ? "-" : account));
    });
    REQUIRE(c.add_account("a"));
    REQUIRE(c.add_zone("a.example", "a"));
    REQUIRE(c.add_zone("p.example"));
    auto t = parse_tuple("a.example", "http", "tcp", "10.0.0.1", "80");
    REQUIRE(t);
    REQUIRE(c.put_tuple(*t));
    REQUIRE(c.put_tuple(*t));  // the same again changes nothing: not told
    REQUIRE(c.remove_zone("a.example"));
    CHECK(told == std::vector<std::string>{"a.example 1 a", "p.example 1 -", "a.example 2 a", "a.example 2 a"});
}
