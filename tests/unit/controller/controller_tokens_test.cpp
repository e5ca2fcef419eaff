// API tokens: Controller::authenticate reads the principals held in memory, loaded when
// the controller is built and changed by add_token/create_token/revoke_token and account
// removal, never the store per request.
#include <catch2/catch.hpp>

#include "controller.h"
#include "temp_dir.h"
#include "token.h"

using namespace patchbay;

TEST_CASE("tokens: loaded at start, added by add_token, checked in memory") {
    test::TempDir dir;
    {
        auto store = Store::open(dir.db());
        REQUIRE(store);
        REQUIRE(store->add_token_hash("old", token_digest("pb_old")));
    }
    auto store = Store::open(dir.db());
    REQUIRE(store);
    Controller controller(std::move(*store), DnsSettings{});
    auto old = controller.authenticate("pb_old");  // stored before this start
    REQUIRE(old);
    CHECK(old->role == Role::admin);
    CHECK(old->account.empty());
    CHECK(old->token_name == "old");
    CHECK_FALSE(controller.authenticate("pb_new"));
    CHECK_FALSE(controller.authenticate(""));
    REQUIRE(controller.add_token("admin", "pb_new"));
    CHECK(controller.authenticate("pb_new"));
    CHECK(*controller.token_count() == 2);

    // A digest written behind the controller's back (another connection) is not asked
    // for per request: only what was loaded or added counts.
    auto other = Store::open(dir.db());
    REQUIRE(other);
    REQUIRE(other->add_token_hash("sneaky", token_digest("pb_sneaky")));
    CHECK(*other->has_token_hash(token_digest("pb_sneaky")));
    CHECK_FALSE(controller.authenticate("pb_sneaky"));
    // The store keeps digests only.
    auto digests = other->token_hashes();
    REQUIRE(digests);
    CHECK(digests->size() == 3);
    for (const auto& d : *digests) CHECK(d.size() == 64);
}

TEST_CASE("tokens: created for an account and role, revoked at once, gone with their account") {
    test::TempDir dir;
    auto store = Store::open(dir.db());
    REQUIRE(store);
    Controller controller(std::move(*store), DnsSettings{});
    REQUIRE(controller.add_account("a"));

    SECTION("pairings of role and account are checked") {
        CHECK(controller.create_token("a", Role::admin, "x").error() == "an admin token belongs to no account (got 'a')");
        CHECK(controller.create_token("", Role::account_viewer, "x").error() ==
              "a token of role account-viewer needs an account");
        auto missing = controller.create_token("nope", Role::agent, "x");
        CHECK(missing.kind() == ErrorKind::not_found);
        CHECK(missing.error() == "no account 'nope'");
        CHECK(controller.create_token("", Role::agent, "platform-agent"));  // a platform agent
    }

    auto viewer = controller.create_token("a", Role::account_viewer, "ci");
    REQUIRE(viewer);
    CHECK(viewer->token.starts_with("pb_"));
    CHECK(viewer->row.id().size() == 12);
    CHECK(viewer->row.role == "account-viewer");
    auto who = controller.authenticate(viewer->token);
    REQUIRE(who);
    CHECK(who->role == Role::account_viewer);
    CHECK(who->account == "a");
    CHECK(who->token_name == "ci");
    auto unnamed = controller.create_token("a", Role::agent, "");
    REQUIRE(unnamed);
    CHECK(unnamed->row.name == "agent");

    // The token is never stored, its digest is.
    auto rows = controller.tokens();
    REQUIRE(rows);
    for (const auto& r : *rows) CHECK(r.sha256 != viewer->token);

    SECTION("revoke by id: 401 at once; another account's scope does not see it") {
        CHECK(controller.revoke_token(viewer->row.id(), std::string("b")).kind() == ErrorKind::not_found);
        CHECK(controller.authenticate(viewer->token));
        auto revoked = controller.revoke_token(viewer->row.id(), std::string("a"));
        REQUIRE(revoked);
        CHECK(revoked->name == "ci");
        CHECK_FALSE(controller.authenticate(viewer->token));
        CHECK(controller.revoke_token(viewer->row.id(), std::nullopt).error() == "no token '" + viewer->row.id() + "'");
    }
    SECTION("revoke by name; an ambiguous name is a conflict") {
        REQUIRE(controller.create_token("a", Role::account_admin, "ci"));
        CHECK(controller.revoke_token("ci", std::nullopt).kind() == ErrorKind::conflict);
        REQUIRE(controller.revoke_token("agent", std::nullopt));
        CHECK_FALSE(controller.authenticate(unnamed->token));
    }
    SECTION("an account with zones stays; without, it goes with its tokens") {
        REQUIRE(controller.add_zone("a.example", "a"));
        CHECK(controller.zone_account("a.example") == std::optional<std::string>("a"));
        auto refused = controller.remove_account("a");
        CHECK(refused.kind() == ErrorKind::conflict);
        CHECK(refused.error() == "account a still has 1 zone");
        REQUIRE(controller.remove_zone("a.example"));
        CHECK_FALSE(controller.zone_account("a.example"));
        REQUIRE(controller.remove_account("a"));
        CHECK_FALSE(controller.authenticate(viewer->token));
        CHECK_FALSE(controller.authenticate(unnamed->token));
        CHECK(controller.remove_account("a").error() == "no account 'a'");
    }
}

TEST_CASE("zones: created in an account that exists; an import keeps an existing zone's account") {
    test::TempDir dir;
    auto store = Store::open(dir.db());
    REQUIRE(store);
    Controller controller(std::move(*store), DnsSettings{});
    REQUIRE(controller.add_account("a"));
    CHECK(controller.add_zone("b.example", "b").error() == "no account 'b'");
    CHECK_FALSE(controller.zone_account("b.example"));
    REQUIRE(controller.add_zone("a.example", "a"));
    REQUIRE(controller.add_zone("p.example"));
    CHECK(controller.zone_account("p.example") == std::optional<std::string>(""));

    auto zone_file = [](const std::string& zone) {
        return "$ORIGIN " + zone + ".\n@ 60 IN SOA ns hostmaster 5 3600 600 86400 60\n@ 60 IN MX 10 mail\n";
    };
    std::string file = zone_file("a.example");
    // Imported by the platform (admin): the zone stays account a's.
    auto imported = controller.import_zone(file, std::nullopt, "f", "");
    INFO((imported ? "" : imported.error()));
    REQUIRE(imported);
    CHECK(controller.zone_account("a.example") == std::optional<std::string>("a"));
    // Another account may not import over it.
    REQUIRE(controller.add_account("c"));
    auto taken = controller.import_zone(file, std::nullopt, "f", "c", true);
    CHECK(taken.kind() == ErrorKind::conflict);
    CHECK(taken.error() == "zone a.example exists already");
    // A new zone by import goes to the account given, and is known after a restart.
    REQUIRE(controller.import_zone(zone_file("c.example"), std::nullopt, "f", "c", true));
    CHECK(controller.zone_account("c.example") == std::optional<std::string>("c"));
}
