#include "placement.h"

#include <algorithm>
#include <set>

namespace patchbay {

namespace {

using nlohmann::json;

bool in(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

json instance_json(const PlacedInstance& i) {
    json j{{"zone", i.zone},           {"service", i.key.service}, {"transport", i.key.transport},
           {"address", i.key.address.str()}, {"port", i.key.port}, {"unit", i.unit},
           {"active_state", i.active_state}};
    if (!i.error.empty()) j["error"] = i.error;
    return j;
}

json list_json(const std::vector<PlacedInstance>& list) {
    json out = json::array();
    for (const auto& i : list) out.push_back(instance_json(i));
    return out;
}

}  // namespace

Placement placement_of(const ServerStatus& s, const std::vector<Tuple>& tuples) {
    Placement p;
    if (!s.addresses || !s.catalog) return p;
    p.known = true;
    std::set<std::pair<std::string, TupleKey>> desired;
    for (const auto& t : tuples)
        if (s.serials.count(t.domain) && in(*s.addresses, t.key.address.str()) &&
            in(*s.catalog, t.key.service + "/" + t.key.transport))
            desired.insert({t.domain, t.key});
    std::set<std::pair<std::string, TupleKey>> reported;
    for (const auto& i : s.instances) {
        PlacedInstance seen{i.instance.domain, i.instance.key, i.seen.unit, i.seen.active_state, i.seen.error};
        reported.insert({i.instance.domain, i.instance.key});
        bool wanted = desired.count({i.instance.domain, i.instance.key}) > 0;
        bool active = i.seen.active_state == "active";
        if (wanted) (active ? p.runs : p.missing).push_back(seen);
        else if (active) p.extra.push_back(seen);
    }
    for (const auto& [zone, key] : desired)
        if (!reported.count({zone, key})) p.missing.push_back({zone, key, "", "", ""});
    auto order = [](const PlacedInstance& a, const PlacedInstance& b) {
        return std::tie(a.zone, a.key) < std::tie(b.zone, b.key);
    };
    for (auto* list : {&p.runs, &p.missing, &p.extra}) std::sort(list->begin(), list->end(), order);
    return p;
}

json placement_json(const Placement& p) {
    return {{"known", p.known}, {"runs", list_json(p.runs)}, {"missing", list_json(p.missing)}, {"extra", list_json(p.extra)}};
}

}  // namespace patchbay
