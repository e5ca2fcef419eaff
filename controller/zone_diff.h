// zone_diff: what changed between two versions of a zone, as IXFR sends it (RFC 1995
// §4): the old SOA and the records removed, the new SOA and the records added. Computed
// by a pure function from two Zone snapshots; encoded to bytes for the journal table.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"
#include "zone.h"

namespace patchbay {

struct ZoneDiff {
    uint32_t serial_from = 0;
    uint32_t serial_to = 0;
    RRsetPtr soa_from;               // the zone's SOA before the change
    RRsetPtr soa_to;                 // and after it
    std::vector<RRsetPtr> removed;   // records in `from` only, SOA excluded
    std::vector<RRsetPtr> added;     // records in `to` only, SOA excluded
    size_t wire_size = 0;            // bytes of every record above, uncompressed

    // Every record in presentation format, "-" or "+" first, in diff order; for tests.
    std::vector<std::string> dump() const;
};

// The difference from `from` to `to` (the same zone, two serials). A record whose TTL
// changed counts as removed and added. Output is in a fixed order (owner wire, then
// type, then rdata), so equal zones give equal diffs. Throws std::bad_alloc only.
std::shared_ptr<const ZoneDiff> diff_zones(const Zone& from, const Zone& to);

// The journal's encoding of a record list: per RRset the owner's wire name, type, class,
// TTL (u16, u16, u32), record count (u16) and each rdata as u16 length + bytes.
std::string encode_rrsets(const std::vector<const knot_rrset_t*>& rrsets);
// Its inverse. Errors: "journal record N is truncated|malformed".
Result<std::vector<RRsetPtr>> decode_rrsets(std::string_view bytes);

// The diff stored as two encoded lists, each with its SOA first (the RFC 1995 order).
// Errors: those of decode_rrsets, and "journal diff has no SOA first".
Result<std::shared_ptr<const ZoneDiff>> decode_diff(std::string_view removed, std::string_view added);
std::string encode_removed(const ZoneDiff& diff);
std::string encode_added(const ZoneDiff& diff);

}  // namespace patchbay
