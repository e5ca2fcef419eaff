// What every response the DNS server sends must hold, checked by the fuzz targets that
// drive it: the query's id, QR set, no more than the transport allows (over UDP our
// advertised payload, RFC 6891 §6.2.5), and wire that libknot itself parses back (a
// client that cannot read it is as bad as a crash). Aborts otherwise.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <vector>

extern "C" {
#include <libknot/libknot.h>
}

#include "answer.h"

namespace patchbay::fuzz {

inline void check_response(const uint8_t* query, const std::vector<uint8_t>& out, Transport transport) {
    if (out.size() < KNOT_WIRE_HEADER_SIZE || knot_wire_get_id(out.data()) != knot_wire_get_id(query) ||
        !knot_wire_get_qr(out.data()))
        std::abort();
    if (out.size() > (transport == Transport::udp ? edns_udp_size : KNOT_WIRE_MAX_PKTSIZE)) std::abort();
    std::vector<uint8_t> copy(out);
    knot_pkt_t* pkt = knot_pkt_new(copy.data(), static_cast<uint16_t>(copy.size()), nullptr);
    if (pkt == nullptr) std::abort();
    int r = knot_pkt_parse(pkt, 0);
    knot_pkt_free(pkt);
    if (r != KNOT_EOK) std::abort();
}

}  // namespace patchbay::fuzz
