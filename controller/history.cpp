// History in SQLite (history.h). Compact rows: states are small integers, blocks are
// WITHOUT ROWID keyed by (server, period).
#include "history.h"

#include "sqlite_stmt.h"

#include <algorithm>

namespace patchbay {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS watch_servers (
  name TEXT PRIMARY KEY,
  last_report_ms INTEGER NOT NULL,
  boot TEXT NOT NULL,
  seq INTEGER NOT NULL,
  reports INTEGER NOT NULL,
  lost INTEGER NOT NULL,
  state INTEGER NOT NULL,
  since_ms INTEGER NOT NULL,
  reason TEXT NOT NULL,
  last_report TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS watch_instances (
  server TEXT NOT NULL,
  domain TEXT NOT NULL,
  service TEXT NOT NULL,
  transport TEXT NOT NULL,
  address TEXT NOT NULL,
  port INTEGER NOT NULL,
  state INTEGER NOT NULL,
  since_ms INTEGER NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (server, domain, service, transport, address, port)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state_changes (
  id INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  server TEXT NOT NULL,
  domain TEXT, service TEXT, transport TEXT, address TEXT, port INTEGER,
  from_state INTEGER NOT NULL,
  to_state INTEGER NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS state_changes_by_server ON state_changes (server, at_ms);
CREATE INDEX IF NOT EXISTS state_changes_by_time ON state_changes (at_ms);
CREATE TABLE IF NOT EXISTS state_blocks (
  server TEXT NOT NULL,
  period_ms INTEGER NOT NULL,
  state INTEGER NOT NULL,
  reports INTEGER NOT NULL DEFAULT 0,
  cpu_max REAL,
  memory_max REAL,
  PRIMARY KEY (server, period_ms)
) WITHOUT ROWID;
)sql";

// Columns added since the first schema (issue 6: a block's metrics); a database made
// before them gains them when opened, its old blocks without metrics.
constexpr SqliteAddedColumn kAddedColumns[] = {
    {"state_blocks", "reports", "INTEGER NOT NULL DEFAULT 0"},
    {"state_blocks", "cpu_max", "REAL"},
    {"state_blocks", "memory_max", "REAL"},
};

Error db_error(sqlite3* db, const std::string& what) { return sqlite_error(db, "history database", what); }

Health health_of(int64_t v) { return v >= 0 && v <= 3 ? static_cast<Health>(v) : Health::unknown; }

std::optional<InstanceRef> instance_at(const SqliteStmt& q, int first) {
    if (q.col_null(first)) return std::nullopt;
    auto t = parse_tuple(q.col_text(first), q.col_text(first + 1), q.col_text(first + 2), q.col_text(first + 3),
                         std::to_string(q.col_int(first + 4)));
    if (!t) return std::nullopt;
    return InstanceRef{t->domain, t->key};
}

BlockMetrics metrics_at(const SqliteStmt& q, int first) {
    return BlockMetrics{static_cast<uint32_t>(q.col_int(first)), q.col_real(first + 1), q.col_real(first + 2)};
}

void bind_instance(SqliteStmt& s, int first, const InstanceRef& i) {
    s.text(first, i.domain).text(first + 1, i.key.service).text(first + 2, i.key.transport);
    s.text(first + 3, i.key.address.str()).integer(first + 4, i.key.port);
}

}  // namespace

Result<History> History::open(const std::string& path) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    History h(raw);
    if (rc != SQLITE_OK)
        return fail(ErrorKind::unavailable,
                    "cannot open database " + path + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
    sqlite3_busy_timeout(raw, 5000);
    // FULL: a state change, once acknowledged, survives a power cut too; it costs an
    // fsync per change batch only, since reports that change nothing are not written.
    for (const char* sql : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", kSchema}) {
        if (sqlite3_exec(raw, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
            auto e = db_error(raw, path);
            return fail(ErrorKind::unavailable, e.message);
        }
    }
    if (auto added = sqlite_add_columns(raw, kAddedColumns, "history database " + path); !added)
        return fail(ErrorKind::unavailable, added.error());
    return h;
}

void BlockMetrics::add(const HostMetrics& host) {
    ++reports;
    cpu_max = std::max(cpu_max.value_or(host.cpu), host.cpu);
    memory_max = std::max(memory_max.value_or(host.memory), host.memory);
}

void BlockMetrics::merge(const BlockMetrics& other) {
    reports += other.reports;
    auto most = [](const std::optional<double>& a, const std::optional<double>& b) -> std::optional<double> {
        if (!a) return b;
        if (!b) return a;
        return std::max(*a, *b);
    };
    cpu_max = most(cpu_max, other.cpu_max);
    memory_max = most(memory_max, other.memory_max);
}

Result<void> History::write(const HistoryBatch& b) {
    sqlite3* db = db_.get();
    if (b.empty()) return {};
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return db_error(db, "begin");
    auto body = [&]() -> Result<void> {
        if (!b.changes.empty()) {
            SqliteStmt s(db,
                   "INSERT INTO state_changes (at_ms, server, domain, service, transport, address, port, from_state, "
                   "to_state, reason) VALUES (?,?,?,?,?,?,?,?,?,?)");
            if (!s.ok()) return db_error(db, "prepare");
            for (const auto& c : b.changes) {
                s.integer(1, c.at_ms).text(2, c.server);
                if (c.instance) bind_instance(s, 3, *c.instance);
                else
                    for (int i = 3; i <= 7; ++i) s.null(i);
                s.integer(8, static_cast<int>(c.from)).integer(9, static_cast<int>(c.to)).text(10, c.reason);
                if (auto r = s.run("insert state change"); !r) return r;
            }
        }
        if (!b.servers.empty()) {
            SqliteStmt up(db, "INSERT OR REPLACE INTO watch_servers VALUES (?,?,?,?,?,?,?,?,?,?)");
            SqliteStmt clear(db, "DELETE FROM watch_instances WHERE server = ?");
            if (!up.ok() || !clear.ok()) return db_error(db, "prepare");
            for (const auto& s : b.servers) {
                up.text(1, s.name).integer(2, s.last_report_ms).text(3, s.boot);
                up.integer(4, static_cast<int64_t>(s.seq)).integer(5, static_cast<int64_t>(s.reports));
                up.integer(6, static_cast<int64_t>(s.lost)).integer(7, static_cast<int>(s.state));
                up.integer(8, s.since_ms).text(9, s.reason).text(10, s.last_report);
                if (auto r = up.run("write server"); !r) return r;
                if (auto r = clear.text(1, s.name).run("clear instances"); !r) return r;
            }
            SqliteStmt ins(db, "INSERT OR REPLACE INTO watch_instances VALUES (?,?,?,?,?,?,?,?,?)");
            if (!ins.ok()) return db_error(db, "prepare");
            for (const auto& i : b.instances) {
                ins.text(1, i.server);
                bind_instance(ins, 2, i.instance);
                ins.integer(7, static_cast<int>(i.state)).integer(8, i.since_ms).text(9, i.reason);
                if (auto r = ins.run("write instance"); !r) return r;
            }
        }
        if (!b.blocks.empty()) {
            // A period closed again after a restart keeps the worse of the two.
            SqliteStmt s(db,
                   "INSERT INTO state_blocks (server, period_ms, state, reports, cpu_max, memory_max) "
                   "VALUES (?,?,?,?,?,?) ON CONFLICT (server, period_ms) DO UPDATE SET "
                   "state = max(state, excluded.state), reports = reports + excluded.reports, "
                   "cpu_max = coalesce(max(cpu_max, excluded.cpu_max), cpu_max, excluded.cpu_max), "
                   "memory_max = coalesce(max(memory_max, excluded.memory_max), memory_max, excluded.memory_max)");
            if (!s.ok()) return db_error(db, "prepare");
            for (const auto& bl : b.blocks) {
                s.text(1, bl.server).integer(2, bl.period_ms).integer(3, static_cast<int>(bl.worst));
                s.integer(4, bl.metrics.reports).real(5, bl.metrics.cpu_max).real(6, bl.metrics.memory_max);
                if (auto r = s.run("write block"); !r) return r;
            }
        }
        if (b.forget_before_ms > 0) {
            SqliteStmt c(db, "DELETE FROM state_changes WHERE at_ms < ?");
            SqliteStmt bl(db, "DELETE FROM state_blocks WHERE period_ms < ?");
            if (!c.ok() || !bl.ok()) return db_error(db, "prepare");
            if (auto r = c.integer(1, b.forget_before_ms).run("retention"); !r) return r;
            if (auto r = bl.integer(1, b.forget_before_ms).run("retention"); !r) return r;
        }
        return {};
    };
    if (auto r = body(); !r) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        return r;
    }
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
        auto e = db_error(db, "commit");
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        return e;
    }
    return {};
}

Result<History::Loaded> History::load() const {
    sqlite3* db = db_.get();
    Loaded out;
    SqliteStmt s(db, "SELECT name, last_report_ms, boot, seq, reports, lost, state, since_ms, reason, last_report "
               "FROM watch_servers ORDER BY name");
    if (!s.ok()) return db_error(db, "prepare");
    for (;;) {
        auto row = s.step("load servers");
        if (!row) return row.failure();
        if (!*row) break;
        out.servers.push_back(ServerRow{s.col_text(0), s.col_int(1), s.col_text(2), static_cast<uint64_t>(s.col_int(3)),
                                        static_cast<uint64_t>(s.col_int(4)), static_cast<uint64_t>(s.col_int(5)),
                                        health_of(s.col_int(6)), s.col_int(7), s.col_text(8), s.col_text(9)});
    }
    SqliteStmt i(db, "SELECT server, domain, service, transport, address, port, state, since_ms, reason "
               "FROM watch_instances");
    if (!i.ok()) return db_error(db, "prepare");
    for (;;) {
        auto row = i.step("load instances");
        if (!row) return row.failure();
        if (!*row) break;
        auto ref = instance_at(i, 1);
        if (!ref) continue;  // unreadable rows are dropped: the next report rebuilds them
        out.instances.push_back(InstanceRow{i.col_text(0), *ref, health_of(i.col_int(6)), i.col_int(7), i.col_text(8)});
    }
    return out;
}

Result<std::vector<StateChange>> History::changes(const std::string& server, int64_t from_ms, int64_t to_ms,
                                                  size_t limit) const {
    sqlite3* db = db_.get();
    SqliteStmt s(db, "SELECT at_ms, domain, service, transport, address, port, from_state, to_state, reason "
               "FROM state_changes WHERE server = ? AND at_ms >= ? AND at_ms < ? ORDER BY at_ms DESC, id DESC LIMIT ?");
    if (!s.ok()) return db_error(db, "prepare");
    s.text(1, server).integer(2, from_ms).integer(3, to_ms).integer(4, static_cast<int64_t>(limit));
    std::vector<StateChange> out;
    for (;;) {
        auto row = s.step("read changes");
        if (!row) return row.failure();
        if (!*row) break;
        out.push_back(StateChange{s.col_int(0), server, instance_at(s, 1), health_of(s.col_int(6)),
                                  health_of(s.col_int(7)), s.col_text(8), {}});
    }
    std::reverse(out.begin(), out.end());
    return out;
}

Result<std::vector<StateBlock>> History::blocks(const std::string& server, int64_t from_ms, int64_t to_ms) const {
    sqlite3* db = db_.get();
    SqliteStmt s(db, "SELECT period_ms, state, reports, cpu_max, memory_max FROM state_blocks "
               "WHERE server = ? AND period_ms >= ? AND period_ms < ? ORDER BY period_ms");
    if (!s.ok()) return db_error(db, "prepare");
    s.text(1, server).integer(2, from_ms).integer(3, to_ms);
    std::vector<StateBlock> out;
    for (;;) {
        auto row = s.step("read blocks");
        if (!row) return row.failure();
        if (!*row) break;
        out.push_back(StateBlock{server, s.col_int(0), health_of(s.col_int(1)), metrics_at(s, 2)});
    }
    return out;
}

Result<std::map<std::string, std::vector<StateBlock>>> History::all_blocks(int64_t from_ms, int64_t to_ms) const {
    sqlite3* db = db_.get();
    SqliteStmt s(db, "SELECT server, period_ms, state, reports, cpu_max, memory_max FROM state_blocks "
               "WHERE period_ms >= ? AND period_ms < ? ORDER BY server, period_ms");
    if (!s.ok()) return db_error(db, "prepare");
    s.integer(1, from_ms).integer(2, to_ms);
    std::map<std::string, std::vector<StateBlock>> out;
    for (;;) {
        auto row = s.step("read blocks");
        if (!row) return row.failure();
        if (!*row) break;
        std::string server = s.col_text(0);
        out[server].push_back(StateBlock{server, s.col_int(1), health_of(s.col_int(2)), metrics_at(s, 3)});
    }
    return out;
}

}  // namespace patchbay
