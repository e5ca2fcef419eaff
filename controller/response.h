// response: one response message under construction over a caller's buffer — header and
// question from the query, room kept for the OPT and TSIG records that close it. Used by
// the paths that answer more than plain queries (zone transfers, TSIG-signed requests).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

extern "C" {
#include <libknot/libknot.h>
}

#include "result.h"

namespace patchbay {

class ResponseMessage {
public:
    // Starts the response to `query` (parsed) in `out`, which may grow to `limit` bytes;
    // `tsig_room` bytes stay free for a TSIG record signed after finish(). The OPT of a
    // query with EDNS is echoed (our payload size, its DO bit). Throws std::bad_alloc, or
    // std::runtime_error when the query cannot start a response.
    ResponseMessage(std::vector<uint8_t>& out, const knot_pkt_t& query, size_t limit, size_t tsig_room);
    ~ResponseMessage();
    ResponseMessage(const ResponseMessage&) = delete;
    ResponseMessage& operator=(const ResponseMessage&) = delete;

    // Adds `rrset` to the answer section. False when it does not fit (nothing added).
    bool put_answer(const knot_rrset_t& rrset);
    // Records in the answer section so far.
    uint16_t answer_count() const;
    // Sets the rcode (and AA, TC), adds the OPT, and shrinks `out` to the message.
    void finish(uint16_t rcode, bool authoritative, bool truncated = false);

private:
    std::vector<uint8_t>& out_;
    knot_pkt_t* pkt_ = nullptr;
    knot_rrset_t opt_{};
    bool edns_ = false;
};

}  // namespace patchbay
