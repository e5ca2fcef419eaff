// zone_text: records are read one by one with libzscanner, grouped by (owner, type) in
// sorted maps, then moved into zone nodes; empty non-terminals complete the tree.
#include "zone_text.h"

#include <cctype>
#include <map>
#include <new>
#include <string>

extern "C" {
#include <libknot/rrtype/soa.h>
#include <libzscanner/scanner.h>
}

namespace patchbay {

namespace {

// The scanner is a large struct (several 64 KiB buffers): on the heap, deinitialized once
// zs_init succeeded.
struct ScannerFree {
    void operator()(zs_scanner_t* scanner) const {
        zs_deinit(scanner);
        delete scanner;
    }
};
using ScannerPtr = std::unique_ptr<zs_scanner_t, ScannerFree>;

std::string wire_key(const knot_dname_t* name) {
    return std::string(reinterpret_cast<const char*>(name), knot_dname_size(name));
}

// owner (lower-case wire) → type → RRset.
using Records = std::map<std::string, std::map<uint16_t, RRsetPtr>>;

Result<void> add_record(Records& records, const zs_scanner_t& s, const knot_dname_t* apex) {
    knot_dname_storage_t owner;
    knot_dname_copy_lower(owner, s.r_owner);
    if (s.r_class != KNOT_CLASS_IN) {
        return fail("line " + std::to_string(s.line_counter) + ": class other than IN");
    }
    if (knot_dname_in_bailiwick(owner, apex) < 0) {
        return fail("line " + std::to_string(s.line_counter) + ": record outside the zone");
    }
    auto& rrset = records[wire_key(owner)][s.r_type];
    if (!rrset) {
        rrset.reset(knot_rrset_new(owner, s.r_type, KNOT_CLASS_IN, s.r_ttl, nullptr));
        if (!rrset) throw std::bad_alloc();
    }
    if (knot_rrset_add_rdata(rrset.get(), s.r_data, static_cast<uint16_t>(s.r_data_length), nullptr) !=
        KNOT_EOK) {
        throw std::bad_alloc();
    }
    return {};
}

Result<Records> scan(std::string_view text, const std::string& origin, const knot_dname_t* apex) {
    ScannerPtr scanner;
    {
        auto* raw = new zs_scanner_t{};
        if (zs_init(raw, origin.c_str(), KNOT_CLASS_IN, 3600) != 0) {
            delete raw;
            return fail("cannot start the zone scanner");
        }
        scanner.reset(raw);
    }
    zs_scanner_t& s = *scanner;
    if (zs_set_input_string(&s, text.data(), text.size()) != 0) return fail("cannot read the zone text");

    Records records;
    while (true) {
        int ret = zs_parse_record(&s);
        if (ret != 0 || s.state == ZS_STATE_ERROR) {
            return fail("line " + std::to_string(s.line_counter) + ": " + zs_strerror(s.error.code));
        }
        if (s.state == ZS_STATE_EOF || s.state == ZS_STATE_STOP) break;
        if (s.state == ZS_STATE_INCLUDE) return fail("$INCLUDE is not allowed");
        if (s.state != ZS_STATE_DATA) continue;
        if (auto added = add_record(records, s, apex); !added) return added.failure();
    }
    return records;
}

}  // namespace

Result<std::shared_ptr<const Zone>> zone_from_text(std::string_view name, std::string_view text) {
    std::string zone(name);
    if (!zone.empty() && zone.back() == '.') zone.pop_back();
    for (char& c : zone) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string origin = zone + ".";
    knot_dname_storage_t apex;
    if (zone.empty() || knot_dname_from_str(apex, origin.c_str(), sizeof apex) == nullptr) {
        return fail("not a zone name: " + std::string(name));
    }
    knot_dname_to_lower(apex);

    auto records = scan(text, origin, apex);
    if (!records) return records.failure();

    ZoneNodes nodes;
    for (auto& [owner, types] : *records) {
        auto& node = nodes[owner];
        for (auto& [type, rrset] : types) node.rrsets.push_back(std::move(rrset));  // sorted by type
    }
    // Every name between an owner and the apex exists (RFC 8020 §2).
    std::string apex_key = wire_key(apex);
    for (const auto& [owner, types] : *records) {
        std::string_view up = owner;
        while (up.size() > apex_key.size()) {
            up.remove_prefix(static_cast<size_t>(static_cast<uint8_t>(up[0])) + 1);
            nodes.try_emplace(std::string(up));
        }
    }
    auto apex_node = nodes.find(apex_key);
    const knot_rrset_t* soa = apex_node == nodes.end() ? nullptr : apex_node->second.find(KNOT_RRTYPE_SOA);
    if (soa == nullptr) return fail("no SOA at the apex of " + zone);
    uint32_t serial = knot_soa_serial(soa->rrs.rdata);
    return std::shared_ptr<const Zone>(std::make_shared<const Zone>(zone, serial, std::move(nodes)));
}

}  // namespace patchbay
