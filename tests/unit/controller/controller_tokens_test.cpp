// API tokens: Controller::authorized reads the digests held in memory, loaded when the
// controller is built and extended by add_token, never the store per request.
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
    CHECK(controller.authorized("pb_old"));  // stored before this start
    CHECK_FALSE(controller.authorized("pb_new"));
    CHECK_FALSE(controller.authorized(""));
    REQUIRE(controller.add_token("admin", "pb_new"));
    CHECK(controller.authorized("pb_new"));
    CHECK(*controller.token_count() == 2);

    // A digest written behind the controller's back (another connection) is not asked
    // for per request: only what was loaded or added counts.
    auto other = Store::open(dir.db());
    REQUIRE(other);
    REQUIRE(other->add_token_hash("sneaky", token_digest("pb_sneaky")));
    CHECK(*other->has_token_hash(token_digest("pb_sneaky")));
    CHECK_FALSE(controller.authorized("pb_sneaky"));
    // The store keeps digests only.
    auto digests = other->token_hashes();
    REQUIRE(digests);
    CHECK(digests->size() == 3);
    for (const auto& d : *digests) CHECK(d.size() == 64);
}
