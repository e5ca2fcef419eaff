// The IXFR journal through the controller's mutation path: each change journals its
// diff in SQLite and in the published Journal; a restart loads it back; a removed zone
// takes its history with it; the bound holds.
#include <catch2/catch.hpp>

#include <filesystem>

#include "controller.h"
#include "seed.h"
#include "temp_dir.h"

using namespace patchbay;

namespace {

using test::TempDir;

std::unique_ptr<Controller> open_controller(const TempDir& tmp, JournalLimits limits = {}) {
    auto store = Store::open(tmp.db());
    REQUIRE(store);
    auto c = std::make_unique<Controller>(std::move(*store), DnsSettings{});
    c->configure_transfers({}, limits);
    REQUIRE(c->snapshot());
    return c;
}

std::vector<uint32_t> serials_to(const Journal& j, const std::string& zone) {
    std::vector<uint32_t> out;
    if (const ZoneJournal* zj = j.find(zone))
        for (const auto& d : zj->diffs) out.push_back(d->serial_to);
    return out;
}

}  // namespace

TEST_CASE("journal: every change is journaled, survives a restart, goes with its zone") {
    TempDir tmp;
    {
        auto c = open_controller(tmp);
        REQUIRE(c->add_zone("hostdomain.com"));
        for (const auto& t : test::seed_tuples()) REQUIRE(c->put_tuple(t));  // serials 2..6
        CHECK(serials_to(*c->journal(), "hostdomain.com") == std::vector<uint32_t>{2, 3, 4, 5, 6});
        const ZoneJournal* zj = c->journal()->find("hostdomain.com");
        CHECK(zj->diffs[0]->dump() == std::vector<std::string>{
                                          "+_http._tcp.hostdomain.com. 60 SRV 1 100 80 ip4-10-10-10-121.hostdomain.com.",
                                          "+ip4-10-10-10-121.hostdomain.com. 60 A 10.10.10.121",
                                      });
        // A no-op change journals nothing.
        REQUIRE(c->put_tuple(test::seed_tuples()[0]));
        CHECK(serials_to(*c->journal(), "hostdomain.com").size() == 5);
    }
    {
        auto c = open_controller(tmp);  // a restart: loaded from SQLite
        CHECK(serials_to(*c->journal(), "hostdomain.com") == std::vector<uint32_t>{2, 3, 4, 5, 6});
        auto chain = journal_chain(*c->journal()->find("hostdomain.com"), 1, 6);
        REQUIRE(chain);
        CHECK(chain->size() == 5);
        REQUIRE(c->remove_zone("hostdomain.com"));
        CHECK(c->journal()->find("hostdomain.com") == nullptr);
        REQUIRE(c->add_zone("hostdomain.com"));  // the same name restarts at serial 1, without history
        CHECK(serials_to(*c->journal(), "hostdomain.com").empty());
    }
    auto c = open_controller(tmp);
    CHECK(serials_to(*c->journal(), "hostdomain.com").empty());
}

TEST_CASE("journal: bounded per zone, in memory and on disk") {
    TempDir tmp;
    {
        auto c = open_controller(tmp, JournalLimits{3, 1u << 20});
        REQUIRE(c->add_zone("hostdomain.com"));
        for (const auto& t : test::seed_tuples()) REQUIRE(c->put_tuple(t));
        CHECK(serials_to(*c->journal(), "hostdomain.com") == std::vector<uint32_t>{4, 5, 6});
    }
    auto store = Store::open(tmp.db());
    REQUIRE(store);
    auto rows = store->journal();
    REQUIRE(rows);
    CHECK(rows->size() == 3);
    CHECK(rows->front().serial_from == 3);
}
