// update: the three passes of RFC 2136 §3 over plain records — prerequisites against
// the zone as published, a prescan that refuses the whole update before anything is
// applied, and the application on a copy of the zone's records.
#include "update.h"

#include <algorithm>
#include <map>

#include "dname.h"
#include "zone_content.h"

namespace patchbay {

namespace {

std::string owner_of(const knot_rrset_t& rr) {
    std::string owner(wire_view(rr.owner));
    knot_dname_to_lower(reinterpret_cast<knot_dname_t*>(owner.data()));
    return owner;
}

// RRs of the sections with class NONE/ANY carry no data (RFC 2136 §2.4, §2.5).
bool no_rdata(const knot_rrset_t& rr) {
    return rr.rrs.count == 0 || (rr.rrs.count == 1 && knot_rdataset_at(&rr.rrs, 0)->len == 0);
}

std::string rdata_of(const knot_rrset_t& rr, uint16_t i) {
    const knot_rdata_t* rd = knot_rdataset_at(&rr.rrs, i);
    return std::string(reinterpret_cast<const char*>(rd->data), rd->len);
}

bool meta_type(uint16_t type) {
    return type == KNOT_RRTYPE_ANY || type == KNOT_RRTYPE_AXFR || type == KNOT_RRTYPE_IXFR || type == 253 ||
           type == 254 || type == KNOT_RRTYPE_OPT || type == KNOT_RRTYPE_TSIG || type == KNOT_RRTYPE_TKEY;
}

bool in_zone(const std::string& owner, const Zone& zone) {
    return knot_dname_in_bailiwick(as_dname(owner), zone.apex()) >= 0;
}

// §3.2: returns the rcode that ends the update, or NOERROR.
uint16_t check_prerequisites(const Zone& zone, const knot_pktsection_t* section) {
    // Value-dependent prerequisites are whole RRsets, gathered before comparing (§3.2.3).
    std::map<std::pair<std::string, uint16_t>, std::vector<std::string>> expected;
    for (uint16_t i = 0; i < section->count; ++i) {
        const knot_rrset_t& rr = *knot_pkt_rr(section, i);
        std::string owner = owner_of(rr);
        if (rr.ttl != 0) return KNOT_RCODE_FORMERR;
        if (!in_zone(owner, zone)) return KNOT_RCODE_NOTZONE;
        const ZoneNode* node = zone.find(as_dname(owner));
        bool in_use = node != nullptr && !node->rrsets.empty();
        if (rr.rclass == KNOT_CLASS_ANY) {
            if (!no_rdata(rr)) return KNOT_RCODE_FORMERR;
            if (rr.type == KNOT_RRTYPE_ANY) {
                if (!in_use) return KNOT_RCODE_NXDOMAIN;  // name is in use
            } else if (!node || !node->find(rr.type)) {
                return KNOT_RCODE_NXRRSET;  // RRset exists (value independent)
            }
        } else if (rr.rclass == KNOT_CLASS_NONE) {
            if (!no_rdata(rr)) return KNOT_RCODE_FORMERR;
            if (rr.type == KNOT_RRTYPE_ANY) {
                if (in_use) return KNOT_RCODE_YXDOMAIN;  // name is not in use
            } else if (node && node->find(rr.type)) {
                return KNOT_RCODE_YXRRSET;  // RRset does not exist
            }
        } else if (rr.rclass == KNOT_CLASS_IN) {
            if (meta_type(rr.type)) return KNOT_RCODE_FORMERR;
            auto& set = expected[{owner, rr.type}];
            for (uint16_t j = 0; j < rr.rrs.count; ++j) set.push_back(rdata_of(rr, j));
        } else {
            return KNOT_RCODE_FORMERR;
        }
    }
    for (auto& [key, want] : expected) {
        const ZoneNode* node = zone.find(as_dname(key.first));
        const knot_rrset_t* have = node ? node->find(key.second) : nullptr;
        if (!have) return KNOT_RCODE_NXRRSET;
        std::vector<std::string> got;
        for (uint16_t j = 0; j < have->rrs.count; ++j) got.push_back(rdata_of(*have, j));
        std::sort(want.begin(), want.end());
        want.erase(std::unique(want.begin(), want.end()), want.end());
        std::sort(got.begin(), got.end());
        if (want != got) return KNOT_RCODE_NXRRSET;
    }
    return KNOT_RCODE_NOERROR;
}

// §3.4.1.
uint16_t prescan(const Zone& zone, const knot_pktsection_t* section) {
    for (uint16_t i = 0; i < section->count; ++i) {
        const knot_rrset_t& rr = *knot_pkt_rr(section, i);
        if (!in_zone(owner_of(rr), zone)) return KNOT_RCODE_NOTZONE;
        if (rr.rclass == KNOT_CLASS_IN) {
            if (meta_type(rr.type) || no_rdata(rr)) return KNOT_RCODE_FORMERR;
        } else if (rr.rclass == KNOT_CLASS_ANY) {
            if (rr.ttl != 0 || !no_rdata(rr) || (meta_type(rr.type) && rr.type != KNOT_RRTYPE_ANY))
                return KNOT_RCODE_FORMERR;
        } else if (rr.rclass == KNOT_CLASS_NONE) {
            if (rr.ttl != 0 || meta_type(rr.type) || no_rdata(rr)) return KNOT_RCODE_FORMERR;
        } else {
            return KNOT_RCODE_FORMERR;
        }
    }
    return KNOT_RCODE_NOERROR;
}

// The zone's records being edited: sorted, so one name's records are neighbours.
class Edit {
public:
    Edit(std::vector<Record> records, std::string apex) : records_(std::move(records)), apex_(std::move(apex)) {}

    void add(const std::string& owner, uint16_t type, uint32_t ttl, const std::string& rdata) {
        if (type == KNOT_RRTYPE_SOA) return;
        bool has_cname = any(owner, [](const Record& r) { return r.type == KNOT_RRTYPE_CNAME; });
        bool has_other = any(owner, [](const Record& r) { return r.type != KNOT_RRTYPE_CNAME; });
        if (type == KNOT_RRTYPE_CNAME) {
            if (has_other) return;  // §3.4.2.2: a CNAME does not join other data
            remove_if([&](const Record& r) { return r.owner == owner; });  // it replaces the CNAME
        } else if (has_cname) {
            return;
        }
        Record added{owner, type, ttl, rdata};
        for (auto& r : records_) {
            if (r.same_rr(added)) {
                r.ttl = ttl;
                return;
            }
        }
        records_.insert(std::upper_bound(records_.begin(), records_.end(), added), added);
    }

    void delete_rrset(const std::string& owner, uint16_t type) {
        remove_if([&](const Record& r) {
            return r.owner == owner && (type == KNOT_RRTYPE_ANY || r.type == type) && !apex_keeps(r);
        });
    }

    void delete_rr(const std::string& owner, uint16_t type, const std::string& rdata) {
        if (type == KNOT_RRTYPE_SOA) return;
        if (owner == apex_ && type == KNOT_RRTYPE_NS) {
            size_t ns = std::count_if(records_.begin(), records_.end(),
                                      [&](const Record& r) { return r.owner == owner && r.type == type; });
            if (ns <= 1) return;  // §3.4.2.4: the zone keeps an NS
        }
        remove_if([&](const Record& r) { return r.owner == owner && r.type == type && r.rdata == rdata; });
    }

    const std::vector<Record>& records() const { return records_; }

private:
    bool apex_keeps(const Record& r) const {
        return r.owner == apex_ && (r.type == KNOT_RRTYPE_SOA || r.type == KNOT_RRTYPE_NS);
    }
    template <class Pred>
    bool any(const std::string& owner, Pred pred) const {
        return std::any_of(records_.begin(), records_.end(), [&](const Record& r) { return r.owner == owner && pred(r); });
    }
    template <class Pred>
    void remove_if(Pred pred) {
        records_.erase(std::remove_if(records_.begin(), records_.end(), pred), records_.end());
    }

    std::vector<Record> records_;
    std::string apex_;
};

}  // namespace

UpdateOutcome evaluate_update(const Zone& zone, const knot_pkt_t* update) {
    if (auto rcode = check_prerequisites(zone, knot_pkt_section(update, KNOT_ANSWER))) return {rcode, std::nullopt};
    const knot_pktsection_t* updates = knot_pkt_section(update, KNOT_AUTHORITY);
    if (auto rcode = prescan(zone, updates)) return {rcode, std::nullopt};

    auto before = zone_records(zone);
    Edit edit(before, std::string(wire_view(zone.apex())));
    for (uint16_t i = 0; i < updates->count; ++i) {
        const knot_rrset_t& rr = *knot_pkt_rr(updates, i);
        std::string owner = owner_of(rr);
        if (rr.rclass == KNOT_CLASS_IN) {
            for (uint16_t j = 0; j < rr.rrs.count; ++j) edit.add(owner, rr.type, rr.ttl, rdata_of(rr, j));
        } else if (rr.rclass == KNOT_CLASS_ANY) {
            edit.delete_rrset(owner, rr.type);
        } else {
            for (uint16_t j = 0; j < rr.rrs.count; ++j) edit.delete_rr(owner, rr.type, rdata_of(rr, j));
        }
    }
    if (edit.records() == before) return {KNOT_RCODE_NOERROR, std::nullopt};
    return {KNOT_RCODE_NOERROR, edit.records()};
}

}  // namespace patchbay
