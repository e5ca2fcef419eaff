// Fuzzes the controller's DNS query path (controller/answer.h) with the seed zone of
// DESIGN.md §1: any bytes a client sends, over UDP and TCP. Beyond the sanitizers it
// checks what every response must hold: a header with the query's id and QR set, no
// more than the transport allows, and wire that libknot itself parses back.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

extern "C" {
#include <libknot/libknot.h>
}

#include "answer.h"
#include "seed.h"
#include "zone.h"

namespace {

using namespace patchbay;

const ZoneSet& seed_zones() {
    // Built once: the zone is the fixed part, the query the fuzzed one.
    static const std::shared_ptr<const ZoneSet> zones = build_zone_set(
        {{"hostdomain.com", 1}}, test::seed_tuples(), DnsSettings{60, {*Address::parse("10.10.10.1")}});
    return *zones;
}

void check(const uint8_t* query, size_t size, Transport transport, std::vector<uint8_t>& out) {
    if (!answer(seed_zones(), query, size, transport, out)) return;
    if (out.size() < KNOT_WIRE_HEADER_SIZE || knot_wire_get_id(out.data()) != knot_wire_get_id(query) ||
        !knot_wire_get_qr(out.data()))
        std::abort();
    // A UDP response never exceeds the largest payload we advertise (RFC 6891 §6.2.5).
    if (transport == Transport::udp && out.size() > edns_udp_size) std::abort();
    // What we send must parse: a client that cannot read it is as bad as a crash.
    std::vector<uint8_t> copy(out);
    knot_pkt_t* pkt = knot_pkt_new(copy.data(), static_cast<uint16_t>(copy.size()), nullptr);
    if (pkt == nullptr) std::abort();
    int r = knot_pkt_parse(pkt, 0);
    knot_pkt_free(pkt);
    if (r != KNOT_EOK) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<uint8_t> out;
    check(data, size, Transport::udp, out);
    check(data, size, Transport::tcp, out);
    return 0;
}
