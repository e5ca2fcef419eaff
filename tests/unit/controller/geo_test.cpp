// geo: queriers located by the network table and a MaxMind DB written by mmdb_writer.h,
// with the scope each answer holds for.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "geo.h"
#include "mmdb_writer.h"
#include "temp_dir.h"

using namespace patchbay;

namespace {

Region region(const std::string& name, std::vector<std::string> networks, std::vector<std::string> countries = {},
              std::vector<std::string> continents = {}) {
    Region r;
    r.name = name;
    for (const std::string& text : networks) r.networks.push_back(*Prefix::parse(text));
    r.countries = std::move(countries);
    r.continents = std::move(continents);
    return r;
}

AccountSettings table_settings(const std::string& default_region) {
    AccountSettings s;
    s.regions = {
        region("eu", {"10.0.0.0/8", "2001:db8:e::/48"}),
        region("us", {"10.1.0.0/16", "2001:db8::/32"}),
        region("ap", {"10.1.2.0/24"}),
        region("lab", {"::ffff:172.16.0.0/108"}),  // written IPv4-mapped: 172.16.0.0/12
    };
    s.geo.default_region = default_region;
    return s;
}

struct Row {
    const char* querier;
    uint8_t source;
    const char* region;  // "" for none
    uint8_t scope;
    const char* explain;
};

void check_rows(const RegionLocator& locator, const std::vector<Row>& rows) {
    for (const Row& row : rows) {
        INFO(row.querier << "/" << int{row.source});
        Located got = locator.locate(*Address::parse(row.querier), row.source);
        CHECK(std::string(got.region.value_or("")) == row.region);
        CHECK(int{got.scope} == int{row.scope});
        CHECK(got.explain() == row.explain);
    }
}

}  // namespace

TEST_CASE("geo: the network table, longest prefix over every region") {
    auto locator = RegionLocator::create(table_settings("eu"));
    REQUIRE(locator.ok());
    CHECK_FALSE(locator->has_maxmind());
    check_rows(*locator, {
        // 10.0.0.0/8 holds it; it leaves 10.1.0.0/16 and 10.1.2.0/24 at bit 15.
        {"10.2.3.4", 32, "eu", 15, "10.0.0.0/8 → eu (table)"},
        // 10.1.0.0/16 holds it; it leaves 10.1.2.0/24 at bit 21.
        {"10.1.9.9", 32, "us", 21, "10.1.0.0/16 → us (table)"},
        {"10.1.2.3", 32, "ap", 24, "10.1.2.0/24 → ap (table)"},
        {"172.16.5.5", 32, "lab", 12, "172.16.0.0/12 → lab (table)"},
        // ECS: the address with its host bits zero, the scope capped at the source.
        {"10.1.0.0", 16, "us", 16, "10.1.0.0/16 → us (table)"},
        {"10.0.0.0", 8, "eu", 8, "10.0.0.0/8 → eu (table)"},
        {"10.1.2.77", 24, "ap", 24, "10.1.2.0/24 → ap (table)"},
        {"10.2.3.4", 12, "eu", 12, "10.0.0.0/8 → eu (table)"},
        // IPv4-mapped queriers are IPv4 ones; their scope counts the 96 bits.
        {"::ffff:10.2.3.4", 128, "eu", 111, "10.0.0.0/8 → eu (table)"},
        {"::ffff:172.16.5.5", 128, "lab", 108, "172.16.0.0/12 → lab (table)"},
        {"::ffff:10.1.2.0", 120, "ap", 120, "10.1.2.0/24 → ap (table)"},
        // IPv6: the /48 inside the /32 wins.
        {"2001:db8:e:1::1", 128, "eu", 48, "2001:db8:e::/48 → eu (table)"},
        {"2001:db8:f::1", 128, "us", 48, "2001:db8::/32 → us (table)"},
        {"2001:db8:1::", 48, "us", 45, "2001:db8::/32 → us (table)"},
        {"2001:db8::", 32, "us", 32, "2001:db8::/32 → us (table)"},
        // No network: the default region, for as far as no network is near.
        {"2001:db9::1", 128, "eu", 32, "no region (default eu)"},
        {"192.0.2.1", 32, "eu", 2, "no region (default eu)"},
        {"192.0.2.0", 0, "eu", 0, "no region (default eu)"},
        {"::", 0, "eu", 0, "no region (default eu)"},
    });
}

TEST_CASE("geo: no default region") {
    auto locator = RegionLocator::create(table_settings(""));
    REQUIRE(locator.ok());
    check_rows(*locator, {
        {"192.0.2.1", 32, "", 2, "no region"},
        {"10.2.3.4", 32, "eu", 15, "10.0.0.0/8 → eu (table)"},
    });
    Located none = locator->locate(*Address::parse("192.0.2.1"), 32);
    CHECK(none.by == LocatedBy::nothing);
    CHECK_FALSE(none.region.has_value());
}

TEST_CASE("geo: no regions at all: every answer holds for everyone") {
    auto locator = RegionLocator::create(AccountSettings{});
    REQUIRE(locator.ok());
    check_rows(*locator, {
        {"192.0.2.1", 32, "", 0, "no region"},
        {"2001:db8::1", 128, "", 0, "no region"},
    });
}

namespace {

const std::vector<test::MmdbNetwork> world = {
    {"192.0.2.0/24", "DE", "EU", ""},
    {"192.0.2.128/25", "FR", "EU", ""},
    {"198.51.100.0/24", "", "NA", "US"},  // registered country only
    {"100.64.0.0/10", "BR", "SA", ""},    // no region lists either
    {"203.0.113.0/24", "GB", "EU", ""},   // the table says otherwise
    {"2001:db8::/32", "JP", "AS", ""},
};

AccountSettings maxmind_settings(const std::string& path) {
    AccountSettings s;
    s.regions = {
        region("eu", {}, {"DE"}, {"EU"}),
        region("fr", {}, {"FR"}),
        region("us", {"203.0.113.0/24"}, {"US"}, {"NA"}),
        region("asia", {}, {}, {"AS"}),
    };
    s.geo.maxmind_db = path;
    s.geo.default_region = "eu";
    return s;
}

}  // namespace

TEST_CASE("geo: MaxMind countries, continents and scopes") {
    test::TempDir dir;
    for (int record_size : {24, 28}) {
        for (int ip_version : {6, 4}) {
            INFO("record size " << record_size << ", IPv" << ip_version);
            std::string path = (dir.dir / "world.mmdb").string();
            auto networks = world;
            if (ip_version == 4) networks.pop_back();
            test::write_mmdb(path, networks, ip_version, record_size);
            auto locator = RegionLocator::create(maxmind_settings(path));
            REQUIRE(locator.ok());
            CHECK(locator->has_maxmind());
            check_rows(*locator, {
                // The country first; the netmask MaxMind reports (192.0.2.0/25) is the scope.
                {"192.0.2.1", 32, "eu", 25, "DE → eu (maxmind)"},
                {"192.0.2.200", 32, "fr", 25, "FR → fr (maxmind)"},
                {"192.0.2.0", 24, "eu", 24, "DE → eu (maxmind)"},
                {"::ffff:192.0.2.1", 128, "eu", 121, "DE → eu (maxmind)"},
                // registered_country when there is no country.
                {"198.51.100.9", 32, "us", 24, "US → us (maxmind)"},
                // A country no region lists, nor its continent.
                {"100.64.1.1", 32, "eu", 10, "BR in SA: no region (default eu)"},
                // The table before MaxMind.
                {"203.0.113.7", 32, "us", 24, "203.0.113.0/24 → us (table)"},
                // Not in the database: MaxMind's netmask still says how far that holds.
                {"8.8.8.8", 32, "eu", 2, "no region (default eu)"},
            });
            if (ip_version == 6) {
                check_rows(*locator, {
                    {"2001:db8::1", 128, "asia", 32, "JP in AS → asia (maxmind)"},
                    {"2001:db8:1::", 48, "asia", 32, "JP in AS → asia (maxmind)"},
                });
            } else {
                // An IPv6 querier in an IPv4 database: nothing there for any IPv6 address.
                check_rows(*locator, {{"2001:db8::1", 128, "eu", 0, "no region (default eu)"}});
            }
        }
    }
}

TEST_CASE("geo: concurrent locate() calls agree") {
    test::TempDir dir;
    std::string path = (dir.dir / "world.mmdb").string();
    test::write_mmdb(path, world);
    auto locator = RegionLocator::create(maxmind_settings(path));
    REQUIRE(locator.ok());
    const RegionLocator& shared = *locator;
    const char* queriers[] = {"192.0.2.1", "192.0.2.200", "198.51.100.9", "2001:db8::1", "8.8.8.8", "203.0.113.7"};
    std::vector<std::string> expected;
    for (const char* q : queriers) expected.push_back(shared.locate(*Address::parse(q), 128).explain());
    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < mismatches.size(); ++t) {
        threads.emplace_back([&shared, &queriers, &expected, &mismatches, t] {
            for (int round = 0; round < 500; ++round) {
                for (size_t i = 0; i < std::size(queriers); ++i) {
                    if (shared.locate(*Address::parse(queriers[i]), 128).explain() != expected[i]) ++mismatches[t];
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    CHECK(mismatches == std::vector<int>(4, 0));
}

TEST_CASE("geo: a MaxMind DB that cannot be opened is an error at creation") {
    test::TempDir dir;
    SECTION("missing") {
        std::string path = (dir.dir / "missing.mmdb").string();
        auto locator = RegionLocator::create(maxmind_settings(path));
        REQUIRE_FALSE(locator.ok());
        CHECK(locator.error().rfind("cannot open MaxMind DB " + path + ": ", 0) == 0);
        CHECK(locator.error().find("No such file or directory") != std::string::npos);
    }
    SECTION("not a MaxMind DB") {
        std::string path = (dir.dir / "junk.mmdb").string();
        std::ofstream(path) << "this is not a MaxMind database\n";
        auto locator = RegionLocator::create(maxmind_settings(path));
        REQUIRE_FALSE(locator.ok());
        CHECK(locator.error().rfind("cannot open MaxMind DB " + path + ": ", 0) == 0);
    }
    SECTION("empty") {
        std::string path = (dir.dir / "empty.mmdb").string();
        std::ofstream{path};
        auto locator = RegionLocator::create(maxmind_settings(path));
        REQUIRE_FALSE(locator.ok());
        CHECK(locator.error().rfind("cannot open MaxMind DB " + path + ": ", 0) == 0);
    }
    SECTION("truncated: the metadata cut off") {
        std::string path = (dir.dir / "cut.mmdb").string();
        auto bytes = test::mmdb_bytes(world);
        bytes.resize(bytes.size() - 120);
        std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                    static_cast<std::streamsize>(bytes.size()));
        auto locator = RegionLocator::create(maxmind_settings(path));
        REQUIRE_FALSE(locator.ok());
        CHECK(locator.error().rfind("cannot open MaxMind DB " + path + ": ", 0) == 0);
    }
}

TEST_CASE("geo: mmdb_writer's files read with mmdblookup (mmdb-bin)") {
    if (access("/usr/bin/mmdblookup", X_OK) != 0) {
        WARN("mmdblookup not installed: not checked");
        return;
    }
    test::TempDir dir;
    std::string path = (dir.dir / "world.mmdb").string();
    test::write_mmdb(path, world, 6, 28);
    auto lookup = [&](const std::string& args) {
        std::string command = "/usr/bin/mmdblookup --file " + path + " " + args + " 2>&1";
        std::string output;
        FILE* pipe = popen(command.c_str(), "r");
        REQUIRE(pipe != nullptr);
        char buffer[256];
        while (fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
        pclose(pipe);
        return output;
    };
    CHECK(lookup("--ip 192.0.2.1 country iso_code").find("\"DE\"") != std::string::npos);
    CHECK(lookup("--ip 192.0.2.200 country iso_code").find("\"FR\"") != std::string::npos);
    CHECK(lookup("--ip 2001:db8::1 continent code").find("\"AS\"") != std::string::npos);
    CHECK(lookup("--ip 8.8.8.8").find("Could not find an entry") != std::string::npos);
}
