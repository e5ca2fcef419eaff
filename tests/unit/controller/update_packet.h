// UPDATE messages for tests: prerequisites and updates as plain rows, built into wire
// form with libknot and parsed back, as the controller receives them.
#pragma once

#include <catch2/catch.hpp>

#include <array>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include <libknot/libknot.h>
#include <libzscanner/scanner.h>
}

#include "dname.h"

namespace patchbay::test {

constexpr uint16_t IN = KNOT_CLASS_IN, NONE = KNOT_CLASS_NONE, ANY = KNOT_CLASS_ANY;

struct Rr {
    const char* owner;
    uint16_t rclass;
    uint16_t type;
    uint32_t ttl;
    const char* rdata;  // presentation; "" for none
};

// The rdata of `type` from its presentation form, through libzscanner.
inline std::string rdata_wire(uint16_t type, const char* text) {
    char name[32];
    REQUIRE(knot_rrtype_to_string(type, name, sizeof name) > 0);
    std::string line = "x. 0 IN " + std::string(name) + " " + text + "\n";
    auto scanner = std::make_unique<zs_scanner_t>();
    REQUIRE(zs_init(scanner.get(), ".", KNOT_CLASS_IN, 0) == 0);
    REQUIRE(zs_set_input_string(scanner.get(), line.data(), line.size()) == 0);
    REQUIRE(zs_parse_record(scanner.get()) == 0);
    REQUIRE(scanner->state == ZS_STATE_DATA);
    std::string out(reinterpret_cast<const char*>(scanner->r_data), scanner->r_data_length);
    zs_deinit(scanner.get());
    return out;
}

// An UPDATE for `zone` (default hostdomain.com): prerequisites in the answer section,
// updates in the authority section; `wire()` as sent, `parsed` as received.
struct Update {
    std::array<uint8_t, KNOT_WIRE_MAX_PKTSIZE> wire{};
    std::array<uint8_t, KNOT_WIRE_MAX_PKTSIZE> copy{};
    knot_pkt_t* pkt = nullptr;
    knot_pkt_t* parsed = nullptr;
    Update(const std::vector<Rr>& prerequisites, const std::vector<Rr>& updates,
           const char* zone_name = "hostdomain.com") {
        pkt = knot_pkt_new(wire.data(), wire.size(), nullptr);
        knot_wire_set_opcode(pkt->wire, KNOT_OPCODE_UPDATE);
        auto zone = *wire_name(zone_name);
        REQUIRE(knot_pkt_put_question(pkt, as_dname(zone), KNOT_CLASS_IN, KNOT_RRTYPE_SOA) == KNOT_EOK);
        put(KNOT_ANSWER, prerequisites);
        put(KNOT_AUTHORITY, updates);
        std::copy(pkt->wire, pkt->wire + pkt->size, copy.begin());
        parsed = knot_pkt_new(copy.data(), pkt->size, nullptr);
        REQUIRE(knot_pkt_parse(parsed, 0) == KNOT_EOK);
    }
    std::vector<uint8_t> bytes() const { return {pkt->wire, pkt->wire + pkt->size}; }
    ~Update() {
        knot_pkt_free(pkt);
        knot_pkt_free(parsed);
    }
    void put(knot_section_t section, const std::vector<Rr>& rrs) {
        REQUIRE(knot_pkt_begin(pkt, section) == KNOT_EOK);
        for (const auto& r : rrs) {
            auto owner = *wire_name(r.owner);
            knot_rrset_t* rr = knot_rrset_new(as_dname(owner), r.type, r.rclass, r.ttl, nullptr);
            std::string rd = *r.rdata ? rdata_wire(r.type, r.rdata) : "";
            REQUIRE(knot_rrset_add_rdata(rr, reinterpret_cast<const uint8_t*>(rd.data()), rd.size(), nullptr) ==
                    KNOT_EOK);
            REQUIRE(knot_pkt_put(pkt, KNOT_COMPR_HINT_NONE, rr, KNOT_PF_FREE) == KNOT_EOK);
        }
    }
};

}  // namespace patchbay::test
