// response: the libknot packet writer with the OPT reserved up front, so adding records
// can never push out the records that must close the message.
#include "response.h"

#include <stdexcept>

#include "answer.h"

namespace patchbay {

ResponseMessage::ResponseMessage(std::vector<uint8_t>& out, const knot_pkt_t& query, size_t limit, size_t tsig_room)
    : out_(out) {
    knot_rrset_init_empty(&opt_);
    out_.resize(limit);
    pkt_ = knot_pkt_new(out_.data(), static_cast<uint16_t>(limit), nullptr);
    if (pkt_ == nullptr) throw std::bad_alloc();
    if (knot_pkt_init_response(pkt_, &query) != KNOT_EOK) {
        knot_pkt_free(pkt_);
        throw std::runtime_error("cannot start a response");
    }
    edns_ = query.opt_rr != nullptr;
    if (edns_) {
        if (knot_edns_init(&opt_, edns_udp_size, 0, KNOT_EDNS_VERSION, nullptr) != KNOT_EOK) {
            knot_pkt_free(pkt_);
            throw std::bad_alloc();
        }
        if (knot_edns_do(query.opt_rr)) knot_edns_set_do(&opt_);
    }
    size_t reserve = tsig_room + (edns_ ? knot_edns_wire_size(&opt_) : 0);
    if (knot_pkt_reserve(pkt_, static_cast<uint16_t>(reserve)) != KNOT_EOK) {
        knot_rrset_clear(&opt_, nullptr);
        knot_pkt_free(pkt_);
        throw std::runtime_error("no room for OPT and TSIG");
    }
    knot_pkt_begin(pkt_, KNOT_ANSWER);
}

ResponseMessage::~ResponseMessage() {
    knot_rrset_clear(&opt_, nullptr);
    knot_pkt_free(pkt_);
}

bool ResponseMessage::put_answer(const knot_rrset_t& rrset) {
    return knot_pkt_put(pkt_, KNOT_COMPR_HINT_NONE, &rrset, KNOT_PF_NOTRUNC) == KNOT_EOK;
}

uint16_t ResponseMessage::answer_count() const { return knot_wire_get_ancount(pkt_->wire); }

void ResponseMessage::finish(uint16_t rcode, bool authoritative, bool truncated) {
    knot_wire_clear_aa(pkt_->wire);
    if (authoritative) knot_wire_set_aa(pkt_->wire);
    knot_wire_clear_tc(pkt_->wire);
    if (truncated) knot_wire_set_tc(pkt_->wire);
    knot_wire_set_rcode(pkt_->wire, KNOT_EDNS_RCODE_LO(rcode));
    if (edns_) {
        knot_edns_set_ext_rcode(&opt_, static_cast<uint8_t>(KNOT_EDNS_RCODE_HI(rcode)));
        knot_pkt_reclaim(pkt_, static_cast<uint16_t>(knot_edns_wire_size(&opt_)));
        knot_pkt_begin(pkt_, KNOT_ADDITIONAL);
        if (knot_pkt_put(pkt_, KNOT_COMPR_HINT_NONE, &opt_, KNOT_PF_NOTRUNC) != KNOT_EOK) {
            throw std::runtime_error("no room for the reserved OPT record");
        }
    }
    out_.resize(pkt_->size);
}

}  // namespace patchbay
