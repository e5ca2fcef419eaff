#include "notify.h"

#include <algorithm>
#include <memory>

extern "C" {
#include <libknot/libknot.h>
}

#include "dns_answer.h"

namespace patchbay {

namespace {

struct PacketFree {
    void operator()(knot_pkt_t* p) const { knot_pkt_free(p); }
};

// Header of the reply: id, opcode and RD of the request (RFC 1035 §4.1.1), QR set.
std::vector<uint8_t> reply_header(const uint8_t* wire, uint8_t rcode, bool authoritative,
                                  uint16_t qdcount) {
    std::vector<uint8_t> out(KNOT_WIRE_HEADER_SIZE, 0);
    out[0] = wire[0];
    out[1] = wire[1];
    out[2] = static_cast<uint8_t>(0x80 | (wire[2] & 0x78) | (wire[2] & 0x01));  // QR, opcode, RD
    if (authoritative) out[2] |= 0x04;
    out[3] = rcode & 0x0f;
    out[4] = static_cast<uint8_t>(qdcount >> 8);
    out[5] = static_cast<uint8_t>(qdcount & 0xff);
    return out;
}

NotifyOutcome with_question(const uint8_t* wire, size_t question_size, uint8_t rcode,
                            bool authoritative, std::string note) {
    NotifyOutcome out;
    out.reply = reply_header(wire, rcode, authoritative, 1);
    out.reply.insert(out.reply.end(), wire + KNOT_WIRE_HEADER_SIZE,
                     wire + KNOT_WIRE_HEADER_SIZE + question_size);
    out.note = std::move(note);
    return out;
}

}  // namespace

NotifyOutcome answer_notify(const uint8_t* wire, size_t size, const std::vector<std::string>& domains) {
    if (size < KNOT_WIRE_HEADER_SIZE) return {{}, std::nullopt, "dropped: shorter than a DNS header"};
    if (knot_wire_get_qr(wire)) return {{}, std::nullopt, "dropped: a response, not a request"};
    if (size > KNOT_WIRE_MAX_PKTSIZE) return {{}, std::nullopt, "dropped: oversized"};

    std::vector<uint8_t> copy(wire, wire + size);
    std::unique_ptr<knot_pkt_t, PacketFree> pkt(
        knot_pkt_new(copy.data(), static_cast<uint16_t>(copy.size()), nullptr));
    if (!pkt || knot_pkt_parse_question(pkt.get()) != KNOT_EOK ||
        knot_wire_get_qdcount(wire) != 1)
        return {reply_header(wire, KNOT_RCODE_FORMERR, false, 0), std::nullopt,
                "FORMERR: not exactly one well-formed question"};
    // The question as received (before libknot lower-cases anything), RFC 1996 §4.7.
    const size_t question_size = knot_pkt_question_size(pkt.get());
    const std::string zone = name_text(knot_pkt_qname(pkt.get()));

    if (knot_wire_get_opcode(wire) != KNOT_OPCODE_NOTIFY)
        return with_question(wire, question_size, KNOT_RCODE_REFUSED, false,
                             "REFUSED: opcode " + std::to_string(knot_wire_get_opcode(wire)) +
                                 " for " + zone + " (only NOTIFY is served here)");
    if (knot_pkt_qclass(pkt.get()) != KNOT_CLASS_IN || knot_pkt_qtype(pkt.get()) != KNOT_RRTYPE_SOA)
        return with_question(wire, question_size, KNOT_RCODE_FORMERR, false,
                             "FORMERR: NOTIFY for " + zone + " is not IN SOA");
    if (std::find(domains.begin(), domains.end(), zone) == domains.end())
        return with_question(wire, question_size, KNOT_RCODE_REFUSED, false,
                             "REFUSED: NOTIFY for " + zone + ", not one of our domains");
    auto out = with_question(wire, question_size, KNOT_RCODE_NOERROR, true, "NOTIFY for " + zone);
    out.refresh = zone;
    return out;
}

}  // namespace patchbay
