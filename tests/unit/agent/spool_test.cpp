#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "spool.h"

using namespace patchbay;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        std::string templ = (fs::temp_directory_path() / "pb-spool-XXXXXX").string();
        path = ::mkdtemp(templ.data());
    }
    ~TempDir() { fs::remove_all(path); }
};

Report report(uint64_t seq) {
    Report r;
    r.agent = "h121";
    r.boot = "b1";
    r.seq = seq;
    r.at_ms = 1000 + static_cast<int64_t>(seq);
    return r;
}

std::vector<uint64_t> seqs(const std::vector<Spooled>& reports) {
    std::vector<uint64_t> out;
    for (const auto& r : reports) out.push_back(r.report.seq);
    return out;
}

size_t files_in(const fs::path& dir) {
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

}  // namespace

TEST_CASE("spool: oldest first, pop removes the delivered") {
    TempDir dir;
    auto s = Spool::open((dir.path / "sub").string(), 100);  // made if missing
    REQUIRE(s.ok());
    for (uint64_t i = 1; i <= 5; ++i) REQUIRE(s->push(report(i)).ok());
    CHECK(s->size() == 5);
    CHECK(seqs(s->oldest(3)) == std::vector<uint64_t>{1, 2, 3});
    CHECK(s->oldest(3)[0].report == report(1));  // whole report back
    s->pop(2);
    CHECK(seqs(s->oldest(10)) == std::vector<uint64_t>{3, 4, 5});
    CHECK(files_in(dir.path / "sub") == 3);
    s->pop(10);
    CHECK(s->size() == 0);
    CHECK(files_in(dir.path / "sub") == 0);
}

TEST_CASE("spool: bounded, the oldest dropped and counted") {
    TempDir dir;
    auto s = Spool::open(dir.path.string(), 3);
    REQUIRE(s.ok());
    for (uint64_t i = 1; i <= 7; ++i) REQUIRE(s->push(report(i)).ok());
    CHECK(s->size() == 3);
    CHECK(s->dropped() == 4);
    CHECK(seqs(s->oldest(10)) == std::vector<uint64_t>{5, 6, 7});
    CHECK(files_in(dir.path) == 3);
}

TEST_CASE("spool: survives a restart, in order, numbering goes on") {
    TempDir dir;
    {
        auto s = Spool::open(dir.path.string(), 100);
        REQUIRE(s.ok());
        for (uint64_t i = 1; i <= 4; ++i) REQUIRE(s->push(report(i)).ok());
        s->pop(1);
    }
    auto s = Spool::open(dir.path.string(), 100);
    REQUIRE(s.ok());
    CHECK(seqs(s->oldest(10)) == std::vector<uint64_t>{2, 3, 4});
    REQUIRE(s->push(report(9)).ok());
    CHECK(seqs(s->oldest(10)) == std::vector<uint64_t>{2, 3, 4, 9});
    // A smaller bound on restart keeps the newest.
    auto small = Spool::open(dir.path.string(), 2);
    REQUIRE(small.ok());
    CHECK(seqs(small->oldest(10)) == std::vector<uint64_t>{4, 9});
    CHECK(small->dropped() == 2);
}

TEST_CASE("spool: crash leftovers and damaged files") {
    TempDir dir;
    {
        auto s = Spool::open(dir.path.string(), 100);
        REQUIRE(s.ok());
        for (uint64_t i = 1; i <= 3; ++i) REQUIRE(s->push(report(i)).ok());
    }
    // A write interrupted before its rename, a damaged report, a stranger's file.
    std::ofstream(dir.path / "00000000000000000004.json.tmp") << "{\"agent\":";
    std::ofstream(dir.path / "00000000000000000002.json") << "{\"agent\":";
    std::ofstream(dir.path / "notes.txt") << "hello";
    auto s = Spool::open(dir.path.string(), 100);
    REQUIRE(s.ok());
    CHECK_FALSE(fs::exists(dir.path / "00000000000000000004.json.tmp"));
    CHECK(seqs(s->oldest(10)) == std::vector<uint64_t>{1, 3});
    CHECK(s->size() == 2);
    CHECK_FALSE(fs::exists(dir.path / "00000000000000000002.json"));
    CHECK(fs::exists(dir.path / "notes.txt"));  // not ours: left alone
}

TEST_CASE("spool: errors name the directory") {
    TempDir dir;
    std::ofstream(dir.path / "file") << "x";
    auto s = Spool::open((dir.path / "file" / "spool").string(), 10);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().starts_with("spool_dir " + (dir.path / "file" / "spool").string() + ": cannot create"));
}

TEST_CASE("spool: remove takes only what is still kept in the range") {
    TempDir dir;
    auto s = Spool::open(dir.path.string(), 4);
    REQUIRE(s.ok());
    for (uint64_t i = 1; i <= 4; ++i) REQUIRE(s->push(report(i)).ok());
    auto batch = s->oldest(4);
    CHECK(batch.front().number == 1);
    CHECK(batch.back().number == 4);
    // While the batch was in flight the bound dropped 1 and 2.
    REQUIRE(s->push(report(5)).ok());
    REQUIRE(s->push(report(6)).ok());
    s->remove(batch.front().number, batch.back().number);
    CHECK(seqs(s->oldest(10)) == std::vector<uint64_t>{5, 6});
    s->remove(6, 6);
    CHECK(seqs(s->oldest(10)) == std::vector<uint64_t>{5});
    CHECK(files_in(dir.path) == 1);
}

TEST_CASE("spool: a report with bad UTF-8 is kept, the bytes replaced") {
    TempDir dir;
    auto s = Spool::open(dir.path.string(), 10);
    REQUIRE(s.ok());
    Report r = report(1);
    r.instances.push_back(InstanceReport{"d.example", TupleKey{"sip", "udp", *Address::parse("127.0.0.1"), 5060},
                                         "u.service", "active", ProbeResult{"sip", false, 1, "SIP/2.0 503 \xff", 1},
                                         std::nullopt, std::nullopt, ""});
    REQUIRE(s->push(r).ok());
    auto back = s->oldest(1);
    REQUIRE(back.size() == 1);
    CHECK(back[0].report.instances[0].probe->error == "SIP/2.0 503 \xef\xbf\xbd");  // U+FFFD
}
