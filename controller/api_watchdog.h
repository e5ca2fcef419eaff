// The watchdog's REST routes (issue 4, docs/watchdog.md): POST /v1/reports,
// GET /v1/servers, GET /v1/servers/NAME. Added by Api::start when ApiServices has a
// Watchdog; the answers' JSON is built by the pure functions below, tested alone.
// Accounts (docs/accounts.md): an account sees a server that runs instances of its zones
// or registered for its domains, and only its own instances on it; an account's agent
// reports only for its account's domains.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "principal.h"
#include "result.h"
#include "store.h"
#include "watchdog.h"

namespace patchbay {

class HttpRouter;
class Controller;

class EventHub;

// `events` (may be null): where a report that moves a server's applied serials is told
// (live_events.h "applied").
void watchdog_routes(HttpRouter& router, Watchdog& watchdog, Controller& controller, EventHub* events = nullptr);

// What of `s` one who sees the domains `visible` says yes to may see: its instances of
// those domains, its serials of those domains; nullopt when it has none of them and
// `registered` (it registered as an agent for a visible domain) is false.
std::optional<ServerStatus> visible_server(const ServerStatus& s, const std::function<bool(const std::string&)>& visible,
                                           bool registered);
// The changes of instances of visible domains, and the server's own.
std::vector<StateChange> visible_changes(std::vector<StateChange> changes,
                                         const std::function<bool(const std::string&)>& visible);

// One state change as the API shows it: at_ms, server, instance (null: the server's own),
// from, to, reason.
nlohmann::json state_change_json(const StateChange& change);
// One row of GET /v1/servers: name, state, since_ms, reason, last_report_ms, age_ms,
// reports, instances (a count), serials.
nlohmann::json server_summary_json(const ServerStatus& s, int64_t now_ms);
// GET /v1/servers/NAME: the summary plus boot, seq, host, instances (each with state,
// since_ms, reason, unit, active_state, probe), changes and blocks.
nlohmann::json server_detail_json(const ServerStatus& s, const std::vector<StateChange>& changes,
                                  const std::vector<StateBlock>& blocks, int64_t now_ms);

// What one who asks may see of the watchdog: whether a domain is of its account, and
// whether a server registered for one of them (admins: everything).
struct Sight {
    bool all = false;
    std::function<bool(const std::string&)> visible;
    std::vector<AgentRow> agents;

    bool registered(const std::string& server) const;
    // `s` as it may see it (visible_server), nullopt when not at all.
    std::optional<ServerStatus> shown(const ServerStatus& s) const;
};
// Errors: the agents cannot be listed.
Result<Sight> sight_of(Controller& c, const Principal& p);

struct HistoryRange {
    int64_t from_ms = 0;
    int64_t to_ms = 0;
};
// The ?from=&to= of GET /v1/servers/NAME (unix ms): default the last 24 hours up to now.
// Errors name the parameter.
Result<HistoryRange> history_range(const std::optional<std::string>& from, const std::optional<std::string>& to,
                                   int64_t now_ms);

}  // namespace patchbay
