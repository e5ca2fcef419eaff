// The watchdog's durable side (issue 4): last known state of every server and instance,
// the state changes, and one block per server per period with the worst state of that
// period — in the controller's database file (STATE/patchbay.db, WAL) on a connection and
// tables of its own. Writes come in batches, one transaction each, so the Watchdog
// commits a change before it acknowledges the report that caused it and flushes the
// rest (last report, counters) once per tick. Not thread-safe: the Watchdog serializes.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "health_state.h"
#include "report.h"
#include "result.h"
#include "sqlite_stmt.h"

namespace patchbay {

struct ServerRow {
    std::string name;
    int64_t last_report_ms = 0;  // controller clock
    std::string boot;
    uint64_t seq = 0;
    uint64_t reports = 0;
    uint64_t lost = 0;  // reports never received: gaps in the agent's sequence numbers
    Health state = Health::unknown;
    int64_t since_ms = 0;
    std::string reason;
    std::string last_report;  // the report's JSON text, for `server show`
};

struct InstanceRow {
    std::string server;
    InstanceRef instance;
    Health state = Health::unknown;
    int64_t since_ms = 0;
    std::string reason;
};

// What a server's reports said of its host within one period (the facts a timeline
// block shows besides its state).
struct BlockMetrics {
    uint32_t reports = 0;
    std::optional<double> cpu_max;     // busiest host CPU fraction reported, 0..1
    std::optional<double> memory_max;  // fullest host memory fraction reported, 0..1
    void add(const HostMetrics& host);
    // Both periods' reports in one (a period closed again after a restart).
    void merge(const BlockMetrics& other);
    bool operator==(const BlockMetrics&) const = default;
};

struct StateBlock {
    std::string server;
    int64_t period_ms = 0;  // start of the period
    Health worst = Health::unknown;
    BlockMetrics metrics;
    bool operator==(const StateBlock&) const = default;
};

// What one transaction writes. Servers listed get their row and all their instance
// rows replaced by `instances` (of those servers).
struct HistoryBatch {
    std::vector<StateChange> changes;
    std::vector<ServerRow> servers;
    std::vector<InstanceRow> instances;
    std::vector<StateBlock> blocks;
    int64_t forget_before_ms = 0;  // > 0: delete changes and blocks older than this
    bool empty() const {
        return changes.empty() && servers.empty() && blocks.empty() && forget_before_ms == 0;
    }
};

class History {
public:
    // Opens (creating tables if needed) the database at `path`. Errors name the path.
    static Result<History> open(const std::string& path);

    // All of `batch` or nothing. Errors: the database failed (kind internal).
    Result<void> write(const HistoryBatch& batch);

    struct Loaded {
        std::vector<ServerRow> servers;
        std::vector<InstanceRow> instances;
    };
    // Every server and instance as last written, for a restart.
    Result<Loaded> load() const;

    // A server's changes (its own and its instances') with from_ms ≤ at_ms < to_ms,
    // the newest `limit`, oldest first.
    Result<std::vector<StateChange>> changes(const std::string& server, int64_t from_ms, int64_t to_ms,
                                             size_t limit) const;
    // A server's closed blocks with from_ms ≤ period < to_ms, oldest first.
    Result<std::vector<StateBlock>> blocks(const std::string& server, int64_t from_ms, int64_t to_ms) const;
    // Every server's closed blocks with from_ms ≤ period < to_ms, by server, oldest first.
    Result<std::map<std::string, std::vector<StateBlock>>> all_blocks(int64_t from_ms, int64_t to_ms) const;

private:
    explicit History(sqlite3* db) : db_(db) {}
    SqliteDb db_;
};

}  // namespace patchbay
