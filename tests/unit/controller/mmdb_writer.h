// Test helper: writes a small MaxMind DB (format 2.0, https://maxmind.github.io/MaxMind-DB/)
// — Debian has readers only (libmaxminddb, mmdblookup, python3-maxminddb). Enough for
// GeoIP2-Country-like data: each network's record is a map with country.iso_code,
// registered_country.iso_code and continent.code (each only when given).
//
// Layout: the binary search tree (node_count nodes of two records each, 24 or 28 bits a
// record), 16 zero bytes, the data section, then "\xAB\xCD\xEFMaxMind.com" and the
// metadata map. A record is a node number (< node_count), node_count for "no data", or
// node_count + 16 + an offset into the data section.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "acl.h"

namespace patchbay::test {

struct MmdbNetwork {
    std::string prefix;  // "192.0.2.0/24", "2001:db8::/32"; IPv4 ones go under ::/96 in an IPv6 tree
    std::string country;             // country.iso_code, or "" for none
    std::string continent;           // continent.code
    std::string registered_country;  // registered_country.iso_code
};

namespace mmdb_detail {

enum Type : uint8_t { pointer = 1, utf8 = 2, uint16 = 5, uint32 = 6, map = 7, uint64 = 9, array = 11 };

inline void control(std::vector<uint8_t>& out, uint8_t type, size_t size) {
    if (size >= 29 + 256) throw std::invalid_argument("mmdb_writer: value too large");
    uint8_t size_bits = size < 29 ? static_cast<uint8_t>(size) : 29;
    if (type <= 7) {
        out.push_back(static_cast<uint8_t>(type << 5 | size_bits));
    } else {  // extended type: type 0 in the control byte, type - 7 in the next
        out.push_back(size_bits);
        out.push_back(static_cast<uint8_t>(type - 7));
    }
    if (size >= 29) out.push_back(static_cast<uint8_t>(size - 29));
}

inline void string(std::vector<uint8_t>& out, const std::string& s) {
    control(out, utf8, s.size());
    out.insert(out.end(), s.begin(), s.end());
}

inline void unsigned_int(std::vector<uint8_t>& out, uint8_t type, uint64_t value) {
    std::vector<uint8_t> bytes;
    for (; value != 0; value >>= 8) bytes.insert(bytes.begin(), static_cast<uint8_t>(value & 0xff));
    control(out, type, bytes.size());
    out.insert(out.end(), bytes.begin(), bytes.end());
}

// {"KEY": {"SUBKEY": "VALUE"}}'s pair, written into a map.
inline void nested(std::vector<uint8_t>& out, const std::string& key, const std::string& subkey,
                   const std::string& value) {
    string(out, key);
    control(out, map, 1);
    string(out, subkey);
    string(out, value);
}

inline std::vector<uint8_t> record_data(const MmdbNetwork& n) {
    std::vector<uint8_t> out;
    size_t pairs = !n.country.empty() + !n.continent.empty() + !n.registered_country.empty();
    control(out, map, pairs);
    if (!n.continent.empty()) nested(out, "continent", "code", n.continent);
    if (!n.country.empty()) nested(out, "country", "iso_code", n.country);
    if (!n.registered_country.empty()) nested(out, "registered_country", "iso_code", n.registered_country);
    return out;
}

struct Record {
    enum Kind : uint8_t { empty, node, data } kind = empty;
    uint32_t value = 0;  // node number or data index
};

}  // namespace mmdb_detail

// The bytes of a MaxMind DB holding `networks` (a longer network inside a shorter one
// overrides it there). ip_version 4 or 6; record_size 24 or 28.
inline std::vector<uint8_t> mmdb_bytes(const std::vector<MmdbNetwork>& networks, int ip_version = 6,
                                       int record_size = 24) {
    using namespace mmdb_detail;
    if ((ip_version != 4 && ip_version != 6) || (record_size != 24 && record_size != 28)) {
        throw std::invalid_argument("mmdb_writer: ip_version 4|6, record_size 24|28");
    }
    struct Entry {
        std::array<uint8_t, 16> bits{};
        unsigned length = 0;
        size_t data = 0;
    };
    std::vector<Entry> entries;
    for (size_t i = 0; i < networks.size(); ++i) {
        auto prefix = Prefix::parse(networks[i].prefix);
        if (!prefix) throw std::invalid_argument(prefix.error());
        Entry e;
        e.data = i;
        e.length = prefix->length;
        if (prefix->address.family == Family::v4 && ip_version == 6) {
            std::copy_n(prefix->address.bytes.begin(), 4, e.bits.begin() + 12);  // ::a.b.c.d/96+n
            e.length += 96;
        } else if (prefix->address.family == Family::v6 && ip_version == 4) {
            throw std::invalid_argument("mmdb_writer: an IPv6 network in an IPv4 tree");
        } else {
            e.bits = prefix->address.bytes;
        }
        if (e.length == 0) throw std::invalid_argument("mmdb_writer: a /0 network");
        entries.push_back(e);
    }
    // Shorter first, so a longer network splits the record of the shorter one.
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.length < b.length; });

    std::vector<std::array<Record, 2>> nodes(1);
    for (const Entry& e : entries) {
        uint32_t node = 0;
        for (unsigned bit = 0; bit < e.length; ++bit) {
            int side = (e.bits[bit / 8] >> (7 - bit % 8)) & 1;
            Record& r = nodes[node][side];
            if (bit + 1 == e.length) {
                r = {Record::data, static_cast<uint32_t>(e.data)};
                break;
            }
            if (r.kind != Record::node) {
                Record inherited = r;  // "no data" or a shorter network's data, kept below
                auto next = static_cast<uint32_t>(nodes.size());
                nodes.push_back({inherited, inherited});
                nodes[node][side] = {Record::node, next};  // `r` may dangle after push_back
            }
            node = nodes[node][side].value;
        }
    }

    std::vector<uint8_t> data;
    std::vector<uint32_t> offsets;
    for (const MmdbNetwork& n : networks) {
        offsets.push_back(static_cast<uint32_t>(data.size()));
        auto bytes = record_data(n);
        data.insert(data.end(), bytes.begin(), bytes.end());
    }

    auto node_count = static_cast<uint32_t>(nodes.size());
    auto value_of = [&](const Record& r) -> uint32_t {
        switch (r.kind) {
            case Record::node: return r.value;
            case Record::data: return node_count + 16 + offsets[r.value];
            case Record::empty: break;
        }
        return node_count;
    };
    std::vector<uint8_t> out;
    for (const auto& n : nodes) {
        uint32_t left = value_of(n[0]), right = value_of(n[1]);
        if (record_size == 24) {
            for (uint32_t v : {left, right}) {
                out.push_back(static_cast<uint8_t>(v >> 16));
                out.push_back(static_cast<uint8_t>(v >> 8));
                out.push_back(static_cast<uint8_t>(v));
            }
        } else {  // 28: the middle byte holds the top nibbles, left's high
            out.push_back(static_cast<uint8_t>(left >> 16));
            out.push_back(static_cast<uint8_t>(left >> 8));
            out.push_back(static_cast<uint8_t>(left));
            out.push_back(static_cast<uint8_t>(((left >> 24) & 0x0f) << 4 | ((right >> 24) & 0x0f)));
            out.push_back(static_cast<uint8_t>(right >> 16));
            out.push_back(static_cast<uint8_t>(right >> 8));
            out.push_back(static_cast<uint8_t>(right));
        }
    }
    out.insert(out.end(), 16, 0);
    out.insert(out.end(), data.begin(), data.end());

    static const char marker[] = "\xAB\xCD\xEFMaxMind.com";
    out.insert(out.end(), marker, marker + sizeof marker - 1);
    control(out, map, 9);
    string(out, "binary_format_major_version");
    unsigned_int(out, uint16, 2);
    string(out, "binary_format_minor_version");
    unsigned_int(out, uint16, 0);
    string(out, "build_epoch");
    unsigned_int(out, uint64, 1700000000);
    string(out, "database_type");
    string(out, "patchbay-Test-Country");
    string(out, "description");
    control(out, map, 1);
    string(out, "en");
    string(out, "patchbay unit test data");
    string(out, "ip_version");
    unsigned_int(out, uint16, static_cast<uint64_t>(ip_version));
    string(out, "languages");
    control(out, array, 1);
    string(out, "en");
    string(out, "node_count");
    unsigned_int(out, uint32, node_count);
    string(out, "record_size");
    unsigned_int(out, uint16, static_cast<uint64_t>(record_size));
    return out;
}

// Writes mmdb_bytes(...) to `path`.
inline void write_mmdb(const std::string& path, const std::vector<MmdbNetwork>& networks, int ip_version = 6,
                       int record_size = 24) {
    auto bytes = mmdb_bytes(networks, ip_version, record_size);
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!file) throw std::runtime_error("cannot write " + path);
}

}  // namespace patchbay::test
