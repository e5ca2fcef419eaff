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
