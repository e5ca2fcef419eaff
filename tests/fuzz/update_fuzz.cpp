// Fuzzes RFC 2136 UPDATE evaluation (controller/update.h) against the seed zone plus
// other records: any message a client sends that libknot parses as an UPDATE. Beyond the
// sanitizers: an update that succeeds leaves records that split back into tuples and
// records without error (the update keeps the zone's rules: no SOA, no CNAME beside other
// data, nothing outside the zone), and the zone they build answers for its apex.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

extern "C" {
#include <libknot/libknot.h>
}

#include "seed.h"
#include "update.h"
#include "zone_content.h"
#include "zonefile.h"

namespace {

using namespace patchbay;

DnsSettings settings() { return DnsSettings{60, {*Address::parse("10.10.10.1")}}; }

const Zone& seed_zone() {
    static const std::shared_ptr<const Zone> zone = [] {
        auto file = parse_zone_file("@ SOA a. b. 9 1 1 1 1\n@ MX 10 mail\nmail A 192.0.2.25\nwww CNAME mail\n"
                                    "txt TXT \"one\" \"two\"\n",
                                    "hostdomain.com", "seed");
        if (!file) std::abort();
        return build_zone({"hostdomain.com", 9, file->records}, test::seed_tuples(), settings());
    }();
    return *zone;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < KNOT_WIRE_HEADER_SIZE || size > KNOT_WIRE_MAX_PKTSIZE) return 0;
    std::vector<uint8_t> copy(data, data + size);
    knot_pkt_t* pkt = knot_pkt_new(copy.data(), static_cast<uint16_t>(copy.size()), nullptr);
    if (pkt == nullptr) std::abort();
    if (knot_pkt_parse(pkt, 0) == KNOT_EOK && knot_wire_get_opcode(pkt->wire) == KNOT_OPCODE_UPDATE) {
        auto outcome = evaluate_update(seed_zone(), pkt);
        if (outcome.records) {
            if (outcome.rcode != KNOT_RCODE_NOERROR) std::abort();
            auto content = split_records("hostdomain.com", *outcome.records, settings());
            if (!content) std::abort();
            auto zone = build_zone({"hostdomain.com", 10, content->records}, content->tuples, settings());
            if (!zone || zone->find("hostdomain.com") == nullptr) std::abort();
        }
    }
    knot_pkt_free(pkt);
    return 0;
}
