#include <catch2/catch.hpp>

#include "seed.h"
#include "store.h"
#include "temp_dir.h"

using namespace patchbay;

TEST_CASE("every mutation bumps its zone's serial; a no-op does not") {
    test::TempDir tmp;
    auto store = Store::open(tmp.db());
    REQUIRE(store);
    auto zone = store->add_zone("hostdomain.com");
    REQUIRE(zone);
    CHECK(zone->serial == 1);
    uint32_t serial = 1;
    for (const auto& t : test::seed_tuples()) {
        auto c = store->put_tuple(t);
        REQUIRE(c);
        CHECK(c->changed);
        CHECK(c->serial == ++serial);
    }
    auto again = store->put_tuple(test::seed_tuples()[0]);
    REQUIRE(again);
    CHECK_FALSE(again->changed);
    CHECK(again->serial == serial);

    auto reweighted = test::seed_tuples()[0];
    reweighted.weight = 7;
    auto update = store->put_tuple(reweighted);
    REQUIRE(update);
    CHECK(update->serial == ++serial);
    auto tuples = store->tuples("hostdomain.com");
    REQUIRE(tuples);
    CHECK(tuples->size() == 5);
    CHECK((*tuples)[0].weight == 7);

    auto removed = store->remove_tuple("hostdomain.com", test::seed_tuples()[4].key);
    REQUIRE(removed);
    CHECK(removed->serial == ++serial);
    CHECK(store->tuples()->size() == 4);
}

TEST_CASE("errors say what is missing or already there, and change nothing") {
    test::TempDir tmp;
    auto store = Store::open(tmp.db());
    REQUIRE(store);
    REQUIRE(store->add_zone("hostdomain.com"));
    auto dup = store->add_zone("hostdomain.com");
    REQUIRE_FALSE(dup);
    CHECK(dup.kind() == ErrorKind::conflict);

    auto orphan = test::seed_tuples()[0];
    orphan.domain = "other.com";
    auto r = store->put_tuple(orphan);
    REQUIRE_FALSE(r);
    CHECK(r.kind() == ErrorKind::not_found);
    CHECK_THAT(r.error(), Catch::Contains("no zone other.com"));

    auto gone = store->remove_tuple("hostdomain.com", test::seed_tuples()[0].key);
    REQUIRE_FALSE(gone);
    CHECK(gone.kind() == ErrorKind::not_found);
    CHECK(store->zones()->at(0).serial == 1);
}

TEST_CASE("what was committed is there after reopening") {
    test::TempDir tmp;
    {
        auto store = Store::open(tmp.db());
        REQUIRE(store);
        REQUIRE(store->add_zone("hostdomain.com"));
        for (const auto& t : test::seed_tuples()) REQUIRE(store->put_tuple(t));
        REQUIRE(store->put_agent({"h121", *Endpoint::parse("10.10.10.121:5300"), {"hostdomain.com"}, 42}));
        REQUIRE(store->add_token_hash("admin", "abc"));
    }
    auto store = Store::open(tmp.db());
    REQUIRE(store);
    CHECK(store->zones()->at(0).serial == 6);
    CHECK(*store->tuples() == test::seed_tuples());
    auto agents = store->agents();
    REQUIRE(agents->size() == 1);
    CHECK(agents->at(0).notify->str() == "10.10.10.121:5300");
    CHECK(agents->at(0).domains == std::vector<std::string>{"hostdomain.com"});
    CHECK(*store->has_token_hash("abc"));
    CHECK_FALSE(*store->has_token_hash("abd"));
}

TEST_CASE("removing a zone removes its tuples") {
    test::TempDir tmp;
    auto store = Store::open(tmp.db());
    REQUIRE(store->add_zone("hostdomain.com"));
    for (const auto& t : test::seed_tuples()) REQUIRE(store->put_tuple(t));
    REQUIRE(store->remove_zone("hostdomain.com"));
    CHECK(store->zones()->empty());
    CHECK(store->tuples()->empty());
    CHECK(store->remove_zone("hostdomain.com").kind() == ErrorKind::not_found);
}

TEST_CASE("an unwritable path is a clear error") {
    auto store = Store::open("/proc/patchbay/no.db");
    REQUIRE_FALSE(store);
    CHECK_THAT(store.error(), Catch::Contains("/proc/patchbay/no.db"));
}

TEST_CASE("replace_zone: one change for the whole content; the same content changes nothing") {
    test::TempDir tmp;
    auto store = Store::open(tmp.db());
    REQUIRE(store);
    auto tuples = test::seed_tuples();
    Record mx{std::string("\x0bhostdomain\x03" "com\x00", 16), 15, 300, std::string("\x00\x0a\x04mail\x0bhostdomain\x03" "com\x00", 23)};

    // A new zone takes the file's serial.
    auto created = store->replace_zone("hostdomain.com", tuples, {mx}, 2024010101u, "zone import");
    REQUIRE(created);
    CHECK(created->changed);
    CHECK(created->serial == 2024010101u);
    CHECK(store->tuples("hostdomain.com")->size() == tuples.size());
    REQUIRE(store->records("hostdomain.com")->size() == 1);
    CHECK(store->records("hostdomain.com")->front() == mx);

    // The same again: no change, serial kept.
    auto same = store->replace_zone("hostdomain.com", tuples, {mx}, 1, "zone import");
    REQUIRE(same);
    CHECK_FALSE(same->changed);
    CHECK(same->serial == 2024010101u);

    // An older serial in the file still moves the zone forward (RFC 1982).
    tuples.pop_back();
    auto fewer = store->replace_zone("hostdomain.com", tuples, {}, 5, "zone import");
    REQUIRE(fewer);
    CHECK(fewer->serial == 2024010102u);
    CHECK(store->tuples("hostdomain.com")->size() == tuples.size());
    CHECK(store->records("hostdomain.com")->empty());

    // A newer one is taken.
    auto newer = store->replace_zone("hostdomain.com", {}, {mx}, 2025000000u, "zone import");
    REQUIRE(newer);
    CHECK(newer->serial == 2025000000u);

    // Removing the zone removes its records.
    REQUIRE(store->remove_zone("hostdomain.com"));
    CHECK(store->records("hostdomain.com")->empty());
}

TEST_CASE("replace_zone: a tuple of another zone is refused and nothing changes") {
    test::TempDir tmp;
    auto store = Store::open(tmp.db());
    REQUIRE(store);
    auto tuples = test::seed_tuples();
    tuples[0].domain = "other.com";
    auto r = store->replace_zone("hostdomain.com", tuples, {}, 1, "zone import");
    REQUIRE_FALSE(r);
    CHECK(r.error().find("belongs to other.com") != std::string::npos);
    CHECK(store->zones()->empty());
}

TEST_CASE("store: a database made before accounts gains their columns; old tokens stay admin") {
    test::TempDir tmp;
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(tmp.db().c_str(), &db) == SQLITE_OK);
        const char* old_schema =
            "CREATE TABLE zones (name TEXT PRIMARY KEY, serial INTEGER NOT NULL);"
            "CREATE TABLE tokens (sha256 TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL);"
            "INSERT INTO zones VALUES ('hostdomain.com', 7);"
            "INSERT INTO tokens VALUES ('abcdef0123456789', 'admin', 1700000000);";
        REQUIRE(sqlite3_exec(db, old_schema, nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    auto store = Store::open(tmp.db());
    REQUIRE(store);
    auto zones = store->zones();
    REQUIRE(zones);
    REQUIRE(zones->size() == 1);
    CHECK((*zones)[0].serial == 7);
    CHECK((*zones)[0].account.empty());
    auto tokens = store->tokens();
    REQUIRE(tokens);
    REQUIRE(tokens->size() == 1);
    CHECK((*tokens)[0].role == "admin");
    CHECK((*tokens)[0].account.empty());
    CHECK((*tokens)[0].id() == "abcdef012345");
    // The new columns are used from now on; opening again migrates nothing twice.
    REQUIRE(store->add_account("a"));
    REQUIRE(store->add_zone("a.example", "a"));
    auto again = Store::open(tmp.db());
    REQUIRE(again);
    CHECK((*again->zone("a.example"))->account == "a");
}

TEST_CASE("store: accounts are named, unique, and kept while they own zones") {
    test::TempDir tmp;
    auto store = Store::open(tmp.db());
    REQUIRE(store);
    CHECK(store->add_account("Bad_Name").error() ==
          "account name 'Bad_Name': only lower-case letters, digits and '-' may be used");
    CHECK(store->add_account("").error() == "account name '': must not be empty");
    CHECK(store->add_account(std::string(64, 'a')).error().ends_with("is longer than 63 characters"));
    REQUIRE(store->add_account("a-1"));
    CHECK(store->add_account("a-1").kind() == ErrorKind::conflict);
    REQUIRE(store->add_zone("a.example", "a-1"));
    REQUIRE(store->add_zone("b.example", "a-1"));
    REQUIRE(store->add_token_hash("ci", "digest-1", "a-1", "account-viewer"));
    REQUIRE(store->add_token_hash("admin", "digest-2"));
    auto refused = store->remove_account("a-1");
    CHECK(refused.kind() == ErrorKind::conflict);
    CHECK(refused.error() == "account a-1 still has 2 zones");
    // replace_zone keeps an existing zone's account, gives a new one the account asked.
    REQUIRE(store->replace_zone("a.example", {}, {}, std::nullopt, "zone import", ""));
    CHECK((*store->zone("a.example"))->account == "a-1");
    REQUIRE(store->replace_zone("new.example", {}, {}, std::nullopt, "zone import", "a-1"));
    CHECK((*store->zone("new.example"))->account == "a-1");
    for (const char* z : {"a.example", "b.example", "new.example"}) REQUIRE(store->remove_zone(z));
    auto removed = store->remove_account("a-1");
    REQUIRE(removed);
    CHECK(*removed == std::vector<std::string>{"digest-1"});
    CHECK(store->tokens()->size() == 1);
    CHECK(store->accounts()->empty());
    CHECK(store->remove_account("a-1").kind() == ErrorKind::not_found);
    CHECK(store->remove_token("digest-1").kind() == ErrorKind::not_found);
    REQUIRE(store->remove_token("digest-2"));
}

TEST_CASE("store: each change's row names the tuples it placed and removed, and its id comes back") {
    test::TempDir tmp;
    auto store = Store::open(tmp.db());
    REQUIRE(store);
    auto seed = test::seed_tuples();
    auto keys = [](std::vector<Tuple> tuples) {
        std::vector<TupleKey> out;
        for (const auto& t : tuples) out.push_back(t.key);
        std::sort(out.begin(), out.end());
        return out;
    };
    auto row = [&](const Result<Change>& c) {
        REQUIRE(c);
        REQUIRE(c->id > 0);
        auto r = store->change(c->id);
        REQUIRE(r);
        REQUIRE(*r);
        CHECK((*r)->serial == c->serial);
        return (*r)->tuples;
    };
    CHECK(row(store->add_zone("hostdomain.com")) == ChangeTuples{});
    CHECK(row(store->put_tuple(seed[0])) == ChangeTuples{{seed[0].key}, {}});
    auto reweighted = seed[0];
    reweighted.weight = 7;
    CHECK(row(store->put_tuple(reweighted)) == ChangeTuples{{seed[0].key}, {}});  // its unit must (still) run
    auto same = store->put_tuple(reweighted);
    REQUIRE(same);
    CHECK(same->id == 0);  // nothing changed: no row
    CHECK(row(store->remove_tuple("hostdomain.com", seed[0].key)) == ChangeTuples{{}, {seed[0].key}});
    // A replacement: what it added or changed, and what it dropped.
    std::vector<Tuple> first(seed.begin(), seed.begin() + 3), second(seed.begin() + 2, seed.end());
    CHECK(row(store->replace_zone("hostdomain.com", first, {}, std::nullopt, "zone import")) ==
          ChangeTuples{keys(first), {}});
    CHECK(row(store->replace_zone("hostdomain.com", second, {}, std::nullopt, "zone import")) ==
          ChangeTuples{keys({seed.begin() + 3, seed.end()}), keys({seed.begin(), seed.begin() + 2})});
    CHECK(row(store->replace_zone("fresh.example", {}, {}, std::nullopt, "zone import")) == ChangeTuples{});
    // Removing a zone removes all it had; a zone made from a template places them all.
    CHECK(row(store->remove_zone("hostdomain.com")) == ChangeTuples{{}, keys(second)});
    std::vector<Tuple> templated = first;
    for (auto& t : templated) t.domain = "t.example";
    CHECK(row(store->add_zone("t.example", "", "web", templated)) == ChangeTuples{keys(templated), {}});
}
