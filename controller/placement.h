// What should run on a server and what does (`patchbay server show`, issue 7): the
// tuples of the zones it follows whose address it has bound and whose service and
// transport its catalog places, against the instances its agent last reported. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tuple.h"
#include "watchdog.h"

namespace patchbay {

struct PlacedInstance {
    std::string zone;
    TupleKey key;
    std::string unit;          // as reported; empty when the agent reports none
    std::string active_state;  // as reported; empty when the agent reports none
    std::string error;         // systemd's reason when failed

    bool operator==(const PlacedInstance&) const = default;
};

struct Placement {
    bool known = false;  // the agent reports its addresses and catalog
    std::vector<PlacedInstance> runs;     // should run and does (active)
    std::vector<PlacedInstance> missing;  // should run and does not (yet)
    std::vector<PlacedInstance> extra;    // runs and should not (the agent has not caught up)
};

// `tuples`: those of the zones the asker may see (the server's own zones are those it
// reports serials for). Every list sorted by zone, then key.
Placement placement_of(const ServerStatus& server, const std::vector<Tuple>& tuples);

// {"known": true, "runs": [{zone, service, transport, address, port, unit, active_state, error?}], "missing": […], "extra": […]}
nlohmann::json placement_json(const Placement& p);

}  // namespace patchbay
