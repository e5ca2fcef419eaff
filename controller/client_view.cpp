// client_view: the assignment zone is copied RRset by RRset; only the SRV RRsets that
// hold tuples are remade. Tuples are matched to the SRV records they became by the
// record's owner and rdata, made the way the zone builder makes them (zone.cpp), so a
// plain SRV record stored beside tuples (no health known) stays as it is.
#include "client_view.h"

#include <algorithm>
#include <stdexcept>

#include "dname.h"
#include "wire_write.h"

namespace patchbay {

namespace {

// RFC 2782 SRV rdata: priority, weight, port, target.
constexpr size_t srv_weight_at = 2;

// Best first: up < warning < down, once unknown counts as up.
Health effective(Health h) { return h == Health::unknown ? Health::up : h; }

// SRV owner (wire) ⇒ rdata ⇒ the best health of the tuples that made the record.
using TupleRecords = std::map<std::string, std::map<std::string, Health>>;

TupleRecords tuple_records(const std::string& zone, const std::vector<Tuple>& tuples, const HealthMap& health) {
    TupleRecords out;
    for (const auto& t : tuples) {
        if (t.domain != zone) continue;
        auto srv = tuple_srv(t, zone);
        if (!srv) continue;  // the zone builder left it out too
        Health h = effective_health(health, InstanceRef{zone, t.key});
        auto [it, fresh] = out[srv->owner].try_emplace(std::move(srv->rdata), h);
        if (!fresh) it->second = std::min(it->second, h);
    }
    return out;
}

RRsetPtr new_rrset(const knot_dname_t* owner, uint16_t type, uint32_t ttl) {
    RRsetPtr rrset(knot_rrset_new(owner, type, KNOT_CLASS_IN, ttl, nullptr));
    if (!rrset) throw std::bad_alloc();
    return rrset;
}

RRsetPtr copy_rrset(const knot_rrset_t& rrset) {
    RRsetPtr copy(knot_rrset_copy(&rrset, nullptr));
    if (!copy) throw std::bad_alloc();
    return copy;
}

// The SRV RRset `srv` as clients get it; nullptr when it is left out (all down, empty).
RRsetPtr client_srv(const knot_rrset_t& srv, const std::map<std::string, Health>& records,
                    const ClientViewSettings& settings) {
    std::vector<std::pair<std::string, Health>> kept;
    for (uint16_t i = 0; i < srv.rrs.count; ++i) {
        const knot_rdata_t* rd = knot_rdataset_at(&srv.rrs, i);
        std::string rdata(reinterpret_cast<const char*>(rd->data), rd->len);
        auto found = records.find(rdata);
        kept.emplace_back(std::move(rdata), found == records.end() ? Health::up : found->second);
    }
    bool all_down = std::all_of(kept.begin(), kept.end(), [](const auto& r) { return r.second == Health::down; });
    if (all_down && settings.all_down == AllDown::empty) return nullptr;
    std::set<std::string> rdata;  // two records may meet once weights are scaled
    for (auto& [wire, h] : kept) {
        if (h == Health::down && !all_down) continue;  // least bad: all kept, as they were
        if (h == Health::warning && wire.size() >= srv_weight_at + 2) {
            auto weight = static_cast<uint16_t>((static_cast<uint8_t>(wire[srv_weight_at]) << 8) |
                                                static_cast<uint8_t>(wire[srv_weight_at + 1]));
            uint16_t scaled = warning_weight(weight, settings.warning_weight_percent);
            wire[srv_weight_at] = static_cast<char>(scaled >> 8);
            wire[srv_weight_at + 1] = static_cast<char>(scaled & 0xff);
        }
        rdata.insert(std::move(wire));
    }
    RRsetPtr out = new_rrset(srv.owner, KNOT_RRTYPE_SRV, settings.ttl);
    for (const auto& rd : rdata) {
        if (knot_rrset_add_rdata(out.get(), reinterpret_cast<const uint8_t*>(rd.data()),
                                 static_cast<uint16_t>(rd.size()), nullptr) != KNOT_EOK)
            throw std::bad_alloc();
    }
    return out;
}

}  // namespace

std::string_view all_down_name(AllDown rule) { return rule == AllDown::empty ? "empty" : "least-bad"; }

std::optional<AllDown> parse_all_down(std::string_view text) {
    for (AllDown rule : {AllDown::least_bad, AllDown::empty})
        if (all_down_name(rule) == text) return rule;
    return std::nullopt;
}

Health effective_health(const HealthMap& health, const InstanceRef& instance) {
    auto it = health.find(instance);
    return it == health.end() ? Health::up : effective(it->second);
}

uint16_t warning_weight(uint16_t weight, unsigned percent) {
    if (weight == 0) return 0;  // RFC 2782: "very small chance"; scaling must not raise it
    uint32_t scaled = uint32_t{weight} * std::min(percent, 100u) / 100;
    return static_cast<uint16_t>(std::max<uint32_t>(scaled, 1));
}

std::shared_ptr<const Zone> build_client_zone(const Zone& assignment, const std::vector<Tuple>& tuples,
                                              const HealthMap& health, const ClientViewSettings& settings) {
    TupleRecords records = tuple_records(assignment.name(), tuples, health);
    ZoneNodes nodes;
    nodes.reserve(assignment.nodes().size());
    for (const auto& [owner, node] : assignment.nodes()) {
        ZoneNode& copy = nodes[owner];
        auto srv_records = records.find(owner);
        for (const auto& rrset : node.rrsets) {
            if (rrset->type == KNOT_RRTYPE_SOA) {
                // RFC 2308 §5: negative answers are cached for min(SOA TTL, MINIMUM).
                copy.rrsets.push_back(
                    make_soa(assignment.name(), assignment.serial(), std::min(rrset->ttl, settings.ttl)));
            } else if (rrset->type == KNOT_RRTYPE_SRV && srv_records != records.end()) {
                if (auto srv = client_srv(*rrset, srv_records->second, settings)) copy.rrsets.push_back(std::move(srv));
            } else {
                copy.rrsets.push_back(copy_rrset(*rrset));
            }
        }
    }
    return std::make_shared<const Zone>(assignment.name(), assignment.serial(), std::move(nodes));
}

std::shared_ptr<const ZoneSet> build_client_view(const ZoneSet& assignment, const ZoneTuples& tuples,
                                                 const HealthMap& health, const ClientViewSettings& settings) {
    static const std::vector<Tuple> none;
    std::vector<std::shared_ptr<const Zone>> zones;
    for (const auto& zone : assignment.zones()) {
        auto it = tuples.find(zone->name());
        zones.push_back(build_client_zone(*zone, it == tuples.end() ? none : it->second, health, settings));
    }
    return std::make_shared<const ZoneSet>(std::move(zones));
}

std::shared_ptr<const ZoneSet> with_client_zones(const ZoneSet& client, const ZoneSet& assignment,
                                                 const std::set<std::string>& zones, const ZoneTuples& tuples,
                                                 const HealthMap& health, const ClientViewSettings& settings) {
    static const std::vector<Tuple> none;
    std::vector<std::shared_ptr<const Zone>> out;
    for (const auto& zone : client.zones())
        if (!zones.count(zone->name())) out.push_back(zone);
    for (const auto& name : zones) {
        const Zone* source = assignment.zone(name);
        if (source == nullptr) continue;
        auto it = tuples.find(name);
        out.push_back(build_client_zone(*source, it == tuples.end() ? none : it->second, health, settings));
    }
    return std::make_shared<const ZoneSet>(std::move(out));
}

std::set<std::string> zones_with_changed_health(const HealthMap& before, const HealthMap& after) {
    std::set<std::string> zones;
    // Both maps are sorted by instance: one merge walk.
    auto b = before.begin();
    auto a = after.begin();
    while (b != before.end() || a != after.end()) {
        if (a == after.end() || (b != before.end() && b->first < a->first)) {
            if (effective(b->second) != Health::up) zones.insert(b->first.domain);
            ++b;
        } else if (b == before.end() || a->first < b->first) {
            if (effective(a->second) != Health::up) zones.insert(a->first.domain);
            ++a;
        } else {
            if (effective(a->second) != effective(b->second)) zones.insert(a->first.domain);
            ++a, ++b;
        }
    }
    return zones;
}

}  // namespace patchbay
