#include "store.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <limits>

#include <nlohmann/json.hpp>

#include "principal.h"
#include "sqlite_stmt.h"

namespace patchbay {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS accounts (
  name TEXT PRIMARY KEY,
  created_at INTEGER
);
CREATE TABLE IF NOT EXISTS zones (
  name TEXT PRIMARY KEY,
  serial INTEGER NOT NULL,
  account TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS tuples (
  zone TEXT NOT NULL REFERENCES zones(name) ON DELETE CASCADE,
  service TEXT NOT NULL,
  transport TEXT NOT NULL,
  address TEXT NOT NULL,
  port INTEGER NOT NULL,
  priority INTEGER NOT NULL,
  weight INTEGER NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (zone, service, transport, address, port)
);
CREATE TABLE IF NOT EXISTS records (
  zone TEXT NOT NULL REFERENCES zones(name) ON DELETE CASCADE,
  owner BLOB NOT NULL,
  type INTEGER NOT NULL,
  ttl INTEGER NOT NULL,
  rdata BLOB NOT NULL,
  PRIMARY KEY (zone, owner, type, rdata)
);
CREATE TABLE IF NOT EXISTS drains (
  address TEXT PRIMARY KEY,
  started_ms INTEGER NOT NULL,
  grace_ms INTEGER NOT NULL,
  drained INTEGER NOT NULL,
  removed TEXT NOT NULL,
  changes TEXT NOT NULL,
  author TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS agents (
  name TEXT PRIMARY KEY,
  notify TEXT NOT NULL,
  domains TEXT NOT NULL,
  registered_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
  sha256 TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  account TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL DEFAULT 'admin'
);
CREATE TABLE IF NOT EXISTS journal (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  zone TEXT NOT NULL REFERENCES zones(name) ON DELETE CASCADE,
  serial_from INTEGER NOT NULL,
  serial_to INTEGER NOT NULL,
  removed BLOB NOT NULL,
  added BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_by_zone ON journal (zone, id);
CREATE TABLE IF NOT EXISTS account_settings (
  account TEXT NOT NULL,
  version INTEGER NOT NULL,
  text TEXT NOT NULL,
  file TEXT NOT NULL,
  at INTEGER NOT NULL,
  author TEXT NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY (account, version)
);
CREATE TABLE IF NOT EXISTS changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  zone TEXT NOT NULL,
  serial INTEGER NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_by_zone ON changes (zone, id);
)sql";

// Columns added since the first schema: a database made before them gains them when
// opened (ALTER TABLE ADD COLUMN; existing rows take the default).
constexpr SqliteAddedColumn kAddedColumns[] = {
    {"zones", "account", "TEXT NOT NULL DEFAULT ''"},
    {"tokens", "account", "TEXT NOT NULL DEFAULT ''"},
    {"tokens", "role", "TEXT NOT NULL DEFAULT 'admin'"},
    {"zones", "template", "TEXT NOT NULL DEFAULT ''"},
    // The change log's author, time in ms and account. Rows older than them keep
    // author '', at_ms NULL (read as `at` seconds × 1000) and account NULL (read as
    // their zone's account now, or '' when it is gone).
    {"changes", "author", "TEXT NOT NULL DEFAULT ''"},
    {"changes", "at_ms", "INTEGER"},
    {"changes", "account", "TEXT"},
    // The tuples a change placed and removed (change_tuples_text); '' for older rows.
    {"changes", "tuples", "TEXT NOT NULL DEFAULT ''"},
};

// A prepared statement that finalizes itself; bind/step helpers return Results.
class Statement {
public:
    Statement(sqlite3* db, const char* sql) : db_(db) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    bool ok() const { return stmt_ != nullptr; }
    Statement& bind(int i, const std::string& text) {
        sqlite3_bind_text(stmt_, i, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement& bind_blob(int i, const std::string& bytes) {
        sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement& bind(int i, int64_t value) {
        sqlite3_bind_int64(stmt_, i, value);
        return *this;
    }
    // SQLITE_ROW or SQLITE_DONE, or an error.
    Result<int> step() {
        int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW || rc == SQLITE_DONE) return rc;
        return fail(ErrorKind::internal, std::string("database: ") + sqlite3_errmsg(db_));
    }
    std::string text(int col) const {
        auto* p = sqlite3_column_text(stmt_, col);
        return p ? reinterpret_cast<const char*>(p) : "";
    }
    int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
    // For running the statement again with new bindings.
    void reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }
    std::string blob(int col) const {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
        return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : "";
    }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

Error db_error(sqlite3* db, const std::string& what) {
    return fail(ErrorKind::internal, what + ": " + sqlite3_errmsg(db));
}

// BEGIN IMMEDIATE … COMMIT, rolled back unless committed.
class Transaction {
public:
    explicit Transaction(sqlite3* db) : db_(db) {
        ok_ = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
    }
    ~Transaction() {
        if (ok_ && !done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    bool ok() const { return ok_; }
    Result<void> commit() {
        done_ = true;
        if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
            return db_error(db_, "commit");
        }
        return {};
    }

private:
    sqlite3* db_;
    bool ok_ = false;
    bool done_ = false;
};

std::string tuple_detail(const TupleKey& key) { return key.str(); }

// Inside an open transaction: appends one change-log row, stamped now, and gives its id.
// `at` (seconds) is still written so an older build reading this database sees the time too.
Result<int64_t> log_change(sqlite3* db, const std::string& zone, uint32_t serial, const std::string& action,
                           const std::string& detail, const std::string& account, const std::string& author,
                           const ChangeTuples& tuples) {
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    Statement log(db, "INSERT INTO changes (at, at_ms, zone, serial, action, detail, account, author, tuples) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    log.bind(1, static_cast<int64_t>(now_ms / 1000)).bind(2, static_cast<int64_t>(now_ms)).bind(3, zone);
    log.bind(4, static_cast<int64_t>(serial)).bind(5, action).bind(6, detail).bind(7, account).bind(8, author);
    log.bind(9, change_tuples_text(tuples));
    if (auto r = log.step(); !r) return r.failure();
    return static_cast<int64_t>(sqlite3_last_insert_rowid(db));
}

std::vector<TupleKey> keys_of(const std::vector<Tuple>& tuples) {
    std::vector<TupleKey> out;
    for (const auto& t : tuples) out.push_back(t.key);
    std::sort(out.begin(), out.end());
    return out;
}

bool zone_exists(sqlite3* db, const std::string& zone) {
    Statement q(db, "SELECT 1 FROM zones WHERE name = ?");
    q.bind(1, zone);
    auto rc = q.step();
    return rc && *rc == SQLITE_ROW;
}

}  // namespace

Result<Store> Store::open(const std::string& path) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             nullptr);
    Store store(raw);
    if (rc != SQLITE_OK)
        return fail(ErrorKind::unavailable,
                    "cannot open database " + path + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
    sqlite3_busy_timeout(raw, 5000);
    for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL",
                               "PRAGMA foreign_keys = ON"}) {
        if (auto r = store.exec(pragma); !r) return fail(ErrorKind::unavailable, path + ": " + r.error());
    }
    if (auto r = store.exec(kSchema); !r) return fail(ErrorKind::unavailable, path + ": " + r.error());
    if (auto r = store.migrate(); !r) return fail(ErrorKind::unavailable, path + ": " + r.error());
    return store;
}

Result<void> Store::migrate() { return sqlite_add_columns(db_.get(), kAddedColumns, "database"); }

Result<void> Store::exec(const char* sql) const {
    char* message = nullptr;
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message ? message : "unknown error";
        sqlite3_free(message);
        return fail(ErrorKind::internal, "database: " + text);
    }
    return {};
}

// Inside an open transaction: serial + 1 (RFC 1982 wrap skips 0) and a change-log row.
Result<Change> Store::bump(const std::string& zone, const std::string& action, const std::string& detail,
                           const std::string& author, const ChangeTuples& tuples) {
    Statement up(db_.get(),
                 "UPDATE zones SET serial = CASE WHEN serial >= 4294967295 THEN 1 ELSE serial + 1 END "
                 "WHERE name = ? RETURNING serial, account");
    up.bind(1, zone);
    auto rc = up.step();
    if (!rc) return rc.failure();
    if (*rc != SQLITE_ROW) return fail(ErrorKind::not_found, "no zone " + zone);
    auto serial = static_cast<uint32_t>(up.integer(0));
    std::string account = up.text(1);
    if (auto done = up.step(); !done) return done.failure();
    auto id = log_change(db_.get(), zone, serial, action, detail, account, author, tuples);
    if (!id) return id.failure();
    return Change{zone, serial, true, *id};
}

Result<std::vector<Change>> Store::restart_serials(const std::map<std::string, uint32_t>& serials,
                                                   const std::string& detail, const std::string& author) {
    Transaction tx(db_.get());
    if (!tx.ok()) return db_error(db_.get(), "begin");
    std::vector<Change> changes;
    for (const auto& [zone, serial] : serials) {
        Statement set(db_.get(), "UPDATE zones SET serial = ? WHERE name = ? RETURNING account");
        set.bind(1, static_cast<int64_t>(serial)).bind(2, zone);
        auto rc = set.step();
        if (!rc) return rc.failure();
        if (*rc != SQLITE_ROW) return fail(ErrorKind::not_found, "no zone " + zone);
        std::string account = set.text(0);
        if (auto done = set.step(); !done) return done.failure();
        Statement forget(db_.get(), "DELETE FROM journal WHERE zone = ?");
        forget.bind(1, zone);
        if (auto r = forget.step(); !r) return r.failure();
        auto id = log_change(db_.get(), zone, serial, "restore", detail, account, author, ChangeTuples{});
        if (!id) return id.failure();
        changes.push_back(Change{zone, serial, true, *id});
    }
    if (auto r = tx.commit(); !r) return r.failure();
    return changes;
}

Result<Change> Store::add_zone(const std::string& name, const std::string& account, const std::string& template_name,
                               const std::vector<Tuple>& tuples, const std::string& author) {
    Transaction tx(db_.get());
    if (!tx.ok()) return db_error(db_.get(), "begin");
    if (zone_exists(db_.get(), name)) return fail(ErrorKind::conflict, "zone " + name + " exists already");
    // A new zone starts at serial 1 (the bump below makes it 1 from 0).
    Statement ins(db_.get(), "INSERT INTO zones (name, serial, account, template) VALUES (?, 0, ?, ?)");
    ins.bind(1, name).bind(2, account).bind(3, template_name);
    if (auto r = ins.step(); !r) return r.failure();
    Statement put(db_.get(),
                  "INSERT INTO tuples (zone, service, transport, address, port, priority, weight, target) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    for (const auto& t : tuples) {
        put.reset();
        put.bind(1, name).bind(2, t.key.service).bind(3, t.key.transport).bind(4, t.key.address.str());
        put.bind(5, t.key.port).bind(6, t.priority).bind(7, t.weight).bind(8, t.target);
        if (auto r = put.step(); !r) return r.failure();
    }
    auto change = bump(name, template_name.empty() ? "zone add" : "zone add from template " + template_name,
                       tuples.empty() ? name : name + " (" + std::to_string(tuples.size()) + " tuples)", author,
                       ChangeTuples{keys_of(tuples), {}});
    if (!change) return change;
    if (auto r = tx.commit(); !r) return r.failure();
    return change;
}

Result<Change> Store::remove_zone(const std::string& name, const std::string& author) {
    Transaction tx(db_.get());
    if (!tx.ok()) return db_error(db_.get(), "begin");
    Change change{name, 0, true, 0};
    std::string account;
    auto gone = tuples(name);  // their units stop with the zone
    if (!gone) return gone.failure();
    {
        Statement del(db_.get(), "DELETE FROM zones WHERE name = ? RETURNING serial, account");
        del.bind(1, name);
        auto rc = del.step();
        if (!rc) return rc.failure();
        if (*rc != SQLITE_ROW) return fail(ErrorKind::not_found, "no zone " + name);
        change.serial = static_cast<uint32_t>(del.integer(0));
        account = del.text(1);
        if (auto done = del.step(); !done) return done.failure();
    }
    auto id = log_change(db_.get(), name, change.serial, "zone rm", name, account, author,
                         ChangeTuples{{}, keys_of(*gone)});
    if (!id) return id.failure();
    change.id = *id;
    if (auto r = tx.commit(); !r) return r.failure();
    return change;
}

Result<std::vector<ZoneRow>> Store::zones() const {
    Statement q(db_.get(), "SELECT name, serial, account, template FROM zones ORDER BY name");
    std::vector<ZoneRow> out;
    while (true) {
        auto rc = q.step();
        if (!rc) return rc.failure();
        if (*rc == SQLITE_DONE) break;
        out.push_back({q.text(0), static_cast<uint32_t>(q.integer(1)), q.text(2), q.text(3)});
    }
    return out;
}

Result<std::optional<ZoneRow>> Store::zone(const std::string& name) const {
    Statement q(db_.get(), "SELECT name, serial, account, template FROM zones WHERE name = ?");
    q.bind(1, name);
    auto rc = q.step();
    if (!rc) return rc.failure();
    if (*rc == SQLITE_DONE) return std::optional<ZoneRow>();
    return std::optional<ZoneRow>(ZoneRow{q.text(0), static_cast<uint32_t>(q.integer(1)), q.text(2), q.text(3)});
}

Result<Change> Store::put_tuple(const Tuple& t, const std::string& author) {
    Transaction tx(db_.get());
    if (!tx.ok()) return db_error(db_.get(), "begin");
    if (!zone_exists(db_.get(), t.domain)) return fail(ErrorKind::not_found, "no zone " + t.domain);
    Statement same(db_.get(),
                   "SELECT priority, weight, target FROM tuples WHERE zone = ? AND service = ? AND "
                   "transport = ? AND address = ? AND port = ?");
    same.bind(1, t.domain).bind(2, t.key.service).bind(3, t.key.transport).bind(4, t.key.address.str()).bind(5, t.key.port);
    auto found = same.step();
    if (!found) return found.failure();
    std::string action = "tuple add";
    if (*found == SQLITE_ROW) {
        if (same.integer(0) == t.priority && same.integer(1) == t.weight && same.text(2) == t.target) {
            Statement serial(db_.get(), "SELECT serial FROM zones WHERE name = ?");
            serial.bind(1, t.domain);
            if (auto r = serial.step(); !r) return r.failure();
            return Change{t.domain, static_cast<uint32_t>(serial.integer(0)), false, 0};
        }
        action = "tuple update";
    }
    Statement put(db_.get(),
                  "INSERT INTO tuples (zone, service, transport, address, port, priority, weight, target) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (zone, service, transport, address, port) "
                  "DO UPDATE SET priority = excluded.priority, weight = excluded.weight, target = excluded.target");
    put.bind(1, t.domain).bind(2, t.key.service).bind(3, t.key.transport).bind(4, t.key.address.str());
    put.bind(5, t.key.port).bind(6, t.priority).bind(7, t.weight).bind(8, t.target);
    if (auto r = put.step(); !r) return r.failure();
    auto change = bump(t.domain, action,
                       tuple_detail(t.key) + " priority " + std::to_string(t.priority) + " weight " +
                           std::to_string(t.weight),
                       author, ChangeTuples{{t.key}, {}});
    if (!change) return change;
    if (auto r = tx.commit(); !r) return r.failure();
    return change;
}

Result<Change> Store::remove_tuple(const std::string& zone, const TupleKey& key, const std::string& author) {
    Transaction tx(db_.get());
    if (!tx.ok()) return db_error(db_.get(), "begin");
    if (!zone_exists(db_.get(), zone)) return fail(ErrorKind::not_found, "no zone " + zone);
    Statement del(db_.get(),
                  "DELETE FROM tuples WHERE zone = ? AND service = ? AND transport = ? AND address = ? AND port = ?");
    del.bind(1, zone).bind(2, key.service).bind(3, key.transport).bind(4, key.address.str()).bind(5, key.port);
    if (auto r = del.step(); !r) return r.failure();
    if (sqlite3_changes(db_.get()) == 0)
        return fail(ErrorKind::not_found, "no tuple " + tuple_detail(key) + " in zone " + zone);
    auto change = bump(zone, "tuple rm", tuple_detail(key), author, ChangeTuples{{}, {key}});
    if (!change) return change;
    if (auto r = tx.commit(); !r) return r.failure();
    return change;
}

namespace {

Result<std::vector<Tuple>> read_tuples(Statement& q) {
    std::vector<Tuple> out;
    while (true) {
        auto rc = q.step();
        if (!rc) return rc.failure();
        if (*rc == SQLITE_DONE) break;
        auto address = Address::parse(q.text(3));
        if (!address) return fail(ErrorKind::internal, "database holds a bad address: " + address.error());
        Tuple t;
        t.domain = q.text(0);
        t.key = TupleKey{q.text(1), q.text(2), *address, static_cast<uint16_t>(q.integer(4))};
        t.priority = static_cast<uint16_t>(q.integer(5));
        t.weight = static_cast<uint16_t>(q.integer(6));
        t.target = q.text(7);
        out.push_back(std::move(t));
    }
    return out;
}

// RFC 1982 §3.2: a is newer than b.
bool serial_newer(uint32_t a, uint32_t b) { return a != b && static_cast<uint32_t>(a - b) < 0x80000000u; }

// "+2 -1 tuples, +0 -3 records": what a replacement changed, for the change log.
template <class T>
std::string diff_counts(const std::vector<T>& before, const std::vector<T>& after, const char* what) {
    size_t removed = 0, added = 0;
    for (const auto& x : before) removed += !std::binary_search(after.begin(), after.end(), x);
    for (const auto& x : after) added += !std::binary_search(before.begin(), before.end(), x);
    return "+" + std::to_string(added) + " -" + std::to_string(removed) + " " + what;
}

}  // namespace

Result<std::vector<Tuple>> Store::tuples(const std::optional<std::string>& zone) const {
    if (zone && !zone_exists(db_.get(), *zone)) return fail(ErrorKind::not_found, "no zone " + *zone);
    Statement q(db_.get(), zone ? "SELECT zone, service, transport, address, port, priority, weight, target "
                                  "FROM tuples WHERE zone = ? ORDER BY zone, service, transport, address, port"
                                : "SELECT zone, service, transport, address, port, priority, weight, target "
                                  "FROM tuples ORDER BY zone, service, transport, address, port");
    if (zone) q.bind(1, *zone);
    return read_tuples(q);
}

Result<std::vector<Record>> Store::records(const std::string& zone) const {
    Statement q(db_.get(), "SELECT owner, type, ttl, rdata FROM records WHERE zone = ?");
    q.bind(1, zone);
    std::vector<Record> out;
    while (true) {
        auto rc = q.step();
        if (!rc) return rc.failure();
        if (*rc == SQLITE_DONE) break;
        out.push_back({q.blob(0), static_cast<uint16_t>(q.integer(1)), static_cast<uint32_t>(q.integer(2)), q.blob(3)});
    }
    std::sort(out.begin(), out.end());
    return out;
}

Result<Change> Store::replace_zone(const std::string& zone, std::vector<Tuple> tuples, std::vector<Record> records,
                                   std::optional<uint32_t> serial, const std::string& action,
                                   const std::string& account, const std::string& author) {
    for (const auto& t : tuples)
        if (t.domain != zone) return fail(ErrorKind::invalid, "tuple " + t.key.str() + " belongs to " + t.domain);
    std::sort(tuples.begin(), tuples.end());
    std::sort(records.begin(), records.end());
    Transaction tx(db_.get());
    if (!tx.ok()) return db_error(db_.get(), "begin");
    auto row = this->zone(zone);
    if (!row) return row.failure();
    std::string detail;
    ChangeTuples touched{keys_of(tuples), {}};  // a new zone places all its tuples
    uint32_t next = serial.value_or(1) == 0 ? 1 : serial.value_or(1);
    if (*row) {
        auto old_tuples = this->tuples(zone);
        if (!old_tuples) return old_tuples.failure();
        auto old_records = this->records(zone);
        if (!old_records) return old_records.failure();
        std::sort(old_tuples->begin(), old_tuples->end());
        if (*old_tuples == tuples && *old_records == records) return Change{zone, (*row)->serial, false, 0};
        detail = diff_counts(*old_tuples, tuples, "tuples") + ", " + diff_counts(*old_records, records, "records");
        touched = tuples_touched(*old_tuples, tuples);
        uint32_t current = (*row)->serial;
        if (!serial || !serial_newer(*serial, current)) next = current >= 4294967295u ? 1 : current + 1;
        for (const char* sql : {"DELETE FROM tuples WHERE zone = ?", "DELETE FROM records WHERE zone = ?"}) {
            Statement del(db_.get(), sql);
            del.bind(1, zone);
            if (auto r = del.step(); !r) return r.failure();
        }
    } else {
        detail = "+" + std::to_string(tuples.size()) + " tuples, +" + std::to_string(records.size()) + " records";
    }
    // An existing zone keeps its account: the update sets the serial only.
    Statement put_zone(db_.get(), "INSERT INTO zones (name, serial, account) VALUES (?, ?, ?) "
                                  "ON CONFLICT (name) DO UPDATE SET serial = excluded.serial");
    put_zone.bind(1, zone).bind(2, static_cast<int64_t>(next)).bind(3, account);
    if (auto r = put_zone.step(); !r) return r.failure();
    Statement put_tuple(db_.get(),
                        "INSERT INTO tuples (zone, service, transport, address, port, priority, weight, target) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& t : tuples) {
        put_tuple.reset();
        put_tuple.bind(1, t.domain).bind(2, t.key.service).bind(3, t.key.transport).bind(4, t.key.address.str());
        put_tuple.bind(5, t.key.port).bind(6, t.priority).bind(7, t.weight).bind(8, t.target);
        if (auto r = put_tuple.step(); !r) return r.failure();
    }
    Statement put_record(db_.get(),
                         "INSERT OR REPLACE INTO records (zone, owner, type, ttl, rdata) VALUES (?, ?, ?, ?, ?)");
    for (const auto& r : records) {
        put_record.reset();
        put_record.bind(1, zone).bind_blob(2, r.owner).bind(3, r.type).bind(4, static_cast<int64_t>(r.ttl));
        put_record.bind_blob(5, r.rdata);
        if (auto done = put_record.step(); !done) return done.failure();
    }
    const std::string& owner = *row ? (*row)->account : account;
    auto id = log_change(db_.get(), zone, next, action, detail, owner, author, touched);
    if (!id) return id.failure();
    if (auto r = tx.commit(); !r) return r.failure();
    return Change{zone, next, true, *id};
}

namespace {

// The change log as read: old rows' time from `at` and their account from their zone.
constexpr const char* kChangeSelect =
    "SELECT c.id, coalesce(c.at_ms, c.at * 1000), c.zone, c.serial, c.action, c.detail, c.author, "
    "coalesce(c.account, z.account, ''), c.tuples FROM changes c LEFT JOIN zones z ON z.name = c.zone";

ChangeRow change_row(const Statement& q) {
    return {q.integer(0), q.integer(1), q.text(2), static_cast<uint32_t>(q.integer(3)), q.text(4), q.text(5),
            q.text(6), q.text(7), change_tuples_from(q.text(8))};
}

}  // namespace

Result<std::vector<ChangeRow>> Store::changes(const ChangeFilter& filter) const {
    // Unset filters bind NULL and match everything, so one statement serves them all.
    Statement q(db_.get(), (std::string(kChangeSelect) +
                            " WHERE (?1 IS NULL OR c.zone = ?1) AND (?2 IS NULL OR coalesce(c.account, z.account, '') = ?2)"
                            " AND (?3 IS NULL OR c.id > ?3) ORDER BY c.id DESC LIMIT ?4").c_str());
    if (!q.ok()) return db_error(db_.get(), "changes");
    if (filter.zone) q.bind(1, *filter.zone);
    if (filter.account) q.bind(2, *filter.account);
    if (filter.after_id) q.bind(3, *filter.after_id);
    q.bind(4, static_cast<int64_t>(std::min<uint64_t>(filter.limit, std::numeric_limits<int64_t>::max())));
    std::vector<ChangeRow> out;
    for (;;) {
        auto rc = q.step();
        if (!rc) return rc.failure();
        if (*rc != SQLITE_ROW) break;
        out.push_back(change_row(q));
    }
    return out;
}

Result<std::optional<ChangeRow>> Store::change(int64_t id) const {
    Statement q(db_.get(), (std::string(kChangeSelect) + " WHERE c.id = ?").c_str());
    if (!q.ok()) return db_error(db_.get(), "change");
    q.bind(1, id);
    auto rc = q.step();
    if (!rc) return rc.failure();
    if (*rc != SQLITE_ROW) return std::optional<ChangeRow>();
    return std::optional<ChangeRow>(change_row(q));
}

Result<void> Store::put_drain(const DrainRow& d) {
    nlohmann::json removed = nlohmann::json::array();
    for (const auto& t : d.removed)
        removed.push_back({{"zone", t.domain}, {"service", t.key.service}, {"transport", t.key.transport},
                           {"address", t.key.address.str()}, {"port", t.key.port}, {"priority", t.priority},
                           {"weight", t.weight}, {"target", t.target}});
    Statement put(db_.get(), "INSERT OR REPLACE INTO drains (address, started_ms, grace_ms, drained, removed, changes, "
                             "author) VALUES (?, ?, ?, ?, ?, ?, ?)");
    put.bind(1, d.address.str()).bind(2, d.started_ms).bind(3, d.grace_ms).bind(4, int64_t{d.drained});
    put.bind(5, removed.dump()).bind(6, nlohmann::json(d.changes).dump()).bind(7, d.author);
    if (auto r = put.step(); !r) return r.failure();
    return {};
}

Result<std::vector<DrainRow>> Store::drains() const {
    Statement q(db_.get(), "SELECT address, started_ms, grace_ms, drained, removed, changes, author FROM drains "
                           "ORDER BY address");
    std::vector<DrainRow> out;
    for (;;) {
        auto rc = q.step();
        if (!rc) return rc.failure();
        if (*rc != SQLITE_ROW) break;
        auto address = Address::parse(q.text(0));
        if (!address) return fail(ErrorKind::internal, "database holds a bad drain address: " + address.error());
        DrainRow d{*address, q.integer(1), q.integer(2), q.integer(3) != 0, {}, {}, q.text(6)};
        auto removed = nlohmann::json::parse(q.text(4), nullptr, false);
        for (const auto& t : removed.is_array() ? removed : nlohmann::json::array()) {
            auto tuple = parse_tuple(t.value("zone", ""), t.value("service", ""), t.value("transport", ""),
                                     t.value("address", ""), std::to_string(t.value("port", 0)),
                                     std::to_string(t.value("priority", 1)), std::to_string(t.value("weight", 100)),
                                     t.value("target", ""));
            if (tuple) d.removed.push_back(std::move(*tuple));
        }
        auto changes = nlohmann::json::parse(q.text(5), nullptr, false);
        for (const auto& id : changes.is_array() ? changes : nlohmann::json::array())
            if (id.is_number_integer()) d.changes.push_back(id.get<int64_t>());
        out.push_back(std::move(d));
    }
    return out;
}

Result<void> Store::remove_drain(const Address& address) {
    Statement del(db_.get(), "DELETE FROM drains WHERE address = ?");
    del.bind(1, address.str());
    if (auto r = del.step(); !r) return r.failure();
    return {};
}

Result<void> Store::put_agent(const AgentRow& agent) {
    Statement put(db_.get(),
                  "INSERT INTO agents (name, notify, domains, registered_at) VALUES (?, ?, ?, ?) "
                  "ON CONFLICT (name) DO UPDATE SET notify = excluded.notify, domains = excluded.domains, "
                  "registered_at = excluded.registered_at");
    put.bind(1, agent.name).bind(2, agent.notify ? agent.notify->str() : std::string()).bind(3, nlohmann::json(agent.domains).dump());
    put.bind(4, agent.registered_at);
    if (auto r = put.step(); !r) return r.failure();
    return {};
}

Result<std::vector<AgentRow>> Store::agents() const {
    Statement q(db_.get(), "SELECT name, notify, domains, registered_at FROM agents ORDER BY name");
    std::vector<AgentRow> out;
    while (true) {
        auto rc = q.step();
        if (!rc) return rc.failure();
        if (*rc == SQLITE_DONE) break;
        std::optional<Endpoint> notify;
        if (auto ep = Endpoint::parse(q.text(1))) notify = *ep;
        auto domains = nlohmann::json::parse(q.text(2), nullptr, false);
        if (!domains.is_array()) continue;  // written by us; skip rather than fail the listing
        AgentRow row{q.text(0), notify, {}, q.integer(3)};
        for (const auto& d : domains)
            if (d.is_string()) row.domains.push_back(d.get<std::string>());
        out.push_back(std::move(row));
    }
    return out;
}

Result<void> Store::add_token_hash(const std::string& name, const std::string& sha256_hex,
                                   const std::string& account, const std::string& role) {
    Statement put(db_.get(), "INSERT OR IGNORE INTO tokens (sha256, name, created_at, account, role) "
                             "VALUES (?, ?, ?, ?, ?)");
    put.bind(1, sha256_hex).bind(2, name).bind(3, static_cast<int64_t>(std::time(nullptr)));
    put.bind(4, account).bind(5, role);
    if (auto r = put.step(); !r) return r.failure();
    return {};
}

Result<std::vector<TokenRow>> Store::tokens() const {
    Statement q(db_.get(), "SELECT sha256, name, account, role, created_at FROM tokens ORDER BY created_at, rowid");
    std::vector<TokenRow> out;
    for (;;) {
        auto rc = q.step();
        if (!rc) return rc.failure();
        if (*rc != SQLITE_ROW) break;
        out.push_back({q.text(0), q.text(1), q.text(2), q.text(3), q.integer(4)});
    }
    return out;
}

Result<void> Store::remove_token(const std::string& sha256_hex) {
    Statement del(db_.get(), "DELETE FROM tokens WHERE sha256 = ?");
    del.bind(1, sha256_hex);
    if (auto r = del.step(); !r) return r.failure();
    if (sqlite3_changes(db_.get()) == 0) return fail(ErrorKind::not_found, "no token " + sha256_hex.substr(0, 12));
    return {};
}

Result<void> Store::add_account(const std::string& name) {
    if (auto r = check_account_name(name); !r) return r;
    Statement put(db_.get(), "INSERT INTO accounts (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING");
    put.bind(1, name).bind(2, static_cast<int64_t>(std::time(nullptr)));
    if (auto r = put.step(); !r) return r.failure();
    if (sqlite3_changes(db_.get()) == 0) return fail(ErrorKind::conflict, "account " + name + " exists already");
    return {};
}

Result<std::vector<std::string>> Store::remove_account(const std::string& name) {
    Transaction tx(db_.get());
    if (!tx.ok()) return db_error(db_.get(), "begin");
    auto known = has_account(name);
    if (!known) return known.failure();
    if (!*known) return fail(ErrorKind::not_found, "no account '" + name + "'");
    Statement count(db_.get(), "SELECT count(*) FROM zones WHERE account = ?");
    count.bind(1, name);
    if (auto r = count.step(); !r) return r.failure();
    if (int64_t n = count.integer(0); n > 0)
        return fail(ErrorKind::conflict, "account " + name + " still has " + std::to_string(n) + " zone" +
                                             (n == 1 ? "" : "s"));
    std::vector<std::string> digests;
    {
        Statement del(db_.get(), "DELETE FROM tokens WHERE account = ? RETURNING sha256");
        del.bind(1, name);
        for (;;) {
            auto rc = del.step();
            if (!rc) return rc.failure();
            if (*rc != SQLITE_ROW) break;
            digests.push_back(del.text(0));
        }
    }
    Statement del_settings(db_.get(), "DELETE FROM account_settings WHERE account = ?");
    del_settings.bind(1, name);
    if (auto r = del_settings.step(); !r) return r.failure();
    Statement del(db_.get(), "DELETE FROM accounts WHERE name = ?");
    del.bind(1, name);
    if (auto r = del.step(); !r) return r.failure();
    if (auto r = tx.commit(); !r) return r.failure();
    return digests;
}

Result<std::vector<AccountRow>> Store::accounts() const {
    Statement q(db_.get(), "SELECT name, coalesce(created_at, 0) FROM accounts ORDER BY name");
    std::vector<AccountRow> out;
    for (;;) {
        auto rc = q.step();
        if (!rc) return rc.failure();
        if (*rc != SQLITE_ROW) break;
        out.push_back({q.text(0), q.integer(1)});
    }
    return out;
}

Result<bool> Store::has_account(const std::string& name) const {
    Statement q(db_.get(), "SELECT 1 FROM accounts WHERE name = ?");
    q.bind(1, name);
    auto rc = q.step();
    if (!rc) return rc.failure();
    return *rc == SQLITE_ROW;
}

Result<bool> Store::has_token_hash(const std::string& sha256_hex) const {
    Statement q(db_.get(), "SELECT 1 FROM tokens WHERE sha256 = ?");
    q.bind(1, sha256_hex);
    auto rc = q.step();
    if (!rc) return rc.failure();
    return *rc == SQLITE_ROW;
}

Result<std::vector<std::string>> Store::token_hashes() const {
    Statement q(db_.get(), "SELECT sha256 FROM tokens");
    std::vector<std::string> out;
    for (;;) {
        auto rc = q.step();
        if (!rc) return rc.failure();
        if (*rc != SQLITE_ROW) break;
        out.push_back(q.text(0));
    }
    return out;
}

Result<int64_t> Store::token_count() const {
    Statement q(db_.get(), "SELECT count(*) FROM tokens");
    auto rc = q.step();
    if (!rc) return rc.failure();
    return q.integer(0);
}

Result<void> Store::add_journal(const JournalRow& row, size_t keep) {
    Transaction tx(db_.get());
    if (!tx.ok()) return db_error(db_.get(), "begin");
    Statement put(db_.get(), "INSERT INTO journal (zone, serial_from, serial_to, removed, added) VALUES (?, ?, ?, ?, ?)");
    put.bind(1, row.zone).bind(2, int64_t{row.serial_from}).bind(3, int64_t{row.serial_to});
    put.bind_blob(4, row.removed).bind_blob(5, row.added);
    if (auto r = put.step(); !r) return r.failure();
    Statement trim(db_.get(),
                   "DELETE FROM journal WHERE zone = ? AND id NOT IN "
                   "(SELECT id FROM journal WHERE zone = ? ORDER BY id DESC LIMIT ?)");
    trim.bind(1, row.zone).bind(2, row.zone).bind(3, static_cast<int64_t>(keep));
    if (auto r = trim.step(); !r) return r.failure();
    return tx.commit();
}

Result<std::vector<JournalRow>> Store::journal() const {
    Statement q(db_.get(), "SELECT zone, serial_from, serial_to, removed, added FROM journal ORDER BY zone, id");
    std::vector<JournalRow> out;
    while (true) {
        auto rc = q.step();
        if (!rc) return rc.failure();
        if (*rc == SQLITE_DONE) break;
        out.push_back({q.text(0), static_cast<uint32_t>(q.integer(1)), static_cast<uint32_t>(q.integer(2)), q.blob(3),
                       q.blob(4)});
    }
    return out;
}

namespace {

constexpr const char* settings_columns = "account, version, text, file, at, author, note";

SettingsRow settings_row(const Statement& q) {
    return {q.text(0), q.integer(1), q.text(2), q.text(3), q.integer(4), q.text(5), q.text(6)};
}

}  // namespace

Result<SettingsRow> Store::add_settings(const std::string& account, const std::string& text, const std::string& file,
                                        const std::string& author, const std::string& note) {
    Transaction tx(db_.get());
    if (!tx.ok()) return db_error(db_.get(), "begin");
    auto known = has_account(account);
    if (!known) return known.failure();
    if (!*known) return fail(ErrorKind::not_found, "no account '" + account + "'");
    Statement put(db_.get(),
                  "INSERT INTO account_settings (account, version, text, file, at, author, note) "
                  "SELECT ?1, coalesce(max(version), 0) + 1, ?2, ?3, ?4, ?5, ?6 FROM account_settings "
                  "WHERE account = ?1 RETURNING account, version, text, file, at, author, note");
    put.bind(1, account).bind(2, text).bind(3, file).bind(4, static_cast<int64_t>(std::time(nullptr)));
    put.bind(5, author).bind(6, note);
    auto rc = put.step();
    if (!rc) return rc.failure();
    if (*rc != SQLITE_ROW) return fail(ErrorKind::internal, "storing the settings of " + account + " returned nothing");
    SettingsRow row = settings_row(put);
    if (auto done = put.step(); !done) return done.failure();
    if (auto r = tx.commit(); !r) return r.failure();
    return row;
}

Result<std::vector<SettingsRow>> Store::settings_history(const std::string& account) const {
    Statement q(db_.get(), (std::string("SELECT ") + settings_columns +
                            " FROM account_settings WHERE account = ? ORDER BY version DESC").c_str());
    q.bind(1, account);
    std::vector<SettingsRow> out;
    for (;;) {
        auto rc = q.step();
        if (!rc) return rc.failure();
        if (*rc != SQLITE_ROW) break;
        out.push_back(settings_row(q));
    }
    return out;
}

Result<std::vector<SettingsRow>> Store::current_settings() const {
    Statement q(db_.get(), (std::string("SELECT ") + settings_columns +
                            " FROM account_settings s WHERE version = (SELECT max(version) FROM account_settings "
                            "WHERE account = s.account) ORDER BY account").c_str());
    std::vector<SettingsRow> out;
    for (;;) {
        auto rc = q.step();
        if (!rc) return rc.failure();
        if (*rc != SQLITE_ROW) break;
        out.push_back(settings_row(q));
    }
    return out;
}

}  // namespace patchbay
