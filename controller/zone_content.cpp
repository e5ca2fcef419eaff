// zone_content: tuples are recognised by the shape the zone builder gives them, so that
// build → zone_records → split_records gives back the same tuples and records.
#include "zone_content.h"

#include <algorithm>
#include <map>
#include <set>

#include "dname.h"

namespace patchbay {

namespace {

std::string describe(const Record& r) {
    char type[32];
    if (knot_rrtype_to_string(r.type, type, sizeof type) < 0) type[0] = 0;
    return name_text(as_dname(r.owner)) + " " + type;
}

uint16_t get_u16(const std::string& rdata, size_t at) {
    return static_cast<uint16_t>((static_cast<uint8_t>(rdata[at]) << 8) | static_cast<uint8_t>(rdata[at + 1]));
}

// "_http._tcp.<zone>" ⇒ {"_http", "_tcp"}; anything else ⇒ nullopt.
std::optional<std::pair<std::string, std::string>> srv_labels(const std::string& owner, const std::string& apex) {
    if (knot_dname_in_bailiwick(as_dname(owner), as_dname(apex)) != 2) return std::nullopt;
    auto label = [](std::string_view wire) {
        return std::string(wire.substr(1, static_cast<uint8_t>(wire[0])));
    };
    std::string_view rest = owner;
    std::string service = label(rest);
    rest.remove_prefix(service.size() + 1);
    std::string transport = label(rest);
    if (service.size() < 2 || transport.size() < 2 || service[0] != '_' || transport[0] != '_') return std::nullopt;
    return std::pair{service.substr(1), transport.substr(1)};
}

std::optional<Address> record_address(const Record& r) {
    Address a;
    if (r.type == KNOT_RRTYPE_A && r.rdata.size() == 4) a.family = Family::v4;
    else if (r.type == KNOT_RRTYPE_AAAA && r.rdata.size() == 16) a.family = Family::v6;
    else return std::nullopt;
    std::copy(r.rdata.begin(), r.rdata.end(), a.bytes.begin());
    return a;
}

}  // namespace

Result<ZoneContent> split_records(std::string_view zone, std::vector<Record> records, const DnsSettings& settings) {
    auto apex = wire_name(zone);
    auto ns = wire_name("ns." + std::string(zone));
    if (!apex || !ns) return fail(ErrorKind::invalid, "bad zone name " + std::string(zone));

    // One record per RR (the first TTL given wins).
    std::sort(records.begin(), records.end());
    records.erase(std::unique(records.begin(), records.end(), [](auto& a, auto& b) { return a.same_rr(b); }),
                  records.end());
    // An RRset has one TTL (RFC 2181 §5.2); it is served with the lowest one given.
    for (size_t first = 0, last = 0; first < records.size(); first = last) {
        uint32_t ttl = records[first].ttl;
        for (last = first; last < records.size() && records[last].owner == records[first].owner &&
                           records[last].type == records[first].type;
             ++last)
            ttl = std::min(ttl, records[last].ttl);
        for (size_t i = first; i < last; ++i) records[i].ttl = ttl;
    }

    std::map<std::string, std::vector<size_t>> addresses;  // owner ⇒ its A/AAAA records
    for (size_t i = 0; i < records.size(); ++i) {
        const Record& r = records[i];
        // RFC 1034 §3.6.2 / RFC 2181 §10.1: a CNAME owner has no other data (records sort
        // by owner, so its neighbours tell), and the apex has its SOA and NS.
        if (r.type == KNOT_RRTYPE_CNAME) {
            bool alone = r.owner != *apex && (i == 0 || records[i - 1].owner != r.owner) &&
                         (i + 1 == records.size() || records[i + 1].owner != r.owner);
            if (!alone) return fail(ErrorKind::invalid, describe(r) + ": a CNAME cannot sit beside other records");
        }
        if (knot_dname_in_bailiwick(as_dname(r.owner), as_dname(*apex)) < 0)
            return fail(ErrorKind::invalid, describe(r) + ": outside the zone " + std::string(zone));
        if (r.type == KNOT_RRTYPE_SOA)
            return fail(ErrorKind::invalid, describe(r) + ": the SOA is the controller's own");
        if (record_address(r)) addresses[r.owner].push_back(i);
    }

    ZoneContent content;
    std::vector<bool> used(records.size(), false);
    for (size_t i = 0; i < records.size(); ++i) {
        const Record& r = records[i];
        if (r.type != KNOT_RRTYPE_SRV || r.rdata.size() < 7) continue;
        auto labels = srv_labels(r.owner, *apex);
        if (!labels) continue;
        const auto* target = reinterpret_cast<const knot_dname_t*>(r.rdata.data() + 6);
        if (knot_dname_size(target) != r.rdata.size() - 6) continue;
        std::string target_wire(wire_view(target));
        knot_dname_to_lower(reinterpret_cast<knot_dname_t*>(target_wire.data()));
        auto found = addresses.find(target_wire);
        if (found == addresses.end()) continue;  // someone else's name, or no address: a plain SRV

        std::string target_text = name_text(as_dname(target_wire));
        std::vector<Tuple> made;
        for (size_t a : found->second) {
            auto address = record_address(records[a]);
            std::string explicit_target = target_text == derived_target(*address, zone) ? "" : target_text;
            auto tuple = parse_tuple(zone, labels->first, labels->second, address->str(),
                                     std::to_string(get_u16(r.rdata, 4)), std::to_string(get_u16(r.rdata, 0)),
                                     std::to_string(get_u16(r.rdata, 2)), explicit_target);
            if (!tuple) break;  // not a service we place (e.g. an unknown transport): a plain SRV
            made.push_back(std::move(*tuple));
        }
        if (made.size() != found->second.size()) continue;
        used[i] = true;
        for (size_t a : found->second) used[a] = true;
        for (auto& t : made) content.tuples.push_back(std::move(t));
    }

    std::set<std::string> glue;
    for (const auto& a : settings.ns_addresses) glue.insert(std::string(reinterpret_cast<const char*>(a.bytes.data()), a.size()));
    // The RRsets the controller makes (apex NS, glue, tuples' SRV and A/AAAA) carry its
    // TTL; a record joining one of them takes it too, as it is served (RFC 2181 §5.2).
    std::set<std::pair<std::string, uint16_t>> ours{{*apex, KNOT_RRTYPE_NS}};
    if (!glue.empty()) ours.insert({{*ns, KNOT_RRTYPE_A}, {*ns, KNOT_RRTYPE_AAAA}});
    for (size_t i = 0; i < records.size(); ++i)
        if (used[i]) ours.insert({records[i].owner, records[i].type});
    for (size_t i = 0; i < records.size(); ++i) {
        Record r = records[i];
        if (used[i]) continue;
        if (r.type == KNOT_RRTYPE_NS && r.owner == *apex && r.rdata == *ns) continue;
        if (r.owner == *ns && record_address(r) && glue.count(r.rdata)) continue;
        if (ours.count({r.owner, r.type})) r.ttl = settings.ttl;
        content.records.push_back(std::move(r));
    }
    std::sort(content.tuples.begin(), content.tuples.end());
    content.tuples.erase(std::unique(content.tuples.begin(), content.tuples.end(),
                                     [](const Tuple& a, const Tuple& b) { return a.key == b.key; }),
                         content.tuples.end());
    return content;
}

std::vector<Record> zone_records(const Zone& zone) {
    std::vector<Record> out;
    for (const auto& [owner, node] : zone.nodes()) {
        for (const auto& rrset : node.rrsets) {
            if (rrset->type == KNOT_RRTYPE_SOA) continue;
            for (uint16_t i = 0; i < rrset->rrs.count; ++i) {
                const knot_rdata_t* rd = knot_rdataset_at(&rrset->rrs, i);
                out.push_back({owner, rrset->type, rrset->ttl,
                               std::string(reinterpret_cast<const char*>(rd->data), rd->len)});
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace patchbay
