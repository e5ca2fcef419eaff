#include "backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

#include "fd.h"
#include "sqlite_stmt.h"
#include "state_lock.h"
#include "store.h"
#include "utc_text.h"

namespace patchbay {

namespace {

// Opens without ever creating: a missing file is an error of its own, found earlier.
Result<SqliteDb> open_db(const std::string& path, int flags) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    SqliteDb db(raw);
    if (rc != SQLITE_OK)
        return fail(ErrorKind::unavailable, "cannot open " + path + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
    sqlite3_busy_timeout(raw, 5000);
    return db;
}

Result<void> exec(sqlite3* db, const char* sql, const std::string& path) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message ? message : sqlite3_errmsg(db);
        sqlite3_free(message);
        return fail(ErrorKind::internal, path + ": " + text);
    }
    return {};
}

// Everything of `from` into `to`, in one step: one read transaction on `from` (a snapshot
// of one moment) and one write transaction on `to` (all of it or nothing). SQLite does
// not call the busy handler for the source's lock, so a busy source is retried here, for
// up to 10 s.
Result<void> copy_all(sqlite3* from, sqlite3* to, const std::string& what) {
    sqlite3_backup* backup = sqlite3_backup_init(to, "main", from, "main");
    if (!backup) return fail(ErrorKind::internal, what + ": " + sqlite3_errmsg(to));
    int rc = SQLITE_OK;
    for (int attempt = 0; attempt < 200; ++attempt) {
        rc = sqlite3_backup_step(backup, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE)
        return fail(ErrorKind::unavailable, what + ": " + sqlite3_errstr(rc) + " (" + sqlite3_errmsg(to) + ")");
    return {};
}

// Single-row integer query; 0 for NULL.
Result<int64_t> number(sqlite3* db, const char* sql, const std::string& path) {
    SqliteStmt query(db, sql, path);
    auto row = query.ok() ? query.step("read") : Result<bool>(false);
    if (!row || !*row) return fail(ErrorKind::invalid, path + ": " + sqlite3_errmsg(db));
    return query.col_int(0);
}

// Checks that `db` is an undamaged patchbay database and says what it holds.
Result<DatabaseFacts> read_facts(sqlite3* db, const std::string& path) {
    const std::string not_ours = path + " is not a patchbay controller database";
    SqliteStmt check(db, "PRAGMA quick_check", path);
    auto row = check.ok() ? check.step("quick_check") : Result<bool>(false);
    if (!row || !*row) return fail(ErrorKind::invalid, not_ours + ": " + sqlite3_errmsg(db));
    if (std::string verdict = check.col_text(0); verdict != "ok")
        return fail(ErrorKind::invalid, path + " is damaged: " + verdict);
    auto tables = number(db,
                         "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                         "('zones', 'tuples', 'changes', 'tokens')",
                         path);
    if (!tables) return tables.failure();
    if (*tables != 4) return fail(ErrorKind::invalid, not_ours + " (no zones, tuples, changes and tokens tables)");
    DatabaseFacts facts;
    auto zones = number(db, "SELECT count(*) FROM zones", path);
    auto tuples = number(db, "SELECT count(*) FROM tuples", path);
    auto last = number(db, "SELECT max(id) FROM changes", path);
    // at_ms came after the first schema; `at` (seconds) is in every version.
    auto last_ms = number(db, "SELECT at * 1000 FROM changes ORDER BY id DESC LIMIT 1", path);
    if (!zones) return zones.failure();
    if (!tuples) return tuples.failure();
    if (!last) return last.failure();
    facts.zones = *zones;
    facts.tuples = *tuples;
    facts.last_change = *last;
    facts.last_change_ms = last_ms ? *last_ms : 0;
    return facts;
}

// Creates `path` empty, mode 0600 (a database holds token digests and account settings),
// for SQLite to fill; an empty file is an empty database to it.
Result<void> create_private(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) return fail(ErrorKind::unavailable, "cannot create " + path + ": " + std::strerror(errno));
    return {};
}

Result<void> fsync_path(const std::string& path, int flags) {
    UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC));
    if (!fd || ::fsync(fd.get()) != 0) return fail(ErrorKind::unavailable, "cannot sync " + path + ": " + std::strerror(errno));
    return {};
}

// SQLite's own files beside a database, and the database.
void remove_database(const std::string& path) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((path + suffix).c_str());
}

// Removes a half-made file when the step that made it did not finish.
class RemoveUnlessKept {
public:
    explicit RemoveUnlessKept(std::string path) : path_(std::move(path)) {}
    ~RemoveUnlessKept() {
        if (!kept_) remove_database(path_);
    }
    RemoveUnlessKept(const RemoveUnlessKept&) = delete;
    RemoveUnlessKept& operator=(const RemoveUnlessKept&) = delete;
    void keep() { kept_ = true; }

private:
    std::string path_;
    bool kept_ = false;
};

uint32_t serial_plus(uint32_t serial, uint32_t n) {
    uint32_t next = serial + n;  // mod 2^32
    return next == 0 ? 1 : next;
}

// Every zone's serial; an unreadable database counts as none (the restore then steps
// every zone's serial, as it does for a lost one).
std::map<std::string, uint32_t> zone_serials(Store& store) {
    std::map<std::string, uint32_t> serials;
    auto zones = store.zones();
    if (zones)
        for (const auto& z : *zones) serials[z.name] = z.serial;
    return serials;
}

}  // namespace

std::string facts_text(const DatabaseFacts& f) {
    std::string text = std::to_string(f.zones) + " zones, " + std::to_string(f.tuples) + " tuples";
    if (f.last_change > 0)
        text += ", last change #" + std::to_string(f.last_change) + " at " + utc_text(f.last_change_ms);
    return text;
}

std::map<std::string, uint32_t> restored_serials(const std::map<std::string, uint32_t>& backup,
                                                 const std::map<std::string, uint32_t>& live, uint32_t step) {
    std::map<std::string, uint32_t> out;
    for (const auto& [zone, serial] : backup) {
        auto known = live.find(zone);
        if (known == live.end()) {
            out[zone] = serial_plus(serial, step);
        } else {
            bool live_newer = static_cast<int32_t>(known->second - serial) > 0;
            out[zone] = serial_plus(live_newer ? known->second : serial, 1);
        }
    }
    return out;
}

Result<BackupDone> backup_database(const std::string& database, const std::string& file) {
    std::error_code ec;
    if (!std::filesystem::exists(database, ec))
        return fail(ErrorKind::not_found, "no database at " + database + " (wrong --state or --config?)");
    // Read-write, never create: a reader of a WAL database needs its -shm.
    auto source = open_db(database, SQLITE_OPEN_READWRITE);
    if (!source) return source.failure();
    std::string partial = file + ".partial";
    remove_database(partial);  // of a backup that was killed
    if (auto r = create_private(partial); !r) return r.failure();
    RemoveUnlessKept cleanup(partial);
    DatabaseFacts facts;
    {
        auto target = open_db(partial, SQLITE_OPEN_READWRITE);
        if (!target) return target.failure();
        if (auto r = copy_all(source->get(), target->get(), "backup of " + database); !r) return r.failure();
        // One self-contained file: no -wal to carry along.
        if (auto r = exec(target->get(), "PRAGMA journal_mode = DELETE", partial); !r) return r.failure();
        auto read = read_facts(target->get(), partial);
        if (!read) return read.failure();
        facts = *read;
    }
    if (auto r = fsync_path(partial, O_RDONLY); !r) return r.failure();
    if (::rename(partial.c_str(), file.c_str()) != 0)
        return fail(ErrorKind::unavailable, "cannot rename " + partial + " to " + file + ": " + std::strerror(errno));
    cleanup.keep();
    auto dir = std::filesystem::path(file).parent_path();
    (void)fsync_path(dir.empty() ? "." : dir.string(), O_RDONLY | O_DIRECTORY);  // best effort: the file is whole
    return BackupDone{file, facts};
}

Result<RestoreDone> restore_database(const std::string& state_dir, const std::string& file,
                                     const RestoreOptions& options) {
    std::error_code ec;
    if (!std::filesystem::is_directory(state_dir, ec))
        return fail(ErrorKind::not_found, "no state directory " + state_dir + " (wrong --state or --config?)");
    auto lock = StateLock::take(state_dir);
    if (!lock) return fail(lock.kind(), lock.error() + ": stop it first");
    if (!std::filesystem::is_regular_file(file, ec)) return fail(ErrorKind::not_found, "no backup file " + file);
    auto source = open_db(file, SQLITE_OPEN_READONLY);
    if (!source) return source.failure();
    auto facts = read_facts(source->get(), file);
    if (!facts) return facts.failure();

    // The restored database is made beside the live one and only then copied over it.
    const std::string live = state_dir + "/patchbay.db";
    const std::string staged = live + ".restoring";
    remove_database(staged);
    if (auto r = create_private(staged); !r) return r.failure();
    RemoveUnlessKept cleanup(staged);
    {
        auto target = open_db(staged, SQLITE_OPEN_READWRITE);
        if (!target) return target.failure();
        if (auto r = copy_all(source->get(), target->get(), "copy of " + file); !r) return r.failure();
    }
    source->reset();

    std::map<std::string, uint32_t> live_serials;
    if (std::filesystem::exists(live, ec)) {
        auto current = Store::open(live);
        if (current) live_serials = zone_serials(*current);
    }
    RestoreDone done{*facts, {}};
    {
        // Store::open brings a backup of an older version to this version's schema.
        auto restored = Store::open(staged);
        if (!restored) return fail(restored.kind(), file + ": " + restored.error());
        auto backup_serials = zone_serials(*restored);
        auto serials = restored_serials(backup_serials, live_serials, options.serial_step);
        std::string detail = "from " + file;
        if (facts->last_change > 0)
            detail += " (change #" + std::to_string(facts->last_change) + " of " + utc_text(facts->last_change_ms) + ")";
        if (auto r = restored->restart_serials(serials, detail, options.author); !r) return r.failure();
        for (const auto& [zone, serial] : serials)
            done.zones.push_back(RestoredZone{zone, backup_serials[zone], serial});
    }
    {
        auto from = open_db(staged, SQLITE_OPEN_READWRITE);
        if (!from) return from.failure();
        bool fresh = !std::filesystem::exists(live, ec);
        if (fresh)
            if (auto r = create_private(live); !r) return r.failure();
        auto to = open_db(live, SQLITE_OPEN_READWRITE);
        if (!to) return to.failure();
        if (auto r = copy_all(from->get(), to->get(), "restore into " + live); !r) return r.failure();
    }
    for (const char* suffix : {"", "-wal", "-shm"}) own_like_state_dir(live + suffix, state_dir);
    return done;
}

}  // namespace patchbay
