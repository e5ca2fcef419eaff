// transfer: outgoing zone transfers — AXFR (RFC 5936) and IXFR (RFC 1995) — as a plan
// (the RRsets to send, in order, with what keeps them alive) and a stream that packs the
// plan into as many messages as it needs, each TSIG-signed when the request was. Pure
// over immutable snapshots; the DNS server pulls messages as its output buffer drains.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "journal.h"
#include "tsig.h"
#include "zone.h"

namespace patchbay {

// What a transfer sends. The RRset pointers point into `zone` and `journal`, or into
// `pieces` (RRsets too large for one message, split by record).
struct TransferPlan {
    enum class Kind { soa_only, incremental, full };
    Kind kind = Kind::full;
    std::shared_ptr<const Zone> zone;
    std::shared_ptr<const Journal> journal;
    std::vector<const knot_rrset_t*> rrsets;
    std::vector<RRsetPtr> pieces;
};

// RFC 5936 §2.2: the SOA, every other RRset of the zone, the SOA again.
TransferPlan plan_axfr(std::shared_ptr<const Zone> zone);

// RFC 1995 §4 for a client at `client_serial`: just the current SOA when the client is
// current or ahead (RFC 1982 comparison); the journal's diffs client → current when it
// has them (current SOA, then per diff old SOA, removals, new SOA, additions, then the
// current SOA); otherwise the whole zone in AXFR form, which §4 allows. `journal` may
// be null.
TransferPlan plan_ixfr(std::shared_ptr<const Zone> zone, std::shared_ptr<const Journal> journal,
                       uint32_t client_serial);

// The messages of one transfer response.
class TransferStream {
public:
    // `query` is the request's wire (copied); `limit` the largest message (65535 over
    // TCP); `signer` set when the request was validly signed.
    TransferStream(const uint8_t* query, size_t len, TransferPlan plan, size_t limit,
                   std::optional<TsigSigner> signer);
    ~TransferStream();
    TransferStream(const TransferStream&) = delete;
    TransferStream& operator=(const TransferStream&) = delete;

    // Writes the next message into `out`; false when every message was written. A message
    // that cannot be built (an RRset that fits no message) ends the stream with SERVFAIL.
    bool next(std::vector<uint8_t>& out);
    bool done() const { return done_; }
    // The plan's RRsets fit a single message of `limit` bytes (UDP IXFR, RFC 1995 §2).
    bool fits_one_message();

private:
    std::vector<uint8_t> query_wire_;
    knot_pkt_t* query_ = nullptr;
    TransferPlan plan_;
    size_t limit_;
    std::optional<TsigSigner> signer_;
    size_t cursor_ = 0;
    bool done_ = false;
};

// The serial in the SOA of an IXFR request's authority section (RFC 1995 §3), or nullopt.
std::optional<uint32_t> ixfr_client_serial(const knot_pkt_t& query);

// a is newer than b in RFC 1982 serial arithmetic.
bool serial_newer(uint32_t a, uint32_t b);

}  // namespace patchbay
