// The timelines' REST routes (issue 6, docs/timelines.md): GET /v1/timelines, every
// visible server's blocks on one grid with the network and server events; and
// GET /v1/timelines/NAME/blocks/PERIOD_MS, the facts of one block. The answers' JSON is
// built by the pure functions below, tested alone; the grid and the events by timeline.h.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "timeline.h"
#include "watchdog.h"

namespace patchbay {

class HttpRouter;
class Controller;

void timeline_routes(HttpRouter& router, Watchdog& watchdog, Controller& controller);

// One server's row of a timeline.
struct TimelineRow {
    ServerStatus server;  // as the one who asks may see it
    std::vector<Health> blocks;
};

// GET /v1/timelines: from_ms, to_ms, period_ms, now_ms, periods, servers (name, state,
// since_ms, reason, blocks), events (period_ms, kind, servers).
nlohmann::json timeline_json(const TimelineGrid& grid, const std::vector<TimelineRow>& rows,
                             const std::vector<TimelineEvent>& events, int64_t now_ms);

// `events` (of the whole fleet) as one who sees only `shown` servers may: their names
// only; an event left with none goes.
std::vector<TimelineEvent> visible_events(std::vector<TimelineEvent> events, const std::vector<std::string>& shown);

// The facts of one block: server, period_ms, period_end_ms, state (the worst of the
// stored blocks in it), metrics (reports, cpu_max, memory_max; null when nothing was
// reported), changes (as GET /v1/servers/NAME's).
nlohmann::json block_facts_json(const std::string& server, int64_t period_ms, int64_t period_end_ms,
                                const std::vector<StateBlock>& blocks, const std::vector<StateChange>& changes);

}  // namespace patchbay
