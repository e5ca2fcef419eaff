// answer: the query path as a short pipeline, its order written once in respond():
//   parse → checks (opcode, format, EDNS version, question) → zone lookup → resolve
//   → finish (rcode, AA, OPT; truncation happens as RRsets stop fitting).
// Every check returns either "go on" or the rcode that ends the query; error rcodes all
// reach finish() the same way, so one place shapes every error response.
#include "answer.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <variant>

#include "ecs.h"
#include "policy_view.h"
#include "resolve.h"

namespace patchbay {

namespace {

struct PktFree {
    void operator()(knot_pkt_t* pkt) const { knot_pkt_free(pkt); }
};
using PktPtr = std::unique_ptr<knot_pkt_t, PktFree>;

// Our OPT record; knot_edns_init allocates its owner and rdata.
class OptRecord {
public:
    OptRecord() { knot_rrset_init_empty(&rr_); }
    ~OptRecord() { knot_rrset_clear(&rr_, nullptr); }
    OptRecord(const OptRecord&) = delete;
    OptRecord& operator=(const OptRecord&) = delete;
    knot_rrset_t* get() { return &rr_; }

private:
    knot_rrset_t rr_;
};

// What the stages learn about a query.
struct Request {
    knot_pkt_t* query = nullptr;
    int parse_error = KNOT_EOK;
    bool edns = false;       // carried a well-formed OPT: the response gets one too
    bool dnssec_ok = false;  // its DO bit, copied back (RFC 3225 §3)
    size_t size_limit = 0;   // bytes the response may take
};

// Where the pipeline ended: an error rcode, or the zone that answers.
using Verdict = std::variant<uint16_t, const Zone*>;

// What resolving produced.
struct Outcome {
    uint16_t rcode = KNOT_RCODE_NOERROR;  // may be an extended rcode (> 15)
    bool authoritative = false;
};

// RFC 6891 §6.2.5: below 512 counts as 512; above our size counts as ours.
size_t size_limit(const knot_pkt_t* query, bool edns, Transport transport) {
    if (transport == Transport::tcp) return KNOT_WIRE_MAX_PKTSIZE;
    if (!edns) return KNOT_WIRE_MIN_PKTSIZE;
    size_t asked = knot_edns_get_payload(query->opt_rr);
    return std::clamp<size_t>(asked, KNOT_WIRE_MIN_PKTSIZE, edns_udp_size);
}

// RFC 6891 §6.1.2: an OPT is owned by the root. knot_pkt_parse checks the options fit
// (KNOT_EMALF) but accepts any owner.
bool opt_owner_is_root(const knot_rrset_t& opt) {
    return opt.owner != nullptr && opt.owner[0] == 0;
}

// --- checks: each returns nullopt to go on, or the rcode that ends the query ---------

std::optional<uint16_t> check_opcode(const Request& req) {
    if (knot_wire_get_opcode(req.query->wire) != KNOT_OPCODE_QUERY) return KNOT_RCODE_NOTIMPL;
    return std::nullopt;
}

std::optional<uint16_t> check_format(const Request& req) {
    // RFC 1035 §4.1.2 allows several questions; in practice exactly one (RFC 9619).
    if (req.parse_error != KNOT_EOK || req.query->qname_size == 0) return KNOT_RCODE_FORMERR;
    return std::nullopt;
}

std::optional<uint16_t> check_edns(const Request& req) {
    if (req.edns && knot_edns_get_version(req.query->opt_rr) != KNOT_EDNS_VERSION) {
        return KNOT_RCODE_BADVERS;  // RFC 6891 §6.1.3
    }
    return std::nullopt;
}

std::optional<uint16_t> check_question(const Request& req) {
    if (knot_pkt_qclass(req.query) != KNOT_CLASS_IN) return KNOT_RCODE_REFUSED;
    switch (knot_pkt_qtype(req.query)) {
    case KNOT_RRTYPE_AXFR:
    case KNOT_RRTYPE_IXFR:
        return KNOT_RCODE_REFUSED;  // zone transfers come with a later issue
    case KNOT_RRTYPE_OPT:
    case KNOT_RRTYPE_TSIG:
    case KNOT_RRTYPE_TKEY:
        return KNOT_RCODE_FORMERR;  // meta types only valid in other sections (RFC 6895 §3.1)
    case 253:                       // MAILB
    case 254:                       // MAILA
        return KNOT_RCODE_NOTIMPL;
    default:
        return std::nullopt;
    }
}

Verdict check(const ZoneSet& zones, const Request& req) {
    for (auto stage : {check_opcode, check_format, check_edns, check_question}) {
        if (auto rcode = stage(req)) return *rcode;
    }
    const Zone* zone = zones.find(knot_pkt_qname(req.query));
    if (zone == nullptr) return uint16_t{KNOT_RCODE_REFUSED};  // not ours: no referral
    return zone;
}

// --- the pipeline --------------------------------------------------------------------

// Error rcodes are decided before resolve() puts any record, so an error response holds
// the question (when it parsed) and at most the OPT.
void finish(knot_pkt_t* resp, const Request& req, const Outcome& outcome, OptRecord& opt) {
    knot_wire_clear_aa(resp->wire);
    if (outcome.authoritative) knot_wire_set_aa(resp->wire);
    knot_wire_set_rcode(resp->wire, KNOT_EDNS_RCODE_LO(outcome.rcode));
    if (!req.edns) return;
    knot_edns_set_ext_rcode(opt.get(), static_cast<uint8_t>(KNOT_EDNS_RCODE_HI(outcome.rcode)));
    knot_pkt_reclaim(resp, static_cast<uint16_t>(knot_edns_wire_size(opt.get())));
    knot_pkt_begin(resp, KNOT_ADDITIONAL);
    if (knot_pkt_put(resp, KNOT_COMPR_HINT_NONE, opt.get(), KNOT_PF_NOTRUNC) != KNOT_EOK) {
        throw std::runtime_error("no room for the reserved OPT record");
    }
}

bool respond(const ZoneSet& zones, const uint8_t* wire, size_t len, Transport transport,
             std::vector<uint8_t>& out, size_t reserve, const ClientQuery* client) {
    // libknot parses in place and may touch the query's header: work on a copy.
    std::array<uint8_t, KNOT_WIRE_MAX_PKTSIZE> copy;
    std::memcpy(copy.data(), wire, len);
    PktPtr query(knot_pkt_new(copy.data(), static_cast<uint16_t>(len), nullptr));
    if (!query) throw std::bad_alloc();

    Request req;
    req.query = query.get();
    req.parse_error = knot_pkt_parse(query.get(), 0);
    if (req.parse_error == KNOT_EOK && query->opt_rr != nullptr && !opt_owner_is_root(*query->opt_rr)) {
        req.parse_error = KNOT_EMALF;  // FORMERR, answered without an OPT we cannot trust
    }
    req.edns = req.parse_error == KNOT_EOK && knot_pkt_has_edns(query.get());
    req.dnssec_ok = req.edns && knot_pkt_has_dnssec(query.get());
    req.size_limit = size_limit(query.get(), req.edns, transport);

    out.resize(req.size_limit);
    PktPtr resp(knot_pkt_new(out.data(), static_cast<uint16_t>(out.size()), nullptr));
    if (!resp) throw std::bad_alloc();
    if (knot_pkt_init_response(resp.get(), query.get()) != KNOT_EOK) {
        throw std::runtime_error("cannot start a response");
    }
    if (reserve > 0 && knot_pkt_reserve(resp.get(), static_cast<uint16_t>(reserve)) != KNOT_EOK) {
        throw std::runtime_error("no room for the TSIG record");
    }

    // The client view reads EDNS Client Subnet (RFC 7871); its response echoes the
    // option, with the scope set once the answer is known.
    std::optional<ClientSubnet> subnet;
    bool bad_subnet = false;
    if (client != nullptr && req.edns) {
        auto found = client_subnet(query.get());
        bad_subnet = !found;
        if (found) subnet = *found;
    }

    OptRecord opt;
    if (req.edns) {
        if (knot_edns_init(opt.get(), edns_udp_size, 0, KNOT_EDNS_VERSION, nullptr) != KNOT_EOK) {
            throw std::bad_alloc();
        }
        if (req.dnssec_ok) knot_edns_set_do(opt.get());
        if (subnet && put_client_subnet(opt.get(), *subnet, 0) != KNOT_EOK) throw std::bad_alloc();
        knot_pkt_reserve(resp.get(), static_cast<uint16_t>(knot_edns_wire_size(opt.get())));
    }

    Verdict verdict = check(zones, req);
    if (bad_subnet && std::holds_alternative<const Zone*>(verdict)) verdict = uint16_t{KNOT_RCODE_FORMERR};
    Outcome outcome;
    if (auto* zone = std::get_if<const Zone*>(&verdict)) {
        std::optional<Querier> querier;
        std::optional<PolicyOverride> mapper;
        if (client != nullptr && client->policies != nullptr && client->policies->zone((*zone)->name()) != nullptr) {
            querier.emplace(Querier{client->source, client->key, std::nullopt, 0});
            if (subnet) {
                querier->subnet = subnet->address;
                querier->subnet_prefix = subnet->source_prefix;
            }
            mapper.emplace(*client->policies, *querier);
        }
        Resolution resolution = resolve(resp.get(), **zone, knot_pkt_qname(req.query), knot_pkt_qtype(req.query),
                                        mapper ? &*mapper : nullptr);
        outcome = {resolution.rcode, resolution.authoritative};
        if (subnet && mapper && mapper->mapped()) (void)set_client_subnet_scope(opt.get(), mapper->scope());
    } else {
        outcome = {std::get<uint16_t>(verdict), false};
    }
    finish(resp.get(), req, outcome, opt);
    out.resize(resp->size);
    return true;
}

}  // namespace

void header_only_response(const uint8_t* query, uint16_t rcode, std::vector<uint8_t>& out) {
    out.assign(query, query + KNOT_WIRE_HEADER_SIZE);
    knot_wire_set_qr(out.data());
    knot_wire_clear_aa(out.data());
    knot_wire_clear_tc(out.data());
    knot_wire_clear_ra(out.data());
    knot_wire_set_rcode(out.data(), rcode);
    knot_wire_set_qdcount(out.data(), 0);
    knot_wire_set_ancount(out.data(), 0);
    knot_wire_set_nscount(out.data(), 0);
    knot_wire_set_arcount(out.data(), 0);
}

bool answer(const ZoneSet& zones, const uint8_t* query, size_t len, Transport transport,
            std::vector<uint8_t>& out, size_t reserve, const ClientQuery* client) {
    // RFC 1035 §4.1.1: no header, nothing to answer; never answer a response (loops).
    if (query == nullptr || len < KNOT_WIRE_HEADER_SIZE || len > KNOT_WIRE_MAX_PKTSIZE ||
        knot_wire_get_qr(query)) {
        return false;
    }
    try {
        return respond(zones, query, len, transport, out, reserve, client);
    } catch (...) {
        header_only_response(query, KNOT_RCODE_SERVFAIL, out);
        return true;
    }
}

}  // namespace patchbay
