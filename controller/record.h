// record: one resource record that is not derived from a tuple (MX, TXT, CNAME, …), as
// the store keeps it and the zone builder serves it: wire form, so nothing is lost or
// reinterpreted between a zone file, the database and the answer.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>

namespace patchbay {

struct Record {
    std::string owner;  // lower-case wire form
    uint16_t type = 0;
    uint32_t ttl = 0;
    std::string rdata;  // wire form, names uncompressed, as written

    // An RR's identity is owner, type and rdata (RFC 2181 §5: the TTL belongs to the RRset).
    bool same_rr(const Record& o) const { return owner == o.owner && type == o.type && rdata == o.rdata; }
    friend bool operator<(const Record& a, const Record& b) {
        return std::tie(a.owner, a.type, a.rdata) < std::tie(b.owner, b.type, b.rdata);
    }
    friend bool operator==(const Record& a, const Record& b) { return a.same_rr(b) && a.ttl == b.ttl; }
};

}  // namespace patchbay
