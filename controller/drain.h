// Drains (issue 7, docs/drain.md): an address leaves the client view at once — every
// tuple on it counts as down there — and after its grace period its tuples are removed
// from the zones, so its agent stops the units; undrain puts them back. The pure half.
#pragma once

#include <cstdint>
#include <set>

#include <nlohmann/json.hpp>

#include "client_view.h"
#include "health_state.h"
#include "store.h"

namespace patchbay {

// `reported` with every tuple of `tuples` on a `drained` address down. Pure.
HealthMap health_with_drains(const HealthMap& reported, const std::set<Address>& drained, const ZoneTuples& tuples);

// Whether the grace of `d` has run out at `now_ms` (and its tuples are still to go).
inline bool drain_due(const DrainRow& d, int64_t now_ms) { return !d.drained && now_ms >= d.started_ms + d.grace_ms; }

// {address, state: "draining"|"drained", started_ms, grace_ms, until_ms, author,
//  removed: [{zone, service, transport, address, port, priority, weight, target}], changes: [ids]}
nlohmann::json drain_json(const DrainRow& d);

}  // namespace patchbay
