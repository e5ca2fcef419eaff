// The agent's one sd-event loop and everything on it: a poll timer per domain, the
// resolver, the NOTIFY listener, the netlink address watch, systemd over sd-bus, the
// registration timer, signals and the watchdog. Each refresh ⇒ reconcile ⇒ apply.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "addresses.h"
#include "apply.h"
#include "config.h"
#include "curl_loop.h"
#include "handles.h"
#include "agent_metrics.h"
#include "health_monitor.h"
#include "metrics_server.h"
#include "json_post.h"
#include "notify_listener.h"
#include "reconcile.h"
#include "refresh.h"
#include "resolver.h"
#include "systemd.h"

namespace patchbay {

struct ManagerOptions {
    bool once = false;     // one refresh of every domain, one reconcile, then exit
    bool dry_run = false;  // never call StartUnit/StopUnit
    bool json = false;     // print each plan as JSON on stdout (daemon mode: changes only)
};

// Exit codes of run().
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitIncomplete = 3;  // --once: a domain could not be fetched completely

class Manager {
public:
    static Result<std::unique_ptr<Manager>> create(AgentConfig config, ManagerOptions options);
    Manager(const Manager&) = delete;
    Manager& operator=(const Manager&) = delete;
    ~Manager();

    // Runs the loop until a signal (daemon) or the end of the single pass (--once).
    int run();
    // The last plan computed (for --once --output json).
    const Plan& last_plan() const { return last_plan_; }

private:
    struct DomainState {
        Manager* owner = nullptr;  // for its timer's callback
        std::string name;
        std::optional<uint32_t> serial;           // of the last complete snapshot
        std::optional<std::vector<Tuple>> tuples;  // nullopt: never seen complete
        bool confirmed = false;    // seen complete since start-up, not only in the state file
        bool busy = false;
        bool again = false;        // refresh once more when the current one ends
        bool force = false;        // fetch even if the serial did not move
        std::string again_reason;
        uint64_t backoff_usec = 0;  // 0: healthy
        std::string last_error;     // empty once complete
        bool attempted = false;
        EventSourcePtr timer;
    };

    Manager(AgentConfig config, ManagerOptions options);
    Result<void> setup();
    void refresh(DomainState& d, bool force, const std::string& reason);
    void on_refreshed(DomainState& d, const std::string& reason, RefreshResult r);
    void arm(sd_event_source* timer, uint64_t usec);
    void request_reconcile();
    void reconcile_with(const std::vector<RunningInstance>& running);
    void after_apply(int failures);
    void on_addresses_changed();
    void register_now();
    void start_health();
    void registered(const Result<void>& ok);
    void update_status();
    void finish_once();
    std::map<std::string, uint32_t> serials() const;
    size_t matching_tuples() const;  // in the last plan (for the status line)
    size_t placed_here() const;      // desired here by the current snapshots
    std::vector<DomainTuples> known_domains() const;  // the last complete snapshot of each

    static int on_poll(sd_event_source* s, uint64_t usec, void* data);
    static int on_register(sd_event_source* s, uint64_t usec, void* data);
    static int on_signal(sd_event_source* s, const struct signalfd_siginfo* si, void* data);
    static int on_once_timeout(sd_event_source* s, uint64_t usec, void* data);
    static int on_metrics(sd_event_source* s, uint64_t usec, void* data);
    void start_metrics();
    // The state file in use ("" none): the configured one, else the default in daemon mode.
    std::string state_file() const;
    void load_state();
    void save_state();
    AgentFigures figures() const;

    AgentConfig config_;
    ManagerOptions options_;
    std::vector<ServiceTransport> queries_;
    std::vector<CatalogEntry> catalog_;
    std::vector<Address> local_;

    // Declaration order is teardown order reversed: the loop outlives every source.
    EventPtr event_;
    EventSourcePtr sigterm_, sigint_, register_timer_, once_timer_;
    std::vector<std::unique_ptr<DomainState>> domains_;
    std::unique_ptr<SystemdClient> systemd_;
    std::unique_ptr<Applier> applier_;
    std::unique_ptr<NotifyListener> notify_;
    std::unique_ptr<AddressWatch> address_watch_;
    std::unique_ptr<Resolver> resolver_;  // last: its teardown cancels pending answers first
    // Health reports (issue 4), declared after the resolver so they are torn down even
    // before it: the monitor before the CurlLoop it uses and the bus its unit watch hears.
    std::unique_ptr<CurlLoop> curl_;
    std::unique_ptr<HealthMonitor> health_;
    std::unique_ptr<JsonPost> registration_post_;  // none: the blocking POST (no CurlLoop)
    // GET /metrics (metrics_listen): the loop publishes the text once a second, the
    // server's thread reads it; the server goes first, before the text it reads.
    MetricsText metrics_text_;
    EventSourcePtr metrics_timer_;
    std::unique_ptr<MetricsServer> metrics_server_;

    bool state_save_failed_ = false;  // said once, until a save works again
    bool reconciling_ = false;       // a listing or an apply is in flight
    bool reconcile_again_ = false;   // something changed meanwhile
    bool once_applied_ = false;
    bool once_finished_ = false;
    int action_failures_ = 0;
    uint64_t register_backoff_usec_ = 0;
    Plan last_plan_;
    std::optional<Plan> last_logged_plan_;
};

}  // namespace patchbay
