// Test helper: asks answer() one question and reads the response back as text, one
// line per record ("owner ttl class type rdata", runs of blanks as one space).
#pragma once

#include <catch2/catch.hpp>

#include <netinet/in.h>

#include <cstdlib>
#include <cstring>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "answer.h"

namespace patchbay::test {

struct Question {
    const char* name = ".";
    uint16_t type = KNOT_RRTYPE_A;
    Transport transport = Transport::udp;
    bool edns = false;
    uint16_t edns_size = 1232;
    // An EDNS Client Subnet option (RFC 7871), sent when `ecs` is set (implies EDNS).
    const char* ecs = nullptr;  // "198.51.100.0"
    uint8_t ecs_source = 24;
    uint8_t ecs_scope = 0;      // must be 0 in a query; set to test the FORMERR
};

struct Response {
    std::optional<uint8_t> ecs_scope;  // the response's ECS option's SCOPE, if it has one
    uint16_t rcode = 0;
    bool aa = false, tc = false;
    std::string question;  // as written, case kept
    size_t size = 0;
    std::vector<std::string> answer, authority, additional;  // without the OPT
};

struct PacketFree {
    void operator()(knot_pkt_t* pkt) const { knot_pkt_free(pkt); }
};
using PacketPtr = std::unique_ptr<knot_pkt_t, PacketFree>;

inline std::vector<std::string> section_lines(const knot_pkt_t* pkt, knot_section_t section) {
    std::vector<std::string> lines;
    const knot_pktsection_t* s = knot_pkt_section(pkt, section);
    for (uint16_t i = 0; i < s->count; ++i) {
        const knot_rrset_t* rr = knot_pkt_rr(s, i);
        if (rr->type == KNOT_RRTYPE_OPT) continue;
        auto more = rrset_lines(*rr);
        lines.insert(lines.end(), more.begin(), more.end());
    }
    return lines;
}

inline Response ask(const ZoneSet& zones, const Question& q, const ClientQuery* client = nullptr) {
    PacketPtr query(knot_pkt_new(nullptr, 512, nullptr));
    knot_wire_set_id(query->wire, 0x5151);
    knot_dname_storage_t name;
    REQUIRE(knot_dname_from_str(name, q.name, sizeof name) != nullptr);
    REQUIRE(knot_pkt_put_question(query.get(), name, KNOT_CLASS_IN, q.type) == KNOT_EOK);
    if (q.edns || q.ecs) {
        knot_rrset_t opt;
        REQUIRE(knot_edns_init(&opt, q.edns_size, 0, 0, nullptr) == KNOT_EOK);
        if (q.ecs) {
            struct sockaddr_storage ss {};
            auto a = Address::parse(q.ecs);
            REQUIRE(a);
            REQUIRE(a->family == Family::v4);
            auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
            sin->sin_family = AF_INET;
            std::memcpy(&sin->sin_addr, a->bytes.data(), 4);
            knot_edns_client_subnet_t ecs{};
            REQUIRE(knot_edns_client_subnet_set_addr(&ecs, &ss) == KNOT_EOK);
            ecs.source_len = q.ecs_source;
            ecs.scope_len = q.ecs_scope;
            uint8_t data[4 + 16];  // family, source, scope, up to 16 address bytes
            uint16_t size = knot_edns_client_subnet_size(&ecs);
            REQUIRE(knot_edns_client_subnet_write(data, size, &ecs) == KNOT_EOK);
            REQUIRE(knot_edns_add_option(&opt, KNOT_EDNS_OPTION_CLIENT_SUBNET, size, data, nullptr) == KNOT_EOK);
        }
        knot_pkt_begin(query.get(), KNOT_ADDITIONAL);
        REQUIRE(knot_pkt_put(query.get(), KNOT_COMPR_HINT_NONE, &opt, 0) == KNOT_EOK);
        knot_rrset_clear(&opt, nullptr);
    }

    std::vector<uint8_t> out;
    REQUIRE(answer(zones, query->wire, query->size, q.transport, out, 0, client));
    PacketPtr resp(knot_pkt_new(out.data(), static_cast<uint16_t>(out.size()), nullptr));
    // As sent: libknot would lower-case the owner and RDATA names of some types.
    REQUIRE(knot_pkt_parse(resp.get(), KNOT_PF_NOCANON) == KNOT_EOK);
    REQUIRE(knot_wire_get_id(resp->wire) == 0x5151);
    Response r;
    r.rcode = knot_pkt_ext_rcode(resp.get());
    r.aa = knot_wire_get_aa(resp->wire);
    r.tc = knot_wire_get_tc(resp->wire);
    knot_dname_txt_storage_t text;
    knot_dname_to_str(text, knot_pkt_wire_qname(resp.get()), sizeof text);
    r.question = text;
    r.size = out.size();
    if (resp->opt_rr != nullptr) {
        if (uint8_t* option = knot_edns_get_option(resp->opt_rr, KNOT_EDNS_OPTION_CLIENT_SUBNET, nullptr)) {
            knot_edns_client_subnet_t ecs{};
            if (knot_edns_client_subnet_parse(&ecs, knot_edns_opt_get_data(option), knot_edns_opt_get_length(option)) ==
                KNOT_EOK)
                r.ecs_scope = ecs.scope_len;
        }
    }
    r.answer = section_lines(resp.get(), KNOT_ANSWER);
    r.authority = section_lines(resp.get(), KNOT_AUTHORITY);
    r.additional = section_lines(resp.get(), KNOT_ADDITIONAL);
    return r;
}

}  // namespace patchbay::test
