// The watchdog (issue 4): takes the agents' reports, keeps every server's and instance's
// state in memory, and says when one changes. Thread-safe: the API's threads ingest
// while the timer ticks. Durability (history.h): a state change is committed before
// ingest returns, so before the report is acknowledged; reports that change nothing
// only touch memory, and each tick flushes what they moved in one transaction.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "accounts_snapshot.h"
#include "health.h"
#include "health_state.h"
#include "history.h"
#include "load_map.h"
#include "metrics.h"
#include "report.h"
#include "result.h"
#include "ticker.h"

namespace patchbay {

// A server whose reported serials moved: it applied a change (or a zone came or went).
struct SerialsMoved {
    std::string server;
    std::map<std::string, uint32_t> serials;  // domain ⇒ serial now applied
};

struct IngestResult {
    size_t accepted = 0;
    size_t duplicates = 0;  // same boot and seq ≤ the last one seen: acknowledged, ignored
    std::vector<StateChange> changes;
    std::vector<SerialsMoved> serials;  // in report order
};

// One instance as `server show` prints it.
struct InstanceStatus {
    InstanceRef instance;
    InstanceReport seen;  // from the last report (empty after a restart until the next)
    Health state = Health::unknown;
    int64_t since_ms = 0;
    std::string reason;
};

struct ServerStatus {
    std::string name;
    Health state = Health::unknown;
    int64_t since_ms = 0;
    std::string reason;
    int64_t last_report_ms = 0;  // controller clock
    uint64_t reports = 0;
    uint64_t lost = 0;  // gaps in the agent's sequence numbers: reports it made that never came
    std::string boot;
    uint64_t seq = 0;
    std::map<std::string, uint32_t> serials;
    HostMetrics host;
    std::vector<InstanceStatus> instances;
    // From the last report (report.h): none from an agent older than convergence tracking.
    std::optional<std::vector<std::string>> addresses, catalog;
};

class Watchdog {
public:
    using ChangeCallback = std::function<void(const std::vector<StateChange>&, HealthMapPtr)>;
    using LoadCallback = std::function<void(LoadMapPtr)>;

    // Opens the history at `db_path` and loads the last known states.
    // Errors: the database cannot be opened or read.
    static Result<std::unique_ptr<Watchdog>> open(const std::string& db_path, const HealthCriteria& criteria,
                                                  int64_t now_ms);
    ~Watchdog();
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    // Called (in order, never concurrently) after every ingest or tick that changed a
    // state or the set of instances. Set it before the first ingest.
    void on_change(ChangeCallback callback);
    // Called (in order, never concurrently, after on_change's call of the same ingest)
    // with the whole load map (load_map.h) after an ingest that moved some server's
    // host CPU by a tenth (load_step) or changed the addresses it reports: what set_load
    // would ignore is not sent.
    void on_load(LoadCallback callback);

    // Which zone belongs to which account and each account's [health] (null: none).
    // An instance is judged by its zone's account's criteria (the controller's with the
    // account's keys over them) from its next report on; a server by the controller's.
    // Changes name their accounts (StateChange::accounts) from now on.
    void set_accounts(AccountsSnapshotPtr accounts);
    // The criteria an instance of `zone` is judged by now.
    HealthCriteria criteria_for(const std::string& zone) const;

    // Reports in the order given (a spool's oldest first). The changes they cause are
    // committed before this returns. Errors: the commit failed; then no state moved.
    Result<IngestResult> ingest(std::vector<Report> reports, int64_t now_ms);
    // Servers silent for heartbeat_timeout go down (with their instances), closed
    // periods become blocks, old history goes, and the counters of the last second are
    // flushed: one transaction. Returns the changes. Errors: the write failed.
    Result<std::vector<StateChange>> tick(int64_t now_ms);

    // Every reported instance's state; a down server's instances are down.
    HealthMapPtr health() const;
    // Every reporting server's host CPU by its instances' addresses (build_load_map).
    LoadMapPtr load() const;
    std::vector<ServerStatus> servers() const;
    std::optional<ServerStatus> server(const std::string& name) const;
    // History of one server: changes with from ≤ at < to (the newest `limit`) and blocks,
    // the open period's included.
    Result<std::vector<StateChange>> changes(const std::string& name, int64_t from_ms, int64_t to_ms,
                                             size_t limit) const;
    Result<std::vector<StateBlock>> blocks(const std::string& name, int64_t from_ms, int64_t to_ms) const;
    // Every server's blocks with from ≤ period < to, the open periods' included (a
    // timeline of the whole fleet); servers with none are absent.
    Result<std::map<std::string, std::vector<StateBlock>>> all_blocks(int64_t from_ms, int64_t to_ms) const;
    // The length of a block (the controller's [health] period_seconds), in ms.
    int64_t period_ms() const { return int64_t{criteria_.period_seconds ? criteria_.period_seconds : 60} * 1000; }
    // The controller's criteria (its config's [health]).
    const HealthCriteria& criteria() const { return criteria_; }
    // For /metrics: reports taken and ignored, lost per server, servers and instances by
    // state, state changes by new state.
    std::vector<MetricFamily> metrics() const;

private:
    struct Instance {
        InstanceRef ref;
        InstanceReport seen;
        Health state = Health::unknown;
        int64_t since_ms = 0;
        std::string reason;
    };
    struct Server {
        std::string name;
        std::string boot;
        uint64_t seq = 0;
        int64_t last_report_ms = 0;
        uint64_t reports = 0;
        uint64_t lost = 0;
        Report last;
        std::vector<Instance> instances;
        Health state = Health::unknown;
        int64_t since_ms = 0;
        std::string reason;
        int64_t period_ms = 0;
        Health worst = Health::unknown;  // of the open period
        BlockMetrics metrics;            // of the open period
        bool dirty = false;              // moved since the last flush
        long load_step = -1;             // of the host CPU last sent to on_load; -1: never sent
        std::vector<Address> load_addresses;  // sorted, as last sent to on_load
    };

    Watchdog(History history, const HealthCriteria& criteria) : history_(std::move(history)), criteria_(criteria) {}
    // Applies one accepted report; appends its changes. Returns whether the set of
    // instances changed.
    bool apply(Server& s, Report&& r, int64_t now_ms, std::vector<StateChange>& changes);
    void judge_server(Server& s, int64_t now_ms, std::vector<StateChange>& changes);
    void add_rows(const Server& s, HistoryBatch& batch) const;
    void publish(std::unique_lock<std::mutex>& lock, std::vector<StateChange> changes);
    HealthMapPtr health_map() const;  // caller holds mutex_
    LoadMapPtr load_map() const;      // caller holds mutex_
    // Caller holds mutex_. Whether `s`'s load moved since it was last sent (and marks it
    // sent); its addresses are only compared when `instances_changed` (apply()'s answer).
    bool load_moved(Server& s, bool instances_changed);
    // Caller holds mutex_.
    const HealthCriteria& judging(const std::string& zone) const;
    std::vector<std::string> accounts_of_zone(const std::string& zone) const;
    std::vector<std::string> accounts_of(const Server& s) const;
    static ServerStatus status_of(const Server& s);
    // Caller holds mutex_. Closes `s`'s open period when `period` (the one now) is later:
    // its block waits in pending_blocks_ for the next write. A report coming before the
    // tick that would close it so counts in its own period, not the one before.
    void roll_period(Server& s, int64_t period);
    // Caller holds mutex_. Adds `s`'s pending blocks and its open period to `blocks` (its
    // stored ones, oldest first), those within [from, to).
    void add_unwritten_blocks(const Server& s, int64_t from_ms, int64_t to_ms, std::vector<StateBlock>& blocks) const;

    mutable std::mutex mutex_;  // everything below
    History history_;
    HealthCriteria criteria_;
    AccountsSnapshotPtr accounts_ = std::make_shared<const AccountsSnapshot>();
    std::map<std::string, HealthCriteria> account_criteria_;  // account ⇒ criteria_ with its [health] over them
    std::map<std::string, Server, std::less<>> servers_;
    HealthMapPtr health_ = std::make_shared<const HealthMap>();
    bool health_stale_ = false;
    std::vector<StateBlock> pending_blocks_;  // closed, not written yet (roll_period)
    std::vector<Verdict> verdicts_;  // scratch of ingest, kept to reuse its memory
    uint64_t accepted_total_ = 0, duplicates_total_ = 0;
    std::map<Health, uint64_t> changes_total_;  // server and instance changes, by new state

    std::mutex callback_mutex_;  // taken before mutex_ is let go, so callbacks keep order
    ChangeCallback callback_;
    std::mutex load_callback_mutex_;  // the same for the load callback (taken before callback_mutex_)
    LoadCallback load_callback_;
};

// Unix ms now (the system clock).
int64_t unix_ms_now();

// Calls watchdog.tick once every `every` on a thread of its own; joins on destruction.
class WatchdogTimer {
public:
    // `then` (optional) runs after each tick with the same clock reading: the alerts'
    // for_seconds run out on it without a new change.
    WatchdogTimer(Watchdog& watchdog, std::chrono::milliseconds every,
                  std::function<int64_t()> clock = unix_ms_now, std::function<void(int64_t)> then = {});
    uint64_t ticks() const { return ticker_.ticks(); }

private:
    Ticker ticker_;
};

}  // namespace patchbay
