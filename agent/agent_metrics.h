// The agent's /metrics families (docs/metrics.md): what it places and how its reports
// fare, from plain numbers the loop gathers — rendered by shared/metrics.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "metrics.h"

namespace patchbay {

struct AgentFigures {
    size_t running = 0;                        // instances placed here by the last plan
    uint64_t action_failures = 0;              // starts/stops that failed since start
    std::map<std::string, std::optional<uint32_t>> serials;  // domain ⇒ applied (none: never complete)
    bool reporting = false;                    // a controller is configured and reports run
    uint64_t reports_made = 0, reports_delivered = 0, reports_refused = 0, reports_dropped = 0;
    size_t reports_spooled = 0;
};

std::vector<MetricFamily> agent_metrics(const AgentFigures& figures);

}  // namespace patchbay
