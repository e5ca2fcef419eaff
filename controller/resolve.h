// resolve: the records that answer one question from one zone, as an authoritative
// server finds them (RFC 1034 §4.3.2 step 3): exact matches, CNAME chains inside the
// zone, referrals at zone cuts, wildcard synthesis (RFC 4592), negative answers with the
// SOA (RFC 2308) and the addresses of NS, MX and SRV targets as additional data. DNAME
// is an ordinary type here: no synthesis (RFC 6672 is not implemented).
#pragma once

#include <cstdint>

#include "zone.h"

namespace patchbay {

// Another RRset than the zone holds, decided per query (the client view's mapping
// policies, policy_view.h). Asked for the RRset a question finds at its own name (not
// through a wildcard or a CNAME); what it returns must live until the response is
// written.
class RRsetOverride {
public:
    virtual ~RRsetOverride() = default;
    // nullptr: answer `found` as it is. Otherwise the RRset to answer instead; one with
    // no records makes the answer NODATA.
    virtual const knot_rrset_t* replace(const Zone& zone, const knot_rrset_t& found) const = 0;
};

struct Resolution {
    uint16_t rcode = KNOT_RCODE_NOERROR;  // NOERROR or NXDOMAIN
    bool authoritative = true;            // false only for a referral
};

// Writes the answer, authority and additional sections for `qname` (a lower-case wire
// name inside `zone`) and `qtype` into `resp`, whose question is already set, and says
// which rcode and AA flag they call for. Positive answers carry no authority records
// (minimal responses, as Knot); NXDOMAIN and NODATA carry the SOA. A record that does
// not fit sets TC and ends the response there, except additional data, which is left
// out silently (RFC 2181 §9) unless it is glue a referral needs (RFC 9471 §3).
// Throws std::runtime_error when libknot fails for a reason other than space.
// `override`, when given, may replace the RRset found at the question's name.
Resolution resolve(knot_pkt_t* resp, const Zone& zone, const knot_dname_t* qname, uint16_t qtype,
                   const RRsetOverride* override = nullptr);

}  // namespace patchbay
