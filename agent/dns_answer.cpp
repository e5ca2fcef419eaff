#include "dns_answer.h"

#include <algorithm>
#include <cctype>
#include <memory>

extern "C" {
#include <libknot/libknot.h>
}

namespace patchbay {

namespace {

struct PacketFree {
    void operator()(knot_pkt_t* p) const { knot_pkt_free(p); }
};

}  // namespace

std::string name_text(const uint8_t* dname) {
    char buf[KNOT_DNAME_TXT_MAXLEN + 1] = {};
    if (!knot_dname_to_str(buf, dname, sizeof buf)) return "";
    std::string out(buf);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (out.size() > 1 && out.back() == '.') out.pop_back();
    return out;
}

Result<DnsAnswer> parse_answer(const uint8_t* wire, size_t size) {
    if (size < KNOT_WIRE_HEADER_SIZE || size > KNOT_WIRE_MAX_PKTSIZE)
        return fail("malformed DNS response: " + std::to_string(size) + " bytes");
    // libknot parses in place; give it a private copy so the caller's buffer stays const.
    std::vector<uint8_t> copy(wire, wire + size);
    std::unique_ptr<knot_pkt_t, PacketFree> pkt(
        knot_pkt_new(copy.data(), static_cast<uint16_t>(copy.size()), nullptr));
    if (!pkt) return fail("malformed DNS response: out of memory");
    if (int r = knot_pkt_parse(pkt.get(), 0); r != KNOT_EOK)
        return fail(std::string("malformed DNS response: ") + knot_strerror(r));

    DnsAnswer out;
    out.rcode = knot_wire_get_rcode(copy.data());
    const knot_pktsection_t* answer = knot_pkt_section(pkt.get(), KNOT_ANSWER);
    for (uint16_t i = 0; i < answer->count; ++i) {
        const knot_rrset_t* rr = knot_pkt_rr(answer, i);
        if (rr->rclass != KNOT_CLASS_IN) continue;
        for (uint16_t j = 0; j < rr->rrs.count; ++j) {
            const knot_rdata_t* rd = knot_rdataset_at(&rr->rrs, j);
            switch (rr->type) {
            case KNOT_RRTYPE_SOA:
                out.soa.push_back({name_text(rr->owner), knot_soa_serial(rd)});
                break;
            case KNOT_RRTYPE_SRV:
                if (rd->len < 7) return fail("malformed DNS response: short SRV record");
                out.srv.push_back({knot_wire_read_u16(rd->data), knot_wire_read_u16(rd->data + 2),
                                   knot_wire_read_u16(rd->data + 4), name_text(knot_srv_name(rd))});
                break;
            case KNOT_RRTYPE_A:
            case KNOT_RRTYPE_AAAA: {
                size_t want = rr->type == KNOT_RRTYPE_A ? 4 : 16;
                if (rd->len != want) return fail("malformed DNS response: bad address length");
                Address a;
                a.family = want == 4 ? Family::v4 : Family::v6;
                std::copy(rd->data, rd->data + want, a.bytes.begin());
                out.addresses.push_back(a);
                break;
            }
            default:
                break;  // CNAMEs of a chain and anything else: not what we asked for
            }
        }
    }
    return out;
}

}  // namespace patchbay
