// zone: builds the zone snapshots. Two steps: collect every record as (owner, type,
// rdata) in sorted sets, which also removes duplicates (two tuples on one address share
// one A record); then turn each set into a libknot RRset and add the empty non-terminals.
#include "zone.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "dname.h"
#include "wire_write.h"

namespace patchbay {

namespace {

// RFC 1912 §2.2-style timers; minimum is the negative-caching TTL (RFC 2308 §4).
constexpr uint32_t soa_refresh = 3600;
constexpr uint32_t soa_retry = 600;
constexpr uint32_t soa_expire = 604800;

std::string address_rdata(const Address& a) {
    return std::string(reinterpret_cast<const char*>(a.bytes.data()), a.size());
}

uint16_t address_type(const Address& a) {
    return a.family == Family::v4 ? KNOT_RRTYPE_A : KNOT_RRTYPE_AAAA;
}

// owner (wire) → type → rdata set.
struct RdataSet {
    uint32_t ttl = UINT32_MAX;  // the lowest TTL given for the RRset (RFC 2181 §5.2)
    std::set<std::string> rdata;
    void add(uint32_t record_ttl, std::string wire) {
        ttl = std::min(ttl, record_ttl);
        rdata.insert(std::move(wire));
    }
};
using RecordSets = std::map<std::string, std::map<uint16_t, RdataSet>>;

RRsetPtr make_rrset(std::string_view owner, uint16_t type, uint32_t ttl,
                    const std::set<std::string>& rdata) {
    RRsetPtr rrset(knot_rrset_new(reinterpret_cast<const knot_dname_t*>(owner.data()), type,
                                  KNOT_CLASS_IN, ttl, nullptr));
    if (!rrset) throw std::bad_alloc();
    for (const auto& rd : rdata) {
        int ret = knot_rrset_add_rdata(rrset.get(), reinterpret_cast<const uint8_t*>(rd.data()),
                                       static_cast<uint16_t>(rd.size()), nullptr);
        if (ret != KNOT_EOK) throw std::bad_alloc();
    }
    return rrset;
}

// Adds the SRV record of one tuple and the address record of its target.
void add_tuple(RecordSets& records, const Tuple& t, const std::string& zone, uint32_t ttl) {
    auto srv = tuple_srv(t, zone);
    if (!srv) return;
    records[srv->owner][KNOT_RRTYPE_SRV].add(ttl, srv->rdata);

    // An explicit target outside the zone is someone else's name: SRV only.
    auto apex = wire_name(zone);
    auto* target_name = reinterpret_cast<const knot_dname_t*>(srv->target.data());
    if (!apex || knot_dname_in_bailiwick(target_name, reinterpret_cast<const knot_dname_t*>(
                                                          apex->data())) < 0) {
        return;
    }
    records[srv->target][address_type(t.key.address)].add(ttl, address_rdata(t.key.address));
}

RecordSets collect(const ZoneInput& input, const std::vector<Tuple>& tuples,
                   const DnsSettings& settings) {
    RecordSets records;
    auto apex = wire_name(input.name);
    auto ns = wire_name("ns." + input.name);
    if (!apex || !ns) return records;

    records[*apex][KNOT_RRTYPE_NS].add(settings.ttl, *ns);
    for (const auto& a : settings.ns_addresses) {
        records[*ns][address_type(a)].add(settings.ttl, address_rdata(a));
    }
    for (const auto& t : tuples) {
        if (t.domain == input.name) add_tuple(records, t, input.name, settings.ttl);
    }
    // The SOA is ours alone; outside names cannot be served (the store refuses both).
    for (const auto& r : input.records) {
        if (r.type == KNOT_RRTYPE_SOA || knot_dname_in_bailiwick(as_dname(r.owner), as_dname(*apex)) < 0) continue;
        records[r.owner][r.type].add(r.ttl, r.rdata);
    }
    return records;
}

// Every name between an owner and the apex exists, with or without records.
void add_empty_non_terminals(ZoneNodes& nodes, const std::string& apex) {
    std::vector<std::string> owners;
    for (const auto& [owner, node] : nodes) owners.push_back(owner);
    for (const auto& owner : owners) {
        std::string_view name = owner;
        while (name.size() > apex.size() && name[0] != 0) {
            name.remove_prefix(static_cast<size_t>(static_cast<uint8_t>(name[0])) + 1);
            nodes.try_emplace(std::string(name));
        }
    }
}

}  // namespace

void RRsetFree::operator()(knot_rrset_t* rrset) const { knot_rrset_free(rrset, nullptr); }

RRsetPtr make_soa(std::string_view zone, uint32_t serial, uint32_t ttl) {
    auto owner = wire_name(zone);
    auto mname = wire_name("ns." + std::string(zone));
    auto rname = wire_name("hostmaster." + std::string(zone));
    if (!owner || !mname || !rname) return nullptr;
    std::string rdata = *mname + *rname;  // RFC 1035 §3.3.13
    for (uint32_t v : {serial, soa_refresh, soa_retry, soa_expire, ttl}) put_u32(rdata, v);
    return make_rrset(*owner, KNOT_RRTYPE_SOA, ttl, {rdata});
}

std::optional<TupleSrv> tuple_srv(const Tuple& t, std::string_view zone) {
    std::string apex(zone);
    auto owner = wire_name("_" + t.key.service + "._" + t.key.transport + "." + apex);
    auto target = wire_name(t.target.empty() ? derived_target(t.key.address, zone) : t.target);
    if (!owner || !target) return std::nullopt;
    TupleSrv srv{std::move(*owner), std::move(*target), {}};
    put_u16(srv.rdata, t.priority);
    put_u16(srv.rdata, t.weight);
    put_u16(srv.rdata, t.key.port);
    srv.rdata += srv.target;
    return srv;
}

std::string derived_target(const Address& address, std::string_view zone) {
    std::string label = (address.family == Family::v4 ? "ip4-" : "ip6-") + address.str();
    std::replace_if(label.begin(), label.end(), [](char c) { return c == '.' || c == ':'; }, '-');
    return label + "." + std::string(zone);
}

const knot_rrset_t* ZoneNode::find(uint16_t type) const {
    for (const auto& rrset : rrsets) {
        if (rrset->type == type) return rrset.get();
    }
    return nullptr;
}

Zone::Zone(std::string name, uint32_t serial, ZoneNodes nodes)
    : name_(std::move(name)), apex_(wire_name(name_).value_or(std::string(1, '\0'))),
      serial_(serial), nodes_(std::move(nodes)) {
    if (auto it = nodes_.find(apex_); it != nodes_.end()) soa_ = it->second.find(KNOT_RRTYPE_SOA);
    if (soa_ == nullptr) throw std::invalid_argument("zone " + name_ + " has no SOA at its apex");
    mark_cuts_and_wildcards();
}

// Once per snapshot, so the answer path reads what RFC 1034 §4.3.2 and RFC 4592 ask of
// a name (is it below a cut, has it a wildcard child) instead of searching per query.
void Zone::mark_cuts_and_wildcards() {
    auto parent_of = [](std::string_view name) {
        name.remove_prefix(std::min(name.size(), static_cast<size_t>(static_cast<uint8_t>(name[0])) + 1));
        return name;
    };
    for (auto& [owner, node] : nodes_) {
        // Walk up to the apex; the last cut seen is the highest, and data below an inner
        // cut belongs to the outer child already.
        for (std::string_view name = owner; name.size() > apex_.size() && name[0] != 0;
             name = parent_of(name)) {
            auto it = nodes_.find(name);
            if (it == nodes_.end()) continue;
            if (const knot_rrset_t* ns = it->second.find(KNOT_RRTYPE_NS)) node.delegation = ns;
        }
        cuts_or_wildcards_ = cuts_or_wildcards_ || node.delegation != nullptr;
        if (owner.size() > 2 && owner[0] == 1 && owner[1] == '*') {
            // The builders add every empty non-terminal, so the parent is a node.
            if (auto it = nodes_.find(parent_of(owner)); it != nodes_.end()) {
                it->second.wildcard = &node;
                cuts_or_wildcards_ = true;
            }
        }
    }
}

const knot_dname_t* Zone::apex() const {
    return reinterpret_cast<const knot_dname_t*>(apex_.data());
}

const ZoneNode* Zone::find(const knot_dname_t* owner) const {
    auto it = nodes_.find(wire_view(owner));
    return it == nodes_.end() ? nullptr : &it->second;
}

const ZoneNode* Zone::find(std::string_view owner) const {
    auto wire = wire_name(owner);
    if (!wire) return nullptr;
    auto it = nodes_.find(*wire);
    return it == nodes_.end() ? nullptr : &it->second;
}

std::string rrset_text(const knot_rrset_t& rrset) {
    knot_dump_style_t style = KNOT_DUMP_STYLE_DEFAULT;
    style.show_class = true;
    size_t size = 1024;  // knot_rrset_txt_dump grows it with realloc when short
    char* text = static_cast<char*>(std::malloc(size));
    int len = text ? knot_rrset_txt_dump(&rrset, &text, &size, &style) : -1;
    std::string out = len > 0 ? std::string(text, static_cast<size_t>(len)) : "";
    std::free(text);
    return out;
}

std::vector<std::string> rrset_lines(const knot_rrset_t& rrset) {
    std::vector<std::string> lines;
    std::string line;
    for (char c : rrset_text(rrset)) {
        if (c == '\n') {
            if (!line.empty()) lines.push_back(line);
            line.clear();
        } else if (c == ' ' || c == '\t') {
            if (!line.empty() && line.back() != ' ') line += ' ';
        } else {
            line += c;
        }
    }
    if (!line.empty()) lines.push_back(line);
    return lines;
}

std::vector<std::string> Zone::dump() const {
    std::vector<std::string> lines;
    for (const auto& [owner, node] : nodes_) {
        for (const auto& rrset : node.rrsets) {
            auto more = rrset_lines(*rrset);
            lines.insert(lines.end(), more.begin(), more.end());
        }
    }
    std::sort(lines.begin(), lines.end());
    return lines;
}

std::shared_ptr<const Zone> build_zone(const ZoneInput& input, const std::vector<Tuple>& tuples,
                                       const DnsSettings& settings) {
    ZoneNodes nodes;
    auto apex = wire_name(input.name);
    auto soa = make_soa(input.name, input.serial, settings.ttl);
    if (!apex || !soa) return nullptr;

    nodes[*apex].rrsets.push_back(std::move(soa));
    for (const auto& [owner, types] : collect(input, tuples, settings)) {
        auto& node = nodes[owner];
        for (const auto& [type, set] : types) {
            node.rrsets.push_back(make_rrset(owner, type, set.ttl, set.rdata));
        }
    }
    add_empty_non_terminals(nodes, *apex);
    for (auto& [owner, node] : nodes) {
        std::sort(node.rrsets.begin(), node.rrsets.end(),
                  [](const RRsetPtr& a, const RRsetPtr& b) { return a->type < b->type; });
    }
    return std::make_shared<const Zone>(input.name, input.serial, std::move(nodes));
}

ZoneSet::ZoneSet(std::vector<std::shared_ptr<const Zone>> zones) : zones_(std::move(zones)) {
    for (size_t i = 0; i < zones_.size(); ++i) {
        by_apex_.emplace(std::string(wire_view(zones_[i]->apex())), i);
    }
}

const Zone* ZoneSet::find(const knot_dname_t* name) const {
    // Walk up from the full name: the first match is the closest enclosing zone.
    while (true) {
        auto it = by_apex_.find(wire_view(name));
        if (it != by_apex_.end()) return zones_[it->second].get();
        if (*name == 0) return nullptr;
        name += *name + 1;
    }
}

const Zone* ZoneSet::zone(std::string_view name) const {
    auto wire = wire_name(name);
    if (!wire) return nullptr;
    auto it = by_apex_.find(*wire);
    return it == by_apex_.end() ? nullptr : zones_[it->second].get();
}

std::shared_ptr<const ZoneSet> build_zone_set(const std::vector<ZoneInput>& zones,
                                              const std::vector<Tuple>& tuples,
                                              const DnsSettings& settings) {
    std::vector<std::shared_ptr<const Zone>> built;
    std::set<std::string> seen;
    for (const auto& input : zones) {
        if (!seen.insert(input.name).second) continue;
        if (auto zone = build_zone(input, tuples, settings)) built.push_back(std::move(zone));
    }
    return std::make_shared<const ZoneSet>(std::move(built));
}

std::shared_ptr<const ZoneSet> with_zone(const ZoneSet& current, std::string_view name,
                                         std::shared_ptr<const Zone> zone) {
    std::vector<std::shared_ptr<const Zone>> zones;
    for (const auto& z : current.zones())
        if (z->name() != name) zones.push_back(z);
    if (zone) zones.push_back(std::move(zone));
    return std::make_shared<const ZoneSet>(std::move(zones));
}

}  // namespace patchbay
