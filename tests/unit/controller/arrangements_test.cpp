// The timelines page's arrangements: what a body may say, and the store per user.
#include <catch2/catch.hpp>

#include "arrangements.h"
#include "temp_dir.h"

using namespace patchbay;
using nlohmann::json;

TEST_CASE("arrangements: names a user may save under") {
    for (const char* good : {"mine", "Night shift", "a.b_c-d", "@current", "x"}) {
        INFO(good);
        CHECK(check_arrangement_name(good).ok());
    }
    for (const char* bad : {"", " lead", "trail ", "a/b", "@other", "tab\there", "ü"}) {
        INFO(bad);
        auto r = check_arrangement_name(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().rfind("arrangement name '", 0) == 0);
    }
    CHECK_FALSE(check_arrangement_name(std::string(65, 'a')).ok());
}

TEST_CASE("arrangements: a body is order and pinned, lists of server names; errors name the field") {
    auto a = arrangement_from(json{{"order", {"h2", "h1"}}, {"pinned", {"h3"}}}, "mine");
    REQUIRE(a.ok());
    CHECK(a->order == std::vector<std::string>{"h2", "h1"});
    CHECK(a->pinned == std::vector<std::string>{"h3"});
    CHECK(arrangement_from(json::object(), "mine")->order.empty());
    auto error = [](const json& body) {
        auto r = arrangement_from(body, "mine");
        REQUIRE_FALSE(r.ok());
        return r.error();
    };
    CHECK(error(json::array()) == "the body must be a JSON object {\"order\": [...], \"pinned\": [...]}");
    CHECK(error(json{{"order", "h1"}}) == "order: must be an array of server names");
    CHECK(error(json{{"order", {"h1", 7}}}) == "order[1]: must be a server name (a string)");
    CHECK(error(json{{"pinned", {"h1", "h1"}}}) == "pinned[1]: 'h1' twice");
    CHECK(error(json{{"order", {""}}}) == "order[0]: a server name is 1 to 253 bytes");
    CHECK(error(json{{"colour", "red"}}) == "colour: unknown field (expected order, pinned)");
    CHECK(error(json{{"order", std::vector<std::string>(10001, "x")}}) == "order: 10001 names, at most 10000");
    CHECK(arrangement_from(json::object(), "a/b").error() ==
          "arrangement name 'a/b': letters, digits, space, '.', '_' and '-' only");
}

TEST_CASE("arrangements: each user keeps its own; saved again replaces; removed is gone") {
    test::TempDir dir;
    auto store = Arrangements::open(dir.db());
    REQUIRE(store);
    Arrangements& s = **store;
    ArrangementOwner alice{"a", "alice"}, bob{"a", "bob"}, other{"b", "alice"};
    Arrangement mine{"mine", {"h2", "h1"}, {"h3"}, 1000};
    REQUIRE(s.put(alice, mine));
    REQUIRE(s.put(alice, Arrangement{kCurrentArrangement, {"h1"}, {}, 2000}));
    CHECK(s.get(alice, "mine").value() == mine);
    // Another user of the same account, and a same-named user of another account, see none.
    CHECK(s.get(bob, "mine").kind() == ErrorKind::not_found);
    CHECK(s.get(other, "mine").error() == "no arrangement 'mine'");
    CHECK(s.list(bob)->empty());
    auto all = s.list(alice);
    REQUIRE(all);
    REQUIRE(all->size() == 2);
    CHECK((*all)[0].name == kCurrentArrangement);  // '@' sorts first
    CHECK((*all)[1] == mine);
    mine.order = {"h1"};
    mine.at_ms = 3000;
    REQUIRE(s.put(alice, mine));
    CHECK(s.get(alice, "mine")->order == std::vector<std::string>{"h1"});
    CHECK(s.remove(bob, "mine").kind() == ErrorKind::not_found);
    REQUIRE(s.remove(alice, "mine"));
    CHECK(s.get(alice, "mine").kind() == ErrorKind::not_found);
    // Kept across a reopen (a restart of the controller).
    store->reset();
    auto again = Arrangements::open(dir.db());
    REQUIRE(again);
    CHECK((*again)->get(alice, kCurrentArrangement)->order == std::vector<std::string>{"h1"});
    CHECK(owner_of(Principal{Role::admin, "", "root"}).account.empty());
    CHECK(owner_of(Principal{Role::account_viewer, "a", "v"}).user == "v");
}
