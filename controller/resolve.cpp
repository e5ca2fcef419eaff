// resolve: RFC 1034 §4.3.2 step 3 over one zone snapshot, as a loop over names:
//   find the name (in the zone, below a cut, covered by a wildcard, or missing)
//   → a CNAME is put and its target becomes the name (in the zone, not seen, chain short)
//   → the answer, the referral or the SOA → the addresses of the names they point at.
// Cuts and wildcards were found when the zone was built (ZoneNode::delegation and
// ::wildcard), so a plain hit still costs one hash lookup and nothing per name above it.
#include "resolve.h"

#include <array>
#include <stdexcept>
#include <string>

namespace patchbay {

namespace {

// CNAMEs put in one answer at most, as Knot 3.2 (CNAME_CHAIN_MAX): after the last one
// its target still gets a final lookup. Loops end sooner, when a name comes back.
constexpr size_t max_chain = 5;

enum class Found { name, wildcard, referral, missing };

struct Match {
    Found kind = Found::missing;
    const ZoneNode* node = nullptr;     // name, wildcard: the node whose records answer
    const knot_rrset_t* cut = nullptr;  // referral: the NS RRset of the cut
};

// A node that holds the name: the zone's own data, or a referral when it lies at or
// below a cut. The parent side of a cut holds the DS (RFC 4035 §2.4), so DS at the cut
// itself is answered here, from the parent.
Match at_node(const ZoneNode* node, Found kind, uint16_t qtype) {
    if (node->delegation == nullptr ||
        (qtype == KNOT_RRTYPE_DS && node->find(KNOT_RRTYPE_NS) == node->delegation)) {
        return {kind, node, nullptr};
    }
    return {Found::referral, nullptr, node->delegation};
}

// Where `name` (lower-case, at or below the apex) leads. A name that does not exist is
// looked up through its closest encloser, the longest ancestor that exists (empty
// non-terminals included): below a cut it is the child's; otherwise `*.<encloser>`, if
// any, is the source of synthesis (RFC 4592 §3.3.1).
Match find_name(const Zone& zone, const knot_dname_t* name, uint16_t qtype) {
    if (const ZoneNode* node = zone.find(name)) return at_node(node, Found::name, qtype);
    if (!zone.has_cuts_or_wildcards()) return {};  // the common case, kept short
    const ZoneNode* encloser = nullptr;
    for (const knot_dname_t* up = name; encloser == nullptr && *up != 0;) {
        up += *up + 1;
        encloser = zone.find(up);
    }
    if (encloser == nullptr) return {};  // only for a name outside the zone
    if (encloser->delegation != nullptr) return {Found::referral, nullptr, encloser->delegation};
    if (encloser->wildcard != nullptr) return at_node(encloser->wildcard, Found::wildcard, qtype);
    return {};
}

// Copies the wire name at [name, end) into `key`, lower-cased, in one pass; false when
// it is not a whole uncompressed name within those bounds (zones come from checked
// input, but reading past a record is never worth the risk).
bool lower_key(const uint8_t* name, const uint8_t* end, knot_dname_t* key) {
    size_t size = 0;
    while (true) {
        if (name >= end) return false;
        uint8_t len = *name++;
        if (len > KNOT_DNAME_MAXLABELLEN || end - name < len || size + 1 + len > KNOT_DNAME_MAXLEN) {
            return false;
        }
        key[size++] = len;
        if (len == 0) return true;
        for (const uint8_t* label_end = name + len; name < label_end; ++name) {
            key[size++] = (*name >= 'A' && *name <= 'Z') ? static_cast<uint8_t>(*name + ('a' - 'A')) : *name;
        }
    }
}

// The domain name in record `i` of `rrset` that the answer may go on with: the CNAME
// target, or the NS, MX or SRV host whose addresses are additional data, as written;
// `key` gets its lower-case form. nullptr for other types and for names that do not
// parse.
const knot_dname_t* target_name(const knot_rrset_t& rrset, uint16_t i, knot_dname_t* key) {
    size_t offset = 0;
    switch (rrset.type) {
    case KNOT_RRTYPE_CNAME:
    case KNOT_RRTYPE_NS:
        break;
    case KNOT_RRTYPE_MX:  // RFC 1035 §3.3.9: preference, exchange
        offset = 2;
        break;
    case KNOT_RRTYPE_SRV:  // RFC 2782: priority, weight, port, target
        offset = 6;
        break;
    default:
        return nullptr;
    }
    const knot_rdata_t* rd = knot_rdataset_at(&rrset.rrs, i);
    if (rd == nullptr || rd->len <= offset) return nullptr;
    const uint8_t* name = rd->data + offset;
    return lower_key(name, rd->data + rd->len, key) ? name : nullptr;
}

// Puts `rrset` as owned by `owner` (the records are shared, only the name changes), or
// by the question name when `owner` is nullptr: a compression pointer to it, which
// also keeps the client's case. Returns false when it did not fit; TC is then set
// unless `flags` hold KNOT_PF_NOTRUNC.
bool put(knot_pkt_t* resp, const knot_rrset_t& rrset, const knot_dname_t* owner, uint16_t flags) {
    knot_rrset_t named = rrset;
    uint16_t hint = KNOT_COMPR_HINT_QNAME;
    if (owner != nullptr) {
        hint = KNOT_COMPR_HINT_NONE;
        named.owner = const_cast<knot_dname_t*>(owner);  // libknot only reads it
    }
    int ret = knot_pkt_put(resp, hint, &named, flags);
    if (ret == KNOT_EOK) return true;
    if (ret == KNOT_ESPACE) return false;
    throw std::runtime_error(std::string("cannot put a record: ") + knot_strerror(ret));
}

// Whether the response already holds these records under this name.
bool in_response(const knot_pkt_t* resp, const knot_rrset_t& rrset, const knot_dname_t* owner) {
    for (uint16_t i = 0; i < resp->rrset_count; ++i) {
        const knot_rrset_t& rr = resp->rr[i];
        if (rr.type == rrset.type && rr.rrs.rdata == rrset.rrs.rdata &&
            knot_dname_is_case_equal(rr.owner, owner)) {
            return true;
        }
    }
    return false;
}

// Additional section: the A and AAAA records of the hosts `rrset` names (RFC 1035 §3.3.9
// and §3.3.11, RFC 2782), found in the zone, below a cut (glue) or through a wildcard.
// They are optional (RFC 2181 §9), except in a referral (`cut` set) the glue of hosts
// inside the delegated zone, without which it cannot be followed (RFC 9471 §3).
void put_addresses(knot_pkt_t* resp, const Zone& zone, const knot_rrset_t& rrset,
                   const knot_dname_t* cut) {
    if (rrset.type == KNOT_RRTYPE_CNAME) return;  // its target is followed or left, not added
    knot_pkt_begin(resp, KNOT_ADDITIONAL);
    for (uint16_t i = 0; i < rrset.rrs.count; ++i) {
        knot_dname_storage_t key;
        const knot_dname_t* host = target_name(rrset, i, key);
        if (host == nullptr || knot_dname_in_bailiwick(key, zone.apex()) < 0) continue;
        const knot_dname_t* owner = nullptr;  // the node's own
        const ZoneNode* node = zone.find(key);
        if (node == nullptr) {
            Match m = find_name(zone, key, KNOT_RRTYPE_A);
            if (m.kind != Found::wildcard) continue;
            node = m.node;
            owner = host;  // synthesized for the host's name
        }
        bool required = cut != nullptr && knot_dname_in_bailiwick(key, cut) >= 0;
        for (uint16_t type : {KNOT_RRTYPE_A, KNOT_RRTYPE_AAAA}) {
            const knot_rrset_t* addresses = node->find(type);
            if (addresses == nullptr) continue;
            const knot_dname_t* name = owner != nullptr ? owner : addresses->owner;
            if (in_response(resp, *addresses, name)) continue;
            if (!put(resp, *addresses, name, required ? 0 : KNOT_PF_NOTRUNC)) return;
        }
    }
}

// RFC 2308 §3: the SOA goes in the authority section of NXDOMAIN and NODATA answers.
void put_soa(knot_pkt_t* resp, const Zone& zone) {
    knot_pkt_begin(resp, KNOT_AUTHORITY);
    put(resp, zone.soa(), zone.soa().owner, 0);  // too big: TC set
}

// RFC 1034 §4.3.2 step 3b: the NS RRset of the cut in authority, its glue in additional.
void put_referral(knot_pkt_t* resp, const Zone& zone, const knot_rrset_t& ns) {
    knot_pkt_begin(resp, KNOT_AUTHORITY);
    if (!put(resp, ns, ns.owner, 0)) return;
    put_addresses(resp, zone, ns, ns.owner);
}

// Whether a CNAME at the name answers `qtype` by its target (RFC 1034 §3.6.2): not for
// the CNAME itself, nor for ANY (RFC 8482 §4.1: one RRset, the CNAME), nor for the
// DNSSEC types that may sit beside a CNAME (RFC 4035 §2.5), as Knot.
bool follows_cname(uint16_t qtype) {
    return qtype != KNOT_RRTYPE_CNAME && qtype != KNOT_RRTYPE_ANY && qtype != KNOT_RRTYPE_RRSIG &&
           qtype != KNOT_RRTYPE_NSEC;
}

// The names a CNAME chain has reached, lower-case, to stop at a loop.
class Chain {
public:
    explicit Chain(const knot_dname_t* qname) : qname_(qname) {}

    size_t size() const { return count_; }
    bool full() const { return count_ == names_.size(); }
    // Where the next name goes, lower-case, before take(); only when not full().
    knot_dname_t* slot() { return names_[count_]; }
    // Adds the name in slot() to the chain and returns it; nullptr when the chain has
    // been there already (a loop).
    const knot_dname_t* take() {
        const knot_dname_t* name = names_[count_];
        if (knot_dname_is_equal(name, qname_)) return nullptr;
        for (size_t i = 0; i < count_; ++i) {
            if (knot_dname_is_equal(name, names_[i])) return nullptr;
        }
        ++count_;
        return name;
    }

private:
    const knot_dname_t* qname_;
    std::array<knot_dname_storage_t, max_chain> names_;  // filled up to count_
    size_t count_ = 0;
};

}  // namespace

Resolution resolve(knot_pkt_t* resp, const Zone& zone, const knot_dname_t* qname, uint16_t qtype,
                   const RRsetOverride* override) {
    knot_pkt_begin(resp, KNOT_ANSWER);
    Chain chain(qname);
    const knot_dname_t* key = qname;       // lower-case, to look up
    const knot_dname_t* written = nullptr;  // as the last CNAME wrote it; nullptr: the question
    while (true) {
        Match match = find_name(zone, key, qtype);
        switch (match.kind) {
        case Found::missing:  // RFC 2308 §2.1; at the end of a chain, RFC 6604 §2
            put_soa(resp, zone);
            return {KNOT_RCODE_NXDOMAIN, true};
        case Found::referral:
            // Not authoritative for the child; a chain that led here keeps AA, its
            // CNAMEs are ours (as Knot).
            put_referral(resp, zone, *match.cut);
            return {KNOT_RCODE_NOERROR, chain.size() > 0};
        case Found::name:
        case Found::wildcard:
            break;
        }

        // Synthesized records take the name they answer (RFC 4592 §2.1.1); found ones
        // keep their own, except at the question, which is pointed at for its case.
        auto owner = [&](const knot_rrset_t& rrset) {
            if (written == nullptr) return static_cast<const knot_dname_t*>(nullptr);
            return match.kind == Found::wildcard ? written : rrset.owner;
        };
        const ZoneNode& node = *match.node;
        const knot_rrset_t* cname = nullptr;
        const knot_rrset_t* hit = nullptr;
        for (const auto& rrset : node.rrsets) {
            if (rrset->type == qtype) hit = rrset.get();
            if (rrset->type == KNOT_RRTYPE_CNAME) cname = rrset.get();
        }
        // RFC 8482 §4.1: ANY gets one RRset, the first by type (rrsets are sorted), over
        // UDP and TCP alike, as Knot does.
        if (qtype == KNOT_RRTYPE_ANY && !node.rrsets.empty()) hit = node.rrsets.front().get();

        if (cname != nullptr && follows_cname(qtype)) {
            if (chain.full()) return {KNOT_RCODE_NOERROR, true};  // what we have, as Knot
            if (!put(resp, *cname, owner(*cname), 0)) return {KNOT_RCODE_NOERROR, true};
            const knot_dname_t* target = target_name(*cname, 0, chain.slot());
            // A target outside the zone is the client's to ask for (RFC 1034 §4.3.2 step
            // 3a: "go back to step 1" only within our data; we stop at the zone edge).
            if (target == nullptr || knot_dname_in_bailiwick(chain.slot(), zone.apex()) < 0) {
                return {KNOT_RCODE_NOERROR, true};
            }
            key = chain.take();
            if (key == nullptr) return {KNOT_RCODE_NOERROR, true};  // a loop
            written = target;
            continue;
        }
        if (hit != nullptr && override != nullptr && match.kind == Found::name && chain.size() == 0) {
            if (const knot_rrset_t* replaced = override->replace(zone, *hit)) {
                hit = replaced->rrs.count > 0 ? replaced : nullptr;
            }
        }
        if (hit == nullptr) {  // NODATA, also for empty non-terminals (RFC 2308 §2.2, RFC 8020)
            put_soa(resp, zone);
            return {KNOT_RCODE_NOERROR, true};
        }
        // Did not fit: TC is set, the client retries over TCP.
        if (put(resp, *hit, owner(*hit), 0)) put_addresses(resp, zone, *hit, nullptr);
        return {KNOT_RCODE_NOERROR, true};
    }
}

}  // namespace patchbay
