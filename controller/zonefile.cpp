#include "zonefile.h"

#include <algorithm>
#include <cctype>
#include <memory>

extern "C" {
#include <libzscanner/scanner.h>
}

#include "dname.h"
#include "domain.h"

namespace patchbay {

namespace {

// The scanner holds its rdata buffers inline (hundreds of KiB): on the heap, deinit'ed.
struct Scanner {
    Scanner() : s(std::make_unique<zs_scanner_t>()) {}
    ~Scanner() {
        if (initialized) zs_deinit(s.get());
    }
    std::unique_ptr<zs_scanner_t> s;
    bool initialized = false;
};

struct Located {
    Record record;
    uint64_t line;
};

// Directives are only recognised at the start of a line (RFC 1035 §5.1).
std::optional<uint64_t> include_line(std::string_view text) {
    uint64_t line = 1;
    size_t at = 0;
    while (at < text.size()) {
        constexpr std::string_view directive = "$include";
        bool match = text.size() - at >= directive.size();
        for (size_t i = 0; match && i < directive.size(); ++i)
            match = std::tolower(static_cast<unsigned char>(text[at + i])) == directive[i];
        if (match) return line;
        size_t nl = text.find('\n', at);
        if (nl == std::string_view::npos) break;
        at = nl + 1;
        ++line;
    }
    return std::nullopt;
}

uint32_t soa_serial(const std::string& rdata) {
    const auto* wire = reinterpret_cast<const uint8_t*>(rdata.data());
    size_t at = knot_dname_size(wire);
    at += knot_dname_size(wire + at);
    uint32_t serial = 0;
    for (size_t i = 0; i < 4 && at + i < rdata.size(); ++i) serial = (serial << 8) | wire[at + i];
    return serial;
}

}  // namespace

Result<ZoneFile> parse_zone_file(std::string_view text, const std::optional<std::string>& zone,
                                 std::string_view source) {
    auto where = [&](uint64_t line) { return std::string(source) + ":" + std::to_string(line) + ": "; };
    auto invalid = [&](uint64_t line, const std::string& what) { return fail(ErrorKind::invalid, where(line) + what); };
    if (auto line = include_line(text)) return invalid(*line, "$INCLUDE is not allowed (send one file)");

    std::optional<std::string> named;
    if (zone) {
        auto z = normalize_domain(*zone);
        if (!z) return fail(ErrorKind::invalid, "zone: " + z.error());
        named = *z;
    }
    Scanner scanner;
    std::string origin = named ? *named + "." : ".";
    if (zs_init(scanner.s.get(), origin.c_str(), KNOT_CLASS_IN, 3600) != 0)
        return fail(ErrorKind::internal, "cannot start the zone file parser");
    scanner.initialized = true;
    if (zs_set_input_string(scanner.s.get(), text.data(), text.size()) != 0)
        return fail(ErrorKind::internal, "cannot give the zone file to the parser");

    std::vector<Located> found;
    zs_scanner_t* s = scanner.s.get();
    while (zs_parse_record(s) == 0) {
        if (s->state == ZS_STATE_EOF || s->state == ZS_STATE_STOP) break;
        if (s->state == ZS_STATE_ERROR) return invalid(s->line_counter, zs_strerror(s->error.code));
        if (s->state == ZS_STATE_INCLUDE) return invalid(s->line_counter, "$INCLUDE is not allowed (send one file)");
        if (s->state != ZS_STATE_DATA) continue;
        Record r;
        r.owner.assign(reinterpret_cast<const char*>(s->r_owner), s->r_owner_length);
        knot_dname_to_lower(reinterpret_cast<knot_dname_t*>(r.owner.data()));
        r.type = s->r_type;
        r.ttl = s->r_ttl;
        r.rdata.assign(reinterpret_cast<const char*>(s->r_data), s->r_data_length);
        found.push_back({std::move(r), s->line_counter});
    }
    if (s->state == ZS_STATE_ERROR || s->error.code != ZS_OK) {
        return invalid(s->line_counter, std::string(zs_strerror(s->error.code)));
    }

    const Located* soa = nullptr;
    for (const auto& l : found) {
        if (l.record.type != KNOT_RRTYPE_SOA) continue;
        if (soa) return invalid(l.line, "a second SOA (the first is on line " + std::to_string(soa->line) + ")");
        soa = &l;
    }
    if (!soa) return fail(ErrorKind::invalid, std::string(source) + ": no SOA record (a zone file starts with one)");
    std::string apex_text = name_text(as_dname(soa->record.owner));
    auto apex_name = normalize_domain(apex_text);
    if (!apex_name) {
        if (!named && soa->record.owner.size() == 1)
            return invalid(soa->line, "the file does not name its zone ($ORIGIN or an absolute SOA owner): give the zone");
        return invalid(soa->line, "the SOA's owner is not a zone name: " + apex_name.error());
    }
    if (named && *apex_name != *named) return invalid(soa->line, "the SOA is for " + *apex_name + ", not " + *named);

    ZoneFile out;
    out.zone = *apex_name;
    out.serial = soa_serial(soa->record.rdata);
    for (auto& l : found) {
        if (&l == soa) continue;
        if (knot_dname_in_bailiwick(as_dname(l.record.owner), as_dname(soa->record.owner)) < 0)
            return invalid(l.line, name_text(as_dname(l.record.owner)) + " is outside the zone " + out.zone);
        if (l.record.type == KNOT_RRTYPE_SOA) continue;
        out.records.push_back(std::move(l.record));
    }
    return out;
}

std::string format_zone_file(const Zone& zone) {
    std::string out = "; zone " + zone.name() + ", serial " + std::to_string(zone.serial()) +
                      ", written by patchbay-controller\n$ORIGIN " + zone.name() + ".\n";
    out += rrset_text(zone.soa());
    // Canonical order (RFC 4034 §6.1): the apex first, each name's RRsets by type.
    std::vector<std::pair<const knot_dname_t*, const ZoneNode*>> nodes;
    for (const auto& [owner, node] : zone.nodes()) nodes.emplace_back(as_dname(owner), &node);
    std::sort(nodes.begin(), nodes.end(), [](auto& a, auto& b) { return knot_dname_cmp(a.first, b.first) < 0; });
    for (const auto& [owner, node] : nodes)
        for (const auto& rrset : node->rrsets)
            if (rrset->type != KNOT_RRTYPE_SOA) out += rrset_text(*rrset);
    return out;
}

}  // namespace patchbay
