// The state file (snapshot_file.h): the last-known-good snapshots round-trip, a damaged
// file is refused naming what is wrong, and writing it replaces it whole.
#include <catch2/catch.hpp>

#include <fstream>

#include "event_loop.h"
#include "snapshot_file.h"

using namespace patchbay;
using patchbay::test::TempDir;

namespace {

std::vector<KnownSnapshot> sample() {
    auto a = parse_tuple("hostdomain.com", "http", "tcp", "10.10.10.121", "80", "1", "100");
    auto b = parse_tuple("hostdomain.com", "sip", "udp", "2001:db8::1", "5060", "2", "50", "sip.hostdomain.com");
    return {{"hostdomain.com", 2026112301u, {*a, *b}}, {"empty.example", 7, {}}};
}

}  // namespace

TEST_CASE("state file: the snapshots survive their text unchanged") {
    auto back = snapshot_file_from(snapshot_file_text(sample()));
    REQUIRE(back);
    CHECK(*back == sample());
    CHECK(snapshot_file_from(snapshot_file_text({}))->empty());
}

TEST_CASE("state file: a damaged file is refused, naming what is wrong") {
    struct Row {
        const char* text;
        const char* says;
    };
    for (const auto& row : std::vector<Row>{
             {"", "not a JSON object"},
             {"{\"version\":1,\"domains\":[", "not a JSON object"},
             {"{\"version\":2,\"domains\":[]}", "version: must be 1"},
             {"{\"version\":1}", "domains: must be an array"},
             {"{\"version\":1,\"domains\":[{\"domain\":7,\"serial\":1,\"tuples\":[]}]}", "domains[0].domain: must be a string"},
             {"{\"version\":1,\"domains\":[{\"domain\":\"a.example\",\"serial\":-1,\"tuples\":[]}]}",
              "domains[0].serial: must be a whole number"},
             {"{\"version\":1,\"domains\":[{\"domain\":\"a.example\",\"serial\":1,\"tuples\":[{\"service\":\"http\","
              "\"transport\":\"tcp\",\"address\":\"10.0.0.300\",\"port\":80}]}]}",
              "domains[0].tuples[0]: "},
             {"{\"version\":1,\"domains\":[{\"domain\":\"bad..name\",\"serial\":1,\"tuples\":[]}]}", "domains[0].domain: "},
         }) {
        INFO(row.text);
        auto r = snapshot_file_from(row.text);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error(), Catch::StartsWith(row.says));
    }
}

TEST_CASE("state file: only the domains still configured are started from, in their order") {
    struct Row {
        std::vector<std::string> configured;
        std::vector<std::string> started;
        const char* says;
    };
    auto one = [](const std::string& domain, uint32_t serial) { return KnownSnapshot{domain, serial, {}}; };
    const std::vector<KnownSnapshot> loaded = {one("gone.example", 3), one("hostdomain.com", 7),
                                               one("example.org", 2), one("hostdomain.com", 9)};
    for (const auto& row : std::vector<Row>{
             {{"hostdomain.com"}, {"hostdomain.com"}, "hostdomain.com serial 7 (0 tuples)"},  // the first one counts
             {{"example.org", "hostdomain.com"}, {"example.org", "hostdomain.com"},
              "example.org serial 2 (0 tuples), hostdomain.com serial 7 (0 tuples)"},
             {{"new.example"}, {}, ""},  // nothing known of it: it starts from nothing
             {{}, {}, ""},
         }) {
        auto started = starting_snapshots(loaded, row.configured);
        std::vector<std::string> domains;
        for (const auto& s : started) domains.push_back(s.domain);
        CHECK(domains == row.started);
        CHECK(describe_snapshots(started) == row.says);
    }
    auto full = sample();
    CHECK(describe_snapshots(starting_snapshots(full, {"hostdomain.com"})) == "hostdomain.com serial 2026112301 (2 tuples)");
}

TEST_CASE("state file: wrong types are refused, naming the field") {
    struct Row {
        const char* text;
        const char* says;
    };
    const std::string head = "{\"version\":1,\"domains\":[{\"domain\":\"a.example\",\"serial\":1,\"tuples\":";
    for (const auto& row : std::vector<Row>{
             {"[]", "not a JSON object"},
             {"{\"version\":\"1\",\"domains\":[]}", "version: must be 1"},
             {"{\"version\":1,\"domains\":{}}", "domains: must be an array"},
             {"{\"version\":1,\"domains\":[7]}", "domains[0].domain: must be a string"},
             {"{\"version\":1,\"domains\":[{\"domain\":\"a.example\",\"serial\":\"7\",\"tuples\":[]}]}",
              "domains[0].serial: must be a whole number"},
             {"{\"version\":1,\"domains\":[{\"domain\":\"a.example\",\"serial\":4294967296,\"tuples\":[]}]}",
              "domains[0].serial: must be a whole number"},
             {"{\"version\":1,\"domains\":[{\"domain\":\"a.example\",\"serial\":1,\"tuples\":{}}]}",
              "domains[0].tuples: must be an array"},
         }) {
        INFO(row.text);
        auto r = snapshot_file_from(row.text);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error(), Catch::StartsWith(row.says));
    }
    for (const std::string tuples : {"[7]", "[{\"service\":true,\"transport\":\"tcp\",\"address\":\"10.0.0.1\",\"port\":80}]",
                                     "[{\"service\":\"http\",\"transport\":\"tcp\",\"address\":\"10.0.0.1\",\"port\":-80}]",
                                     "[{\"service\":\"http\",\"transport\":\"tcp\",\"address\":\"10.0.0.1\",\"port\":[80]}]",
                                     "[{\"service\":\"http\",\"transport\":\"tcp\",\"address\":\"host.example\",\"port\":80}]"}) {
        INFO(tuples);
        auto r = snapshot_file_from(head + tuples + "}]}");
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error(), Catch::StartsWith("domains[0].tuples[0]: "));
    }
}

TEST_CASE("state file: saved whole, loaded back; none is no error; damage names the file") {
    TempDir dir;
    const std::string path = (dir.path / "snapshot.json").string();
    auto none = load_snapshot_file(path);
    REQUIRE(none);
    CHECK_FALSE(*none);
    REQUIRE(save_snapshot_file(path, sample()));
    auto loaded = load_snapshot_file(path);
    REQUIRE(loaded);
    REQUIRE(*loaded);
    CHECK(**loaded == sample());
    REQUIRE(save_snapshot_file(path, {}));  // replaced, not appended
    CHECK((*load_snapshot_file(path))->empty());
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
    std::ofstream(path) << "{\"version\":1,\"dom";
    auto damaged = load_snapshot_file(path);
    REQUIRE_FALSE(damaged);
    CHECK(damaged.error() == path + ": not a JSON object");
    CHECK_FALSE(save_snapshot_file((dir.path / "missing" / "snapshot.json").string(), sample()));
}
