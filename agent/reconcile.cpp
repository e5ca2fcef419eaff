#include "reconcile.h"

#include <algorithm>
#include <map>
#include <set>

#include "unit_name.h"

namespace patchbay {

Plan reconcile(const std::vector<DomainTuples>& domains, const std::vector<Address>& local,
               const std::vector<CatalogEntry>& catalog,
               const std::vector<RunningInstance>& running) {
    std::set<Address> bound(local.begin(), local.end());
    std::map<std::string, const CatalogEntry*> by_service;
    for (const auto& entry : catalog) by_service.emplace(entry.service, &entry);

    bool all_known = true;
    // Ordered by key; the first domain (in the given order) that places a key names it.
    std::map<TupleKey, Action> desired;
    for (const auto& d : domains) {
        if (!d.tuples) {
            all_known = false;
            continue;
        }
        for (const auto& t : *d.tuples) {
            auto svc = by_service.find(t.key.service);
            if (svc == by_service.end() || !bound.contains(t.key.address)) continue;
            desired.try_emplace(t.key, Action{t.key, instance_unit(svc->second->unit_template, t.key),
                                              d.domain, t.priority, t.weight});
        }
    }

    std::map<TupleKey, const RunningInstance*> now;
    for (const auto& r : running) now.emplace(r.key, &r);

    Plan plan;
    for (const auto& [key, action] : desired)
        (now.contains(key) ? plan.keep : plan.start).push_back(action);
    for (const auto& [key, r] : now) {
        if (desired.contains(key)) continue;
        Action gone{key, r->unit, "", 0, 0};
        if (all_known) {
            plan.stop.push_back(gone);
        } else {
            plan.keep.push_back(gone);
            plan.held = true;
        }
    }
    std::sort(plan.keep.begin(), plan.keep.end());
    return plan;
}

Plan hold_stops(Plan plan) {
    if (plan.stop.empty()) return plan;
    plan.keep.insert(plan.keep.end(), plan.stop.begin(), plan.stop.end());
    plan.stop.clear();
    std::sort(plan.keep.begin(), plan.keep.end());
    plan.held = true;
    return plan;
}

}  // namespace patchbay
