// transfer: plans are lists of RRset pointers; the stream fills each message with as many
// whole RRsets as fit (RRsets larger than a message were split into pieces when planned).
#include "transfer.h"

#include <cstring>
#include <stdexcept>

#include "response.h"

namespace patchbay {

namespace {

struct PktFree {
    void operator()(knot_pkt_t* pkt) const { knot_pkt_free(pkt); }
};

// RRsets up to this size go whole; bigger ones (thousands of SRV records on one name)
// are cut into pieces of about `piece_size`, so every piece fits an empty message.
constexpr size_t whole_limit = 32768;
constexpr size_t piece_size = 16384;

void add(TransferPlan& plan, const knot_rrset_t* rrset) {
    if (knot_rrset_size(rrset) <= whole_limit) {
        plan.rrsets.push_back(rrset);
        return;
    }
    RRsetPtr piece;
    size_t bytes = 0;
    auto flush = [&] {
        if (!piece) return;
        plan.rrsets.push_back(piece.get());
        plan.pieces.push_back(std::move(piece));
    };
    for (uint16_t i = 0; i < rrset->rrs.count; ++i) {
        if (!piece || bytes > piece_size) {
            flush();
            piece.reset(knot_rrset_new(rrset->owner, rrset->type, rrset->rclass, rrset->ttl, nullptr));
            if (!piece) throw std::bad_alloc();
            bytes = 0;
        }
        const knot_rdata_t* rd = knot_rdataset_at(&rrset->rrs, i);
        if (knot_rrset_add_rdata(piece.get(), rd->data, rd->len, nullptr) != KNOT_EOK) throw std::bad_alloc();
        bytes += knot_dname_size(rrset->owner) + 10 + rd->len;
    }
    flush();
}

}  // namespace

bool serial_newer(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) > 0; }

TransferPlan plan_axfr(std::shared_ptr<const Zone> zone) {
    TransferPlan plan;
    plan.kind = TransferPlan::Kind::full;
    const knot_rrset_t* soa = &zone->soa();
    plan.rrsets.push_back(soa);
    for (const auto& [owner, node] : zone->nodes())
        for (const auto& rrset : node.rrsets)
            if (rrset->type != KNOT_RRTYPE_SOA) add(plan, rrset.get());
    plan.rrsets.push_back(soa);
    plan.zone = std::move(zone);
    return plan;
}

TransferPlan plan_ixfr(std::shared_ptr<const Zone> zone, std::shared_ptr<const Journal> journal,
                       uint32_t client_serial) {
    uint32_t current = zone->serial();
    if (client_serial == current || serial_newer(client_serial, current)) {
        TransferPlan plan;
        plan.kind = TransferPlan::Kind::soa_only;  // RFC 1995 §2: up to date
        plan.rrsets.push_back(&zone->soa());
        plan.zone = std::move(zone);
        return plan;
    }
    const ZoneJournal* history = journal ? journal->find(zone->name()) : nullptr;
    auto chain = history ? journal_chain(*history, client_serial, current) : std::nullopt;
    if (!chain) return plan_axfr(std::move(zone));  // RFC 1995 §4: the full zone instead

    TransferPlan plan;
    plan.kind = TransferPlan::Kind::incremental;
    plan.rrsets.push_back(&zone->soa());
    for (const ZoneDiff* d : *chain) {
        plan.rrsets.push_back(d->soa_from.get());
        for (const auto& r : d->removed) add(plan, r.get());
        plan.rrsets.push_back(d->soa_to.get());
        for (const auto& r : d->added) add(plan, r.get());
    }
    plan.rrsets.push_back(&zone->soa());
    plan.zone = std::move(zone);
    plan.journal = std::move(journal);
    return plan;
}

std::optional<uint32_t> ixfr_client_serial(const knot_pkt_t& query) {
    const knot_pktsection_t* authority = knot_pkt_section(&query, KNOT_AUTHORITY);
    if (authority == nullptr || authority->count < 1) return std::nullopt;
    const knot_rrset_t* rr = knot_pkt_rr(authority, 0);
    // libknot's parser has checked the SOA rdata's layout, so the serial is there.
    if (rr == nullptr || rr->type != KNOT_RRTYPE_SOA || rr->rrs.count < 1) return std::nullopt;
    return knot_soa_serial(rr->rrs.rdata);
}

TransferStream::TransferStream(const uint8_t* query, size_t len, TransferPlan plan, size_t limit,
                               std::optional<TsigSigner> signer)
    : query_wire_(query, query + len), plan_(std::move(plan)), limit_(limit), signer_(std::move(signer)) {
    query_ = knot_pkt_new(query_wire_.data(), static_cast<uint16_t>(query_wire_.size()), nullptr);
    if (query_ == nullptr) throw std::bad_alloc();
    if (knot_pkt_parse(query_, 0) != KNOT_EOK) {
        knot_pkt_free(query_);
        throw std::invalid_argument("a transfer needs a query that parses");
    }
}

TransferStream::~TransferStream() { knot_pkt_free(query_); }

bool TransferStream::next(std::vector<uint8_t>& out) {
    if (done_) return false;
    size_t tsig_room = signer_ ? signer_->key().wire_size() : 0;
    bool ok = false;
    {
        ResponseMessage msg(out, *query_, limit_, tsig_room);
        size_t start = cursor_;
        while (cursor_ < plan_.rrsets.size() && msg.put_answer(*plan_.rrsets[cursor_])) ++cursor_;
        ok = cursor_ > start || plan_.rrsets.empty();
        if (ok) msg.finish(KNOT_RCODE_NOERROR, true);
    }
    if (!ok) {  // an RRset that fits no message: end the transfer with an error
        ResponseMessage msg(out, *query_, limit_, tsig_room);
        msg.finish(KNOT_RCODE_SERVFAIL, false);
        cursor_ = plan_.rrsets.size();
    }
    done_ = cursor_ >= plan_.rrsets.size();
    if (signer_ && !signer_->sign(out, limit_)) done_ = true;  // unsigned: the client rejects it
    return true;
}

bool TransferStream::fits_one_message() {
    std::vector<uint8_t> scratch;
    ResponseMessage msg(scratch, *query_, limit_, signer_ ? signer_->key().wire_size() : 0);
    for (const auto* rrset : plan_.rrsets)
        if (!msg.put_answer(*rrset)) return false;
    return true;
}

}  // namespace patchbay
