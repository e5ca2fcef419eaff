// answer: one DNS query in, one response out (or none). Pure: no sockets, no clock,
// no state but the zone snapshot it is handed. The authoritative behaviour of RFC 1034
// §4.3.2 (CNAME chains within the zone, referrals at zone cuts, wildcards as in RFC
// 4592; resolve.h), with negative answers as in RFC 2308 and EDNS(0) as in RFC 6891.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "address.h"
#include "zone.h"

namespace patchbay {

enum class Transport { udp, tcp };

class PolicyView;

// What the client view knows of a query besides its wire form: the mapping policies
// to answer by (policy_view.h) and who asks.
struct ClientQuery {
    const PolicyView* policies = nullptr;
    Address source;                   // the packet's source address
    std::optional<std::string> key;   // the TSIG key it was validly signed with
};

// The UDP payload size we advertise and accept at most (DNS flag day 2020).
constexpr uint16_t edns_udp_size = 1232;

// Writes into `out` (resized to fit; reuse it across calls to avoid reallocation) the
// response to the query in query[0, len) and returns true. Returns false when the query
// gets no response at all: shorter than a DNS header, or itself a response (QR set).
//
// Rcodes: NOERROR (answer or NODATA) and NXDOMAIN with AA set and the zone's SOA in
// the authority section for negative answers; NOERROR with AA clear for a referral
// (the NS of the cut in authority, glue in additional); REFUSED for names outside every zone,
// classes other than IN and zone transfers; FORMERR for queries that do not parse
// (including an OPT not owned by the root or whose options overrun it, RFC 6891 §6.1);
// NOTIMP for opcodes other than QUERY; BADVERS for EDNS versions above 0; SERVFAIL
// when answering itself fails. Over UDP a response larger than the client's size (512
// without EDNS) is cut at a whole RRset with TC set. ANY gets one RRset, the node's
// first by type (RFC 8482 §4.1). `reserve` bytes stay free below the size limit, for a
// TSIG record the caller appends. Never throws.
//
// With `client` (the client view): the SRV RRsets of zones with mapping rules are
// answered by those rules for this querier (policy_view.h).
bool answer(const ZoneSet& zones, const uint8_t* query, size_t len, Transport transport,
            std::vector<uint8_t>& out, size_t reserve = 0, const ClientQuery* client = nullptr);

// The first KNOT_WIRE_HEADER_SIZE bytes of `query` turned into a response with `rcode`
// and no sections: for messages too broken to echo, and the last resort (SERVFAIL).
void header_only_response(const uint8_t* query, uint16_t rcode, std::vector<uint8_t>& out);

}  // namespace patchbay
