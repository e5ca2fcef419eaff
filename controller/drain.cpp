#include "drain.h"

namespace patchbay {

HealthMap health_with_drains(const HealthMap& reported, const std::set<Address>& drained, const ZoneTuples& tuples) {
    if (drained.empty()) return reported;
    HealthMap out = reported;
    for (const auto& [zone, list] : tuples)
        for (const auto& t : list)
            if (drained.count(t.key.address)) out[InstanceRef{zone, t.key}] = Health::down;
    return out;
}

nlohmann::json drain_json(const DrainRow& d) {
    nlohmann::json removed = nlohmann::json::array();
    for (const auto& t : d.removed)
        removed.push_back({{"zone", t.domain}, {"service", t.key.service}, {"transport", t.key.transport},
                           {"address", t.key.address.str()}, {"port", t.key.port}, {"priority", t.priority},
                           {"weight", t.weight}, {"target", t.target}});
    return {{"address", d.address.str()},
            {"state", d.drained ? "drained" : "draining"},
            {"started_ms", d.started_ms},
            {"grace_ms", d.grace_ms},
            {"until_ms", d.started_ms + d.grace_ms},
            {"author", d.author},
            {"removed", removed},
            {"changes", d.changes}};
}

}  // namespace patchbay
