// zone_diff: a walk over the union of both zones' owners and types, comparing rdata sets.
#include "zone_diff.h"

#include <cstdlib>
#include <map>
#include <set>
#include <stdexcept>

#include "wire_write.h"

namespace patchbay {

namespace {

RRsetPtr copy(const knot_rrset_t& rrset) {
    RRsetPtr out(knot_rrset_copy(&rrset, nullptr));
    if (!out) throw std::bad_alloc();
    return out;
}

// The records of `a` that `b` lacks (all of them when b is null), or null when none.
RRsetPtr minus(const knot_rrset_t* a, const knot_rrset_t* b) {
    if (a == nullptr) return nullptr;
    RRsetPtr out(knot_rrset_new(a->owner, a->type, a->rclass, a->ttl, nullptr));
    if (!out) throw std::bad_alloc();
    for (uint16_t i = 0; i < a->rrs.count; ++i) {
        const knot_rdata_t* rd = knot_rdataset_at(&a->rrs, i);
        if (b != nullptr && knot_rdataset_member(&b->rrs, rd)) continue;
        if (knot_rdataset_add(&out->rrs, rd, nullptr) != KNOT_EOK) throw std::bad_alloc();
    }
    return out->rrs.count == 0 ? nullptr : std::move(out);
}

// Reads big-endian integers off the front of a byte range; fails instead of overrunning.
struct Reader {
    std::string_view rest;
    bool take(size_t n, std::string_view& out) {
        if (rest.size() < n) return false;
        out = rest.substr(0, n);
        rest.remove_prefix(n);
        return true;
    }
    bool u16(uint16_t& v) {
        std::string_view b;
        if (!take(2, b)) return false;
        v = static_cast<uint16_t>((uint8_t(b[0]) << 8) | uint8_t(b[1]));
        return true;
    }
    bool u32(uint32_t& v) {
        uint16_t hi, lo;
        if (!u16(hi) || !u16(lo)) return false;
        v = (uint32_t{hi} << 16) | lo;
        return true;
    }
};

// SOA rdata: two names, then serial, refresh, retry, expire, minimum (RFC 1035 §3.3.13).
// Checked before knot_soa_serial reads it, since journal bytes come from disk.
bool soa_rdata_ok(const knot_rdata_t* rd) {
    const uint8_t* p = rd->data;
    const uint8_t* end = rd->data + rd->len;
    for (int name = 0; name < 2; ++name) {
        int len = knot_dname_wire_check(p, end, nullptr);
        if (len <= 0) return false;
        p += len;
    }
    return end - p == 20;
}

std::vector<const knot_rrset_t*> with_soa(const RRsetPtr& soa, const std::vector<RRsetPtr>& rest) {
    std::vector<const knot_rrset_t*> out{soa.get()};
    for (const auto& r : rest) out.push_back(r.get());
    return out;
}

void dump_into(std::vector<std::string>& lines, char sign, const knot_rrset_t& rrset) {
    knot_dump_style_t style = KNOT_DUMP_STYLE_DEFAULT;
    size_t size = 1024;  // knot_rrset_txt_dump grows it with realloc when short
    char* text = static_cast<char*>(std::malloc(size));
    int len = text ? knot_rrset_txt_dump(&rrset, &text, &size, &style) : -1;
    std::string all = len > 0 ? std::string(text, static_cast<size_t>(len)) : "";
    std::free(text);
    std::string line;
    for (char c : all) {
        if (c == '\n') {
            if (!line.empty()) lines.push_back(sign + line);
            line.clear();
        } else if (c == ' ' || c == '\t') {
            if (!line.empty() && line.back() != ' ') line += ' ';
        } else {
            line += c;
        }
    }
}

}  // namespace

std::shared_ptr<const ZoneDiff> diff_zones(const Zone& from, const Zone& to) {
    auto diff = std::make_shared<ZoneDiff>();
    diff->serial_from = from.serial();
    diff->serial_to = to.serial();
    diff->soa_from = copy(from.soa());
    diff->soa_to = copy(to.soa());

    // owner → types present on either side; std::map keeps the output order fixed.
    std::map<std::string_view, std::set<uint16_t>> owners;
    for (const Zone* z : {&from, &to})
        for (const auto& [owner, node] : z->nodes())
            for (const auto& rrset : node.rrsets)
                if (rrset->type != KNOT_RRTYPE_SOA) owners[owner].insert(rrset->type);

    for (const auto& [owner, types] : owners) {
        auto* name = reinterpret_cast<const knot_dname_t*>(owner.data());
        const ZoneNode* a = from.find(name);
        const ZoneNode* b = to.find(name);
        for (uint16_t type : types) {
            const knot_rrset_t* old_set = a ? a->find(type) : nullptr;
            const knot_rrset_t* new_set = b ? b->find(type) : nullptr;
            // A TTL change replaces the whole RRset (RFC 2181 §5.2: one TTL per RRset).
            bool same_ttl = old_set && new_set && old_set->ttl == new_set->ttl;
            if (auto r = minus(old_set, same_ttl ? new_set : nullptr)) diff->removed.push_back(std::move(r));
            if (auto r = minus(new_set, same_ttl ? old_set : nullptr)) diff->added.push_back(std::move(r));
        }
    }
    for (const auto* list : {&diff->removed, &diff->added})
        for (const auto& r : *list) diff->wire_size += knot_rrset_size(r.get());
    diff->wire_size += knot_rrset_size(diff->soa_from.get()) + knot_rrset_size(diff->soa_to.get());
    return diff;
}

std::vector<std::string> ZoneDiff::dump() const {
    std::vector<std::string> lines;
    for (const auto& r : removed) dump_into(lines, '-', *r);
    for (const auto& r : added) dump_into(lines, '+', *r);
    return lines;
}

std::string encode_rrsets(const std::vector<const knot_rrset_t*>& rrsets) {
    std::string out;
    for (const knot_rrset_t* r : rrsets) {
        out.append(reinterpret_cast<const char*>(r->owner), knot_dname_size(r->owner));
        put_u16(out, r->type);
        put_u16(out, r->rclass);
        put_u32(out, r->ttl);
        put_u16(out, r->rrs.count);
        for (uint16_t i = 0; i < r->rrs.count; ++i) {
            const knot_rdata_t* rd = knot_rdataset_at(&r->rrs, i);
            put_u16(out, rd->len);
            out.append(reinterpret_cast<const char*>(rd->data), rd->len);
        }
    }
    return out;
}

Result<std::vector<RRsetPtr>> decode_rrsets(std::string_view bytes) {
    std::vector<RRsetPtr> out;
    Reader in{bytes};
    for (size_t n = 1; !in.rest.empty(); ++n) {
        auto* start = reinterpret_cast<const uint8_t*>(in.rest.data());
        int owner_len = knot_dname_wire_check(start, start + in.rest.size(), nullptr);
        if (owner_len <= 0) return fail("journal record " + std::to_string(n) + " is malformed");
        std::string_view owner;
        in.take(static_cast<size_t>(owner_len), owner);
        uint16_t type, rclass, count;
        uint32_t ttl;
        if (!in.u16(type) || !in.u16(rclass) || !in.u32(ttl) || !in.u16(count)) {
            return fail("journal record " + std::to_string(n) + " is truncated");
        }
        RRsetPtr rrset(knot_rrset_new(reinterpret_cast<const knot_dname_t*>(owner.data()), type, rclass, ttl, nullptr));
        if (!rrset) throw std::bad_alloc();
        for (uint16_t i = 0; i < count; ++i) {
            uint16_t len;
            std::string_view data;
            if (!in.u16(len) || !in.take(len, data)) {
                return fail("journal record " + std::to_string(n) + " is truncated");
            }
            if (knot_rrset_add_rdata(rrset.get(), reinterpret_cast<const uint8_t*>(data.data()), len, nullptr) !=
                KNOT_EOK) {
                throw std::bad_alloc();
            }
        }
        out.push_back(std::move(rrset));
    }
    return out;
}

std::string encode_removed(const ZoneDiff& diff) { return encode_rrsets(with_soa(diff.soa_from, diff.removed)); }
std::string encode_added(const ZoneDiff& diff) { return encode_rrsets(with_soa(diff.soa_to, diff.added)); }

Result<std::shared_ptr<const ZoneDiff>> decode_diff(std::string_view removed, std::string_view added) {
    auto old_part = decode_rrsets(removed);
    if (!old_part) return old_part.failure();
    auto new_part = decode_rrsets(added);
    if (!new_part) return new_part.failure();
    for (auto* part : {&*old_part, &*new_part}) {
        if (part->empty() || part->front()->type != KNOT_RRTYPE_SOA || part->front()->rrs.count != 1 ||
            !soa_rdata_ok(part->front()->rrs.rdata)) {
            return fail("journal diff has no SOA first");
        }
    }
    auto diff = std::make_shared<ZoneDiff>();
    diff->soa_from = std::move(old_part->front());
    diff->soa_to = std::move(new_part->front());
    diff->serial_from = knot_soa_serial(diff->soa_from->rrs.rdata);
    diff->serial_to = knot_soa_serial(diff->soa_to->rrs.rdata);
    diff->removed.assign(std::make_move_iterator(old_part->begin() + 1), std::make_move_iterator(old_part->end()));
    diff->added.assign(std::make_move_iterator(new_part->begin() + 1), std::make_move_iterator(new_part->end()));
    diff->wire_size = removed.size() + added.size();
    return std::shared_ptr<const ZoneDiff>(std::move(diff));
}

}  // namespace patchbay
