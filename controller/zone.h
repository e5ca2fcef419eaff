// zone: the controller's zones as immutable, wire-ready snapshots, built by a pure
// function from the zone list and the tuples (DESIGN.md §2, "views are rebuilt as
// immutable snapshots and swapped in").
//
// Per zone: SOA and NS at the apex, A/AAAA glue for ns.<zone>, one SRV RRset per
// (service, transport) at _service._transport.<zone> (RFC 2782), the address records
// of the SRV targets, and the zone's other records (MX, TXT, …) as stored. Records are libknot RRsets so the answer path copies
// them into packets without conversion; names are keyed by their lower-case wire form
// so a parsed query name is a lookup key as it is.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

extern "C" {
#include <libknot/libknot.h>
}

#include "address.h"
#include "record.h"
#include "tuple.h"

namespace patchbay {

struct ZoneInput {
    ZoneInput() = default;
    // Not an aggregate, so {name, serial} leaves the records empty without a warning.
    ZoneInput(std::string zone, uint32_t zone_serial, std::vector<Record> zone_records = {})
        : name(std::move(zone)), serial(zone_serial), records(std::move(zone_records)) {}

    std::string name;  // normalized, no trailing dot
    uint32_t serial = 1;
    std::vector<Record> records;  // served as they are, next to what the tuples make
};

struct DnsSettings {
    uint32_t ttl = 60;                   // every record, and the SOA minimum
    std::vector<Address> ns_addresses;   // glue A/AAAA of ns.<zone>; may be empty
};

// Frees a heap RRset together with its owner and rdata.
struct RRsetFree {
    void operator()(knot_rrset_t* rrset) const;
};
using RRsetPtr = std::unique_ptr<knot_rrset_t, RRsetFree>;

// The SOA every zone carries (mname ns.<zone>., rname hostmaster.<zone>., refresh 3600,
// retry 600, expire 604800, minimum = ttl). Also used by NOTIFY (RFC 1996 §3.7).
// Returns nullptr when `zone` is not a valid domain name.
RRsetPtr make_soa(std::string_view zone, uint32_t serial, uint32_t ttl);

// The RRset in presentation format, one line per record, as libknot prints it (what
// kdig and knotc show): absolute names, class shown.
std::string rrset_text(const knot_rrset_t& rrset);
// The same, one string per record with runs of blanks squeezed to one space: for
// comparing and logging.
std::vector<std::string> rrset_lines(const knot_rrset_t& rrset);

// The name a tuple without an explicit target gets: ip4-10-10-10-121.<zone> or
// ip6-2001-db8--1.<zone> (canonical text, ':' and '.' turned into '-').
std::string derived_target(const Address& address, std::string_view zone);

// The SRV record a tuple becomes in `zone`: its owner (_service._transport.<zone>) and
// its target as lower-case wire names, and its rdata (RFC 2782: priority, weight, port,
// target). nullopt when a name would not fit a DNS name.
struct TupleSrv {
    std::string owner;
    std::string target;
    std::string rdata;
};
std::optional<TupleSrv> tuple_srv(const Tuple& tuple, std::string_view zone);

// The RRsets owned by one name, sorted by type. An empty node is an empty non-terminal
// (e.g. _tcp.<zone>): the name exists, so a query for it is NODATA, not NXDOMAIN
// (RFC 8020 §2).
struct ZoneNode {
    std::vector<RRsetPtr> rrsets;
    // The RRset of `type`, or nullptr.
    const knot_rrset_t* find(uint16_t type) const;

    // Set by Zone once the snapshot is built, so answering does not search for them:
    // the NS RRset of the zone cut at or above this name (the highest one below the
    // apex), or nullptr when the name is the zone's own data (RFC 1034 §4.2.1);
    const knot_rrset_t* delegation = nullptr;
    // and the node of "*.<this name>", the source of synthesis for names below that do
    // not exist (RFC 4592 §2.1.1), or nullptr.
    const ZoneNode* wildcard = nullptr;
};

// Hashes wire names held as std::string and looked up as std::string_view.
struct WireNameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
};
using ZoneNodes = std::unordered_map<std::string, ZoneNode, WireNameHash, std::equal_to<>>;

class Zone {
public:
    // `nodes` must hold the SOA at the apex; throws std::invalid_argument otherwise.
    Zone(std::string name, uint32_t serial, ZoneNodes nodes);

    const std::string& name() const { return name_; }  // "hostdomain.com"
    const knot_dname_t* apex() const;                    // lower-case wire form
    uint32_t serial() const { return serial_; }
    const knot_rrset_t& soa() const { return *soa_; }

    // The node of `owner` (a lower-case wire name), or nullptr: no such name.
    const ZoneNode* find(const knot_dname_t* owner) const;
    // The same by presentation name ("_http._tcp.hostdomain.com", any case, dot optional).
    const ZoneNode* find(std::string_view owner) const;
    // Every record in presentation format, one per line, sorted; for tests and logs.
    std::vector<std::string> dump() const;
    size_t node_count() const { return nodes_.size(); }
    // Every node by owner (zone transfers and diffs walk them all).
    const ZoneNodes& nodes() const { return nodes_; }
    // Whether some name lies at a zone cut or has a wildcard child (ZoneNode::delegation,
    // ::wildcard). Without either, a missing name is NXDOMAIN without further lookups.
    bool has_cuts_or_wildcards() const { return cuts_or_wildcards_; }

private:
    void mark_cuts_and_wildcards();

    std::string name_;
    std::string apex_;  // wire bytes
    uint32_t serial_;
    ZoneNodes nodes_;
    const knot_rrset_t* soa_ = nullptr;
    bool cuts_or_wildcards_ = false;
};

// An immutable set of zones. Zones are shared between successive sets, so a change
// rebuilds only the zone it touched.
class ZoneSet {
public:
    explicit ZoneSet(std::vector<std::shared_ptr<const Zone>> zones);

    // The closest zone that holds `name` (a lower-case wire name), or nullptr.
    const Zone* find(const knot_dname_t* name) const;
    // The zone named exactly `name` (normalized), or nullptr.
    const Zone* zone(std::string_view name) const;
    const std::vector<std::shared_ptr<const Zone>>& zones() const { return zones_; }

private:
    std::vector<std::shared_ptr<const Zone>> zones_;
    std::unordered_map<std::string, size_t, WireNameHash, std::equal_to<>> by_apex_;
};

// Builds every zone of `zones` from the tuples bound to it; tuples of other domains are
// ignored. Names that would not fit a DNS name (255 octets) are left out: the store
// refuses such input before it gets here. Never fails.
std::shared_ptr<const ZoneSet> build_zone_set(const std::vector<ZoneInput>& zones,
                                              const std::vector<Tuple>& tuples,
                                              const DnsSettings& settings);

// One zone from the tuples bound to it (others are ignored); nullptr when the zone's own
// names (apex, ns., hostmaster.) are not valid names.
std::shared_ptr<const Zone> build_zone(const ZoneInput& zone, const std::vector<Tuple>& tuples,
                                       const DnsSettings& settings);

// `current` with the zone `name` replaced by `zone` (added if new; removed if `zone` is
// null). The other zones are shared, not copied.
std::shared_ptr<const ZoneSet> with_zone(const ZoneSet& current, std::string_view name,
                                         std::shared_ptr<const Zone> zone);

}  // namespace patchbay
