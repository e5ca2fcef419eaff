// backup/restore: the serials a restore starts from (table), the command line, and the
// round trip through real SQLite files: what the backup holds comes back, serials move
// forward, a running controller's lock and a bad file refuse and change nothing.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "backup.h"
#include "backup_command.h"
#include "seed.h"
#include "state_lock.h"
#include "store.h"
#include "temp_dir.h"

using namespace patchbay;

namespace {

std::vector<TupleKey> keys(Store& store) {
    auto tuples = store.tuples();
    REQUIRE(tuples);
    std::vector<TupleKey> out;
    for (const auto& t : *tuples) out.push_back(t.key);
    return out;
}

uint32_t serial_of(Store& store, const std::string& zone) {
    auto row = store.zone(zone);
    REQUIRE(row);
    REQUIRE(row->has_value());
    return (*row)->serial;
}

Result<StateCommand> parse(std::vector<const char*> args) {
    args.insert(args.begin(), "patchbay-controller");
    return parse_state_command(static_cast<int>(args.size()), args.data());
}

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("restored serials: past the newer of backup and live; a step past the backup's for an unknown zone") {
    struct Row {
        const char* what;
        uint32_t backup;
        std::optional<uint32_t> live;
        uint32_t want;
    };
    const std::vector<Row> rows = {
        {"live newer (changes after the backup)", 40, 57, 58},
        {"same serial", 40, 40, 41},
        {"backup newer (live rolled back by hand)", 40, 12, 41},
        {"live database lost: a step past the backup", 40, std::nullopt, 1000040},
        {"wrap past 2^32-1 skips 0", 4294967295u, 4294967295u, 1},
        {"live newer across the wrap (RFC 1982)", 4294967290u, 5, 6},
        {"a step across the wrap", 4294000000u, std::nullopt, 32704},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        std::map<std::string, uint32_t> live;
        if (row.live) live["z.example"] = *row.live;
        auto got = restored_serials({{"z.example", row.backup}}, live, 1000000);
        CHECK(got.at("z.example") == row.want);
    }
    // Zones only in the live database are not the backup's: they go with the restore.
    CHECK(restored_serials({}, {{"gone.example", 9}}, 1000000).empty());
}

TEST_CASE("state commands: parsing and clear errors") {
    auto backup = parse({"backup", "/tmp/b.db", "--state", "/srv/pb"});
    REQUIRE(backup);
    CHECK(backup->verb == "backup");
    CHECK(backup->file == "/tmp/b.db");
    CHECK(backup->state == "/srv/pb");

    auto restore = parse({"restore", "b.db", "--config", "/etc/pb.toml", "--serial-step", "5000"});
    REQUIRE(restore);
    CHECK(restore->config == "/etc/pb.toml");
    CHECK(restore->serial_step == 5000u);

    CHECK(parse({"backup", "--help"})->help);
    CHECK(parse({"backup"}).error() == "backup needs a FILE");
    CHECK(parse({"backup", "a", "b"}).error() == "backup takes one FILE, not also 'b'");
    CHECK(parse({"backup", "a", "--serial-step", "5"}).error() == "unknown argument '--serial-step' for backup");
    CHECK(parse({"restore", "a", "--serial-step", "0"}).error().starts_with("--serial-step must be 1 to 2147483647"));
    CHECK(parse({"restore", "a", "--serial-step", "2147483648"}).error().starts_with("--serial-step must be"));
    CHECK(parse({"restore", "a", "--state"}).error() == "--state needs a value");
    CHECK(parse({"restore", "a", "--state", "s", "--config", "c"}).error() == "give --config or --state, not both");
}

TEST_CASE("backup then restore: the data comes back, serials move forward, the journal is dropped") {
    test::TempDir tmp;
    const std::string backup_file = (tmp.dir / "backup.db").string();
    std::vector<TupleKey> at_backup;
    {
        auto store = Store::open(tmp.db());
        REQUIRE(store);
        REQUIRE(store->add_zone("hostdomain.com"));
        for (const auto& t : test::seed_tuples()) REQUIRE(store->put_tuple(t));
        REQUIRE(store->add_journal(JournalRow{"hostdomain.com", 1, 2, "", ""}, 10));
        REQUIRE(store->add_token_hash("ops", std::string(64, 'a')));
        at_backup = keys(*store);

        // The backup is taken with the store still open (the controller serving).
        auto done = backup_database(tmp.db(), backup_file);
        REQUIRE(done);
        CHECK(done->facts.zones == 1);
        CHECK(done->facts.tuples == static_cast<int64_t>(at_backup.size()));
        CHECK(done->facts.last_change == static_cast<int64_t>(at_backup.size()) + 1);
        struct stat st {};
        REQUIRE(::stat(backup_file.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
        CHECK_FALSE(std::filesystem::exists(backup_file + "-wal"));  // one self-contained file
        CHECK_FALSE(std::filesystem::exists(backup_file + ".partial"));

        // Changes after the backup: they are what the restore undoes.
        REQUIRE(store->remove_tuple("hostdomain.com", test::seed_tuples()[0].key));
        REQUIRE(store->add_zone("later.example"));
    }
    uint32_t live_serial = 0;
    {
        auto store = Store::open(tmp.db());
        live_serial = serial_of(*store, "hostdomain.com");
    }

    auto done = restore_database(tmp.dir.string(), backup_file, RestoreOptions{});
    REQUIRE(done);
    REQUIRE(done->zones.size() == 1);
    CHECK(done->zones[0].zone == "hostdomain.com");
    CHECK(done->zones[0].serial == live_serial + 1);
    CHECK_FALSE(std::filesystem::exists(tmp.db() + ".restoring"));

    auto store = Store::open(tmp.db());
    REQUIRE(store);
    CHECK(keys(*store) == at_backup);
    CHECK(serial_of(*store, "hostdomain.com") == live_serial + 1);
    auto later = store->zone("later.example");
    REQUIRE(later);
    CHECK_FALSE(later->has_value());
    CHECK(*store->has_token_hash(std::string(64, 'a')));
    auto journal = store->journal();
    REQUIRE(journal);
    CHECK(journal->empty());
    // The restore is in the change log, at the zone's new serial.
    ChangeFilter newest;
    newest.zone = "hostdomain.com";
    auto log = store->changes(newest);
    REQUIRE(log);
    REQUIRE_FALSE(log->empty());
    CHECK(log->front().action == "restore");
    CHECK(log->front().serial == live_serial + 1);
}

TEST_CASE("restore into a lost state: a fresh database, serials a step past the backup's") {
    test::TempDir tmp;
    const std::string backup_file = (tmp.dir / "backup.db").string();
    std::filesystem::create_directory(tmp.dir / "old");
    {
        auto store = Store::open((tmp.dir / "old" / "patchbay.db").string());
        REQUIRE(store->add_zone("hostdomain.com"));
        REQUIRE(store->put_tuple(test::seed_tuples()[0]));
    }
    REQUIRE(backup_database((tmp.dir / "old" / "patchbay.db").string(), backup_file));
    std::filesystem::create_directory(tmp.dir / "new");
    RestoreOptions options;
    options.serial_step = 1000;
    auto done = restore_database((tmp.dir / "new").string(), backup_file, options);
    REQUIRE(done);
    auto store = Store::open((tmp.dir / "new" / "patchbay.db").string());
    CHECK(serial_of(*store, "hostdomain.com") == 2 + 1000);
    CHECK(keys(*store).size() == 1);
}

TEST_CASE("restore refuses, changing nothing: a running controller, not a database, a damaged one") {
    test::TempDir tmp;
    {
        auto store = Store::open(tmp.db());
        REQUIRE(store->add_zone("hostdomain.com"));
    }
    const std::string good = (tmp.dir / "good.db").string();
    REQUIRE(backup_database(tmp.db(), good));
    const std::string before = file_bytes(tmp.db());

    SECTION("a controller holds the state directory") {
        auto lock = StateLock::take(tmp.dir.string());
        REQUIRE(lock);
        auto r = restore_database(tmp.dir.string(), good, RestoreOptions{});
        REQUIRE_FALSE(r);
        CHECK(r.kind() == ErrorKind::conflict);
        CHECK_THAT(r.error(), Catch::Contains("is in use by another patchbay-controller (pid ") &&
                                  Catch::Contains("stop it first"));
    }
    SECTION("not a database") {
        const std::string text = (tmp.dir / "notes.txt").string();
        std::ofstream(text) << "zone hostdomain.com\n";
        auto r = restore_database(tmp.dir.string(), text, RestoreOptions{});
        REQUIRE_FALSE(r);
        CHECK(r.error() == text + " is not a patchbay controller database: file is not a database");
    }
    SECTION("a SQLite database, but not the controller's") {
        const std::string other = (tmp.dir / "other.db").string();
        {
            sqlite3* db = nullptr;
            REQUIRE(sqlite3_open(other.c_str(), &db) == SQLITE_OK);
            REQUIRE(sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr) == SQLITE_OK);
            sqlite3_close(db);
        }
        auto r = restore_database(tmp.dir.string(), other, RestoreOptions{});
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error(), Catch::Contains("is not a patchbay controller database (no zones, tuples"));
    }
    SECTION("a damaged backup") {
        std::string bytes = file_bytes(good);
        REQUIRE(bytes.size() > 8192);
        // Every b-tree page's header but the first page's: the tables cannot be walked.
        for (size_t page = 4096; page + 16 < bytes.size(); page += 4096)
            for (size_t i = page; i < page + 16; ++i) bytes[i] = '\x5a';
        const std::string damaged = (tmp.dir / "damaged.db").string();
        std::ofstream(damaged, std::ios::binary) << bytes;
        auto r = restore_database(tmp.dir.string(), damaged, RestoreOptions{});
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error(), Catch::StartsWith(damaged));
    }
    SECTION("no such file") {
        auto r = restore_database(tmp.dir.string(), (tmp.dir / "missing.db").string(), RestoreOptions{});
        REQUIRE_FALSE(r);
        CHECK(r.kind() == ErrorKind::not_found);
    }
    CHECK(file_bytes(tmp.db()) == before);
    CHECK_FALSE(std::filesystem::exists(tmp.db() + ".restoring"));
}

TEST_CASE("backup: a missing database is named, and no partial file stays") {
    test::TempDir tmp;
    auto r = backup_database(tmp.db(), (tmp.dir / "b.db").string());
    REQUIRE_FALSE(r);
    CHECK(r.error() == "no database at " + tmp.db() + " (wrong --state or --config?)");
    CHECK_FALSE(std::filesystem::exists(tmp.dir / "b.db.partial"));
    CHECK_FALSE(std::filesystem::exists(tmp.dir / "b.db"));
}

TEST_CASE("state lock: one holder at a time, free again when dropped") {
    test::TempDir tmp;
    {
        auto first = StateLock::take(tmp.dir.string());
        REQUIRE(first);
        auto second = StateLock::take(tmp.dir.string());
        REQUIRE_FALSE(second);
        CHECK(second.error() == tmp.dir.string() + " is in use by another patchbay-controller (pid " +
                                    std::to_string(::getpid()) + ")");
    }
    CHECK(StateLock::take(tmp.dir.string()));
}
