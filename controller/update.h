// update: RFC 2136 dynamic update as a pure function — the zone as it is and a parsed
// UPDATE message in; the rcode and, when something changes, the zone's new records out.
// The controller then turns those records back into tuples and records
// (zone_content.h) and commits them through the same mutation path as the API.
// Authentication (TSIG) and the ACL are checked before this is called.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

extern "C" {
#include <libknot/libknot.h>
}

#include "record.h"
#include "zone.h"

namespace patchbay {

struct UpdateOutcome {
    uint16_t rcode = KNOT_RCODE_NOERROR;
    // The zone's records after the update, without the SOA; nullopt when the update
    // failed or changed nothing.
    std::optional<std::vector<Record>> records;
};

// Checks the prerequisites (RFC 2136 §3.2: NXDOMAIN, YXDOMAIN, NXRRSET, YXRRSET),
// prescans the update section (§3.4.1: NOTZONE for names outside `zone`, FORMERR for
// malformed entries), then applies it (§3.4.2): additions (an identical RR only takes
// the new TTL; a CNAME never joins other data, nor other data a CNAME), RRset deletions,
// whole-name deletions and single-RR deletions. The SOA is the controller's: updates to
// it are ignored, as are deletions of the apex NS RRset. `update`'s zone section must
// already name `zone`.
UpdateOutcome evaluate_update(const Zone& zone, const knot_pkt_t* update);

}  // namespace patchbay
