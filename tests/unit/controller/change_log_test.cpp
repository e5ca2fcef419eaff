// The change log (Store::changes / change): who made each change, when to the
// millisecond, under which account; listings by zone, account and after an id; an
// older database keeps its rows readable and gains the new columns.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <chrono>

#include "seed.h"
#include "store.h"
#include "temp_dir.h"

using namespace patchbay;

namespace {

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// A filter spelled out (designated initializers would warn of the members left out).
ChangeFilter filter(std::optional<std::string> zone, std::optional<std::string> account = std::nullopt,
                    std::optional<int64_t> after = std::nullopt, size_t limit = 100) {
    ChangeFilter f;
    f.zone = std::move(zone);
    f.account = std::move(account);
    f.after_id = after;
    f.limit = limit;
    return f;
}

}  // namespace

TEST_CASE("change log: every mutation keeps its author, zone account and time in ms") {
    test::TempDir tmp;
    auto store = Store::open(tmp.db());
    REQUIRE(store);
    REQUIRE(store->add_account("a"));
    int64_t before = now_ms();
    REQUIRE(store->add_zone("hostdomain.com", "a", "", {}, "token:alice"));
    auto tuple = test::seed_tuples()[0];
    REQUIRE(store->put_tuple(tuple, "token:bob"));
    REQUIRE(store->remove_tuple("hostdomain.com", tuple.key, "token:alice"));
    REQUIRE(store->replace_zone("hostdomain.com", {tuple}, {}, std::nullopt, "dns update", "", "tsig:k1."));
    REQUIRE(store->add_zone("platform.example"));  // no author given: ''
    REQUIRE(store->remove_zone("hostdomain.com", "token:carol"));
    int64_t after = now_ms();

    auto all = store->changes({});
    REQUIRE(all);
    REQUIRE(all->size() == 6);
    // Newest first.
    const auto& rm = (*all)[0];
    CHECK(rm.action == "zone rm");
    CHECK(rm.author == "token:carol");
    CHECK(rm.account == "a");  // kept after the zone is gone
    CHECK(rm.serial == 4);
    CHECK((*all)[1].zone == "platform.example");
    CHECK((*all)[1].author.empty());
    CHECK((*all)[1].account.empty());
    CHECK((*all)[2].action == "dns update");
    CHECK((*all)[2].author == "tsig:k1.");
    CHECK((*all)[2].account == "a");
    CHECK((*all)[3].action == "tuple rm");
    CHECK((*all)[4].author == "token:bob");
    CHECK((*all)[4].serial == 2);
    CHECK((*all)[5].action == "zone add");
    CHECK((*all)[5].author == "token:alice");
    for (const auto& c : *all) {
        CHECK(c.at_ms >= before);
        CHECK(c.at_ms <= after);
    }
    CHECK((*all)[0].id > (*all)[5].id);

    auto one = store->change((*all)[4].id);
    REQUIRE(one);
    REQUIRE(*one);
    CHECK((*one)->author == "token:bob");
    CHECK((*one)->detail == (*all)[4].detail);
    auto none = store->change(9999);
    REQUIRE(none);
    CHECK_FALSE(*none);
}

TEST_CASE("change log: listings by zone, by account, after an id, newest N") {
    test::TempDir tmp;
    auto store = Store::open(tmp.db());
    REQUIRE(store);
    REQUIRE(store->add_account("a"));
    REQUIRE(store->add_account("b"));
    REQUIRE(store->add_zone("hostdomain.com", "a", "", {}, "token:a"));
    REQUIRE(store->add_zone("b.example", "b", "", {}, "token:b"));
    for (const auto& t : test::seed_tuples()) REQUIRE(store->put_tuple(t, "token:a"));  // 5 in hostdomain.com

    auto zone = store->changes(filter("hostdomain.com"));
    REQUIRE(zone);
    CHECK(zone->size() == 6);
    for (const auto& c : *zone) CHECK(c.zone == "hostdomain.com");

    auto b = store->changes(filter(std::nullopt, "b"));
    REQUIRE(b);
    REQUIRE(b->size() == 1);
    CHECK((*b)[0].zone == "b.example");
    auto platform = store->changes(filter(std::nullopt, ""));
    REQUIRE(platform);
    CHECK(platform->empty());

    auto newest = store->changes(filter(std::nullopt, std::nullopt, std::nullopt, 2));
    REQUIRE(newest);
    REQUIRE(newest->size() == 2);
    CHECK((*newest)[0].serial == 6);
    CHECK((*newest)[1].serial == 5);

    auto all = store->changes({});
    REQUIRE(all);
    REQUIRE(all->size() == 7);
    int64_t third = (*all)[4].id;  // the third change made
    auto after = store->changes(filter(std::nullopt, std::nullopt, third));
    REQUIRE(after);
    CHECK(after->size() == 4);
    for (const auto& c : *after) CHECK(c.id > third);
    auto after_in_b = store->changes(filter("b.example", std::nullopt, third));
    REQUIRE(after_in_b);
    CHECK(after_in_b->empty());
}

TEST_CASE("change log: an older database gains author, at_ms and account; its rows stay readable") {
    test::TempDir tmp;
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(tmp.db().c_str(), &db) == SQLITE_OK);
        const char* old_schema =
            "CREATE TABLE zones (name TEXT PRIMARY KEY, serial INTEGER NOT NULL, account TEXT NOT NULL DEFAULT '');"
            "CREATE TABLE changes (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, zone TEXT NOT NULL,"
            "  serial INTEGER NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL);"
            "INSERT INTO zones VALUES ('hostdomain.com', 7, 'a');"
            "INSERT INTO changes (at, zone, serial, action, detail) VALUES (1700000000, 'hostdomain.com', 7, 'zone add', 'x');"
            "INSERT INTO changes (at, zone, serial, action, detail) VALUES (1700000001, 'gone.example', 3, 'zone rm', 'y');";
        REQUIRE(sqlite3_exec(db, old_schema, nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    auto store = Store::open(tmp.db());
    REQUIRE(store);
    auto all = store->changes({});
    REQUIRE(all);
    REQUIRE(all->size() == 2);
    CHECK((*all)[0].zone == "gone.example");
    CHECK((*all)[0].at_ms == 1700000001000);
    CHECK((*all)[0].account.empty());  // its zone is gone: the platform's, admins only
    CHECK((*all)[0].author.empty());
    CHECK((*all)[1].at_ms == 1700000000000);
    CHECK((*all)[1].account == "a");  // read from its zone
    CHECK((*all)[1].author.empty());

    // New rows carry the new columns; opening again migrates nothing twice.
    REQUIRE(store->add_account("a"));
    auto t = test::seed_tuples()[0];
    REQUIRE(store->put_tuple(t, "token:alice"));
    auto again = Store::open(tmp.db());
    REQUIRE(again);
    auto newest = again->changes(filter(std::nullopt, std::nullopt, std::nullopt, 1));
    REQUIRE(newest);
    REQUIRE(newest->size() == 1);
    CHECK((*newest)[0].author == "token:alice");
    CHECK((*newest)[0].serial == 8);
    CHECK((*newest)[0].at_ms > 1700000001000);
    auto of_a = again->changes(filter(std::nullopt, "a"));
    REQUIRE(of_a);
    CHECK(of_a->size() == 2);
}
