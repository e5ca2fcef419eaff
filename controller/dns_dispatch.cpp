// dns_dispatch: the common path (a plain query, unsigned) is recognised from the header
// and a walk over the record headers, without parsing, and goes straight to answer();
// only zone transfers and signed requests pay for a full parse here.
#include "dns_dispatch.h"

#include <algorithm>
#include <optional>

#include "response.h"

namespace patchbay {

namespace {

struct PktFree {
    void operator()(knot_pkt_t* pkt) const { knot_pkt_free(pkt); }
};
using PktPtr = std::unique_ptr<knot_pkt_t, PktFree>;

// The qtype of a message with one question, or 0.
uint16_t peek_qtype(const uint8_t* wire, size_t len) {
    if (knot_wire_get_qdcount(wire) != 1) return 0;
    const uint8_t* q = wire + KNOT_WIRE_HEADER_SIZE;
    int n = knot_dname_wire_check(q, wire + len, nullptr);
    if (n <= 0 || KNOT_WIRE_HEADER_SIZE + static_cast<size_t>(n) + 4 > len) return 0;
    return knot_wire_read_u16(q + n);
}

// True when the message's last record is a TSIG (RFC 8945 §5.1 puts it last). Walks the
// record headers only; anything malformed gives false, and answer() then says FORMERR.
bool last_record_is_tsig(const uint8_t* wire, size_t len) {
    if (knot_wire_get_arcount(wire) == 0) return false;
    size_t pos = KNOT_WIRE_HEADER_SIZE;
    auto skip_name = [&]() {
        int n = knot_dname_wire_check(wire + pos, wire + len, wire);
        if (n <= 0) return false;
        pos += static_cast<size_t>(n);
        return true;
    };
    for (unsigned i = 0; i < knot_wire_get_qdcount(wire); ++i) {
        if (!skip_name() || pos + 4 > len) return false;
        pos += 4;
    }
    size_t records = size_t{knot_wire_get_ancount(wire)} + knot_wire_get_nscount(wire) + knot_wire_get_arcount(wire);
    uint16_t type = 0;
    for (size_t i = 0; i < records; ++i) {
        if (!skip_name() || pos + 10 > len) return false;
        type = knot_wire_read_u16(wire + pos);
        pos += 10 + knot_wire_read_u16(wire + pos + 8);
        if (pos > len) return false;
    }
    return type == KNOT_RRTYPE_TSIG;
}

// The size a response may take: RFC 6891 §6.2.5 over UDP, a whole message over TCP.
size_t size_limit(const knot_pkt_t& query, Transport transport) {
    if (transport == Transport::tcp) return KNOT_WIRE_MAX_PKTSIZE;
    if (query.opt_rr == nullptr) return KNOT_WIRE_MIN_PKTSIZE;
    return std::clamp<size_t>(knot_edns_get_payload(query.opt_rr), KNOT_WIRE_MIN_PKTSIZE, edns_udp_size);
}

// Everything one special request needs on its way through.
struct Special {
    const DnsPolicy& policy;
    const ZoneSet& zones;
    const JournalSource& journal;
    const DnsRequest& request;
    const knot_pkt_t& query;
    size_t limit;
    std::optional<TsigSigner> signer;  // the request was validly signed
    DnsView view = DnsView::assignment;
    const PolicyView* mappings = nullptr;
};

// The client view's per-query inputs, or nullptr in the assignment view.
const ClientQuery* client_query(DnsView view, const PolicyView* mappings, const DnsRequest& request,
                                std::optional<std::string> key, ClientQuery& storage) {
    if (view != DnsView::client || mappings == nullptr) return nullptr;
    storage = ClientQuery{mappings, request.source.address, std::move(key)};
    return &storage;
}

// A response without records (an error, or TC for AXFR over UDP), signed when due.
bool reply(Special& s, std::vector<uint8_t>& out, uint16_t rcode, bool authoritative, bool truncated = false) {
    {
        ResponseMessage msg(out, s.query, s.limit, s.signer ? s.signer->key().wire_size() : 0);
        msg.finish(rcode, authoritative, truncated);
    }
    if (s.signer) (void)s.signer->sign(out, s.limit);  // unsigned if it fails: the client rejects it
    return true;
}

bool respond_transfer(Special& s, std::vector<uint8_t>& out, std::unique_ptr<TransferStream>& more) {
    const knot_pkt_t& query = s.query;
    if (s.view == DnsView::client) return reply(s, out, KNOT_RCODE_REFUSED, false);
    if (knot_pkt_qclass(&query) != KNOT_CLASS_IN) return reply(s, out, KNOT_RCODE_REFUSED, false);
    const knot_dname_t* qname = knot_pkt_qname(&query);  // lower case
    const Zone* found = s.zones.find(qname);
    if (found == nullptr || !knot_dname_is_equal(found->apex(), qname)) {
        return reply(s, out, KNOT_RCODE_NOTAUTH, false);  // RFC 5936 §2.2.1: not a zone we serve
    }
    std::optional<std::string> key;
    if (s.signer) key = s.signer->key().name();
    if (!acl_allows(s.policy.acl, AclAction::transfer, s.request.source.address, key, found->name())) {
        return reply(s, out, KNOT_RCODE_REFUSED, false);
    }
    std::shared_ptr<const Zone> zone;
    for (const auto& z : s.zones.zones())
        if (z.get() == found) zone = z;

    bool udp = s.request.transport == Transport::udp;
    TransferPlan plan;
    if (knot_pkt_qtype(&query) == KNOT_RRTYPE_AXFR) {
        if (udp) return reply(s, out, KNOT_RCODE_NOERROR, true, true);
        plan = plan_axfr(zone);
    } else {
        auto serial = ixfr_client_serial(query);
        if (!serial) return reply(s, out, KNOT_RCODE_FORMERR, false);  // RFC 1995 §3: the SOA is required
        plan = plan_ixfr(zone, s.journal ? s.journal() : nullptr, *serial);
    }
    auto signer = s.signer;  // a copy: the UDP fallback below starts signing afresh
    auto stream = std::make_unique<TransferStream>(s.request.wire, s.request.len, std::move(plan), s.limit,
                                                   std::move(signer));
    if (udp && !stream->fits_one_message()) {
        // RFC 1995 §2: too big for UDP — the current SOA only, and the client comes over TCP.
        stream = std::make_unique<TransferStream>(s.request.wire, s.request.len,
                                                  plan_ixfr(zone, nullptr, zone->serial()), s.limit, s.signer);
    }
    stream->next(out);
    if (!udp && !stream->done()) more = std::move(stream);
    return true;
}

bool respond_special(const DnsPolicy& policy, const ZoneSet& zones, const JournalSource& journal,
                     const DnsRequest& request, DnsView view, const PolicyView* mappings, bool transfer,
                     std::vector<uint8_t>& out, std::unique_ptr<TransferStream>& more) {
    std::vector<uint8_t> copy(request.wire, request.wire + request.len);  // the parser rewrites it
    PktPtr query(knot_pkt_new(copy.data(), static_cast<uint16_t>(copy.size()), nullptr));
    if (!query) throw std::bad_alloc();
    if (knot_pkt_parse(query.get(), 0) != KNOT_EOK || query->qname_size == 0) {
        return answer(zones, request.wire, request.len, request.transport, out);  // FORMERR
    }
    Special s{policy, zones, journal, request, *query, size_limit(*query, request.transport), std::nullopt, view,
              mappings};
    TsigCheck check = tsig_verify(*query, policy.keys);
    if (check.signed_request && check.error != 0) {
        {
            ResponseMessage msg(out, *query, s.limit, 0);
            msg.finish(KNOT_RCODE_NOTAUTH, false);
        }
        (void)tsig_error_response(out, s.limit, check);  // failing that, NOTAUTH alone says enough
        return true;
    }
    if (check.ok()) s.signer.emplace(check.key, check.request_mac);
    if (transfer) return respond_transfer(s, out, more);

    // A signed ordinary query: answered like any other, then signed (RFC 8945 §5.3).
    size_t room = s.signer->key().wire_size();
    ClientQuery storage;
    const ClientQuery* client = client_query(view, mappings, request, s.signer->key().name(), storage);
    if (!answer(zones, request.wire, request.len, request.transport, out, room, client)) return false;
    (void)s.signer->sign(out, out.size() + room);
    return true;
}

}  // namespace

bool respond(const DnsPolicy& policy, const ZoneSet& zones, const JournalSource& journal, const DnsRequest& request,
             std::vector<uint8_t>& out, std::unique_ptr<TransferStream>& more) {
    return respond(policy, zones, journal, request, DnsView::assignment, out, more);
}

bool respond(const DnsPolicy& policy, const ZoneSet& zones, const JournalSource& journal, const DnsRequest& request,
             DnsView view, std::vector<uint8_t>& out, std::unique_ptr<TransferStream>& more,
             const PolicyView* mappings) {
    const uint8_t* wire = request.wire;
    if (wire == nullptr || request.len < KNOT_WIRE_HEADER_SIZE || request.len > KNOT_WIRE_MAX_PKTSIZE ||
        knot_wire_get_qr(wire)) {
        return false;
    }
    try {
        uint8_t opcode = knot_wire_get_opcode(wire);
        if (opcode == KNOT_OPCODE_UPDATE && policy.update) return policy.update(request, out);
        uint16_t qtype = peek_qtype(wire, request.len);
        bool transfer = opcode == KNOT_OPCODE_QUERY && (qtype == KNOT_RRTYPE_AXFR || qtype == KNOT_RRTYPE_IXFR);
        if (!transfer && !last_record_is_tsig(wire, request.len)) {
            ClientQuery storage;
            return answer(zones, wire, request.len, request.transport, out, 0,
                          client_query(view, mappings, request, std::nullopt, storage));
        }
        return respond_special(policy, zones, journal, request, view, mappings, transfer, out, more);
    } catch (...) {
        more.reset();
        header_only_response(wire, KNOT_RCODE_SERVFAIL, out);
        return true;
    }
}

}  // namespace patchbay
