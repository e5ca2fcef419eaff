// Hand-built DNS messages for the agent's tests (RFC 1035 §4.1), so expectations are
// bytes a reader can check against the RFC, not the output of the code under test.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace patchbay::test {

struct Wire {
    std::vector<uint8_t> bytes;

    Wire& u8(uint8_t v) {
        bytes.push_back(v);
        return *this;
    }
    Wire& u16(uint16_t v) { return u8(static_cast<uint8_t>(v >> 8)).u8(static_cast<uint8_t>(v)); }
    Wire& u32(uint32_t v) { return u16(static_cast<uint16_t>(v >> 16)).u16(static_cast<uint16_t>(v)); }
    Wire& name(const std::string& dotted) {  // "a.b" ⇒ 1a1b0; "" ⇒ root
        size_t at = 0;
        while (at < dotted.size()) {
            size_t dot = dotted.find('.', at);
            if (dot == std::string::npos) dot = dotted.size();
            u8(static_cast<uint8_t>(dot - at));
            for (size_t i = at; i < dot; ++i) u8(static_cast<uint8_t>(dotted[i]));
            at = dot + 1;
        }
        return u8(0);
    }
    // id, flags (QR|opcode|AA|TC|RD / RA|Z|RCODE as one 16-bit word), counts
    Wire& header(uint16_t id, uint16_t flags, uint16_t qd, uint16_t an = 0, uint16_t ns = 0, uint16_t ar = 0) {
        return u16(id).u16(flags).u16(qd).u16(an).u16(ns).u16(ar);
    }
    Wire& question(const std::string& qname, uint16_t qtype, uint16_t qclass = 1) {
        return name(qname).u16(qtype).u16(qclass);
    }
    // An RR whose rdata the caller writes next with `rdata_len` bytes.
    Wire& rr(const std::string& owner, uint16_t type, uint16_t rdata_len, uint32_t ttl = 60) {
        return name(owner).u16(type).u16(1).u32(ttl).u16(rdata_len);
    }
    Wire& raw(std::initializer_list<uint8_t> list) {
        bytes.insert(bytes.end(), list);
        return *this;
    }
};

constexpr uint16_t kTypeA = 1, kTypeSoa = 6, kTypeAaaa = 28, kTypeSrv = 33;
constexpr uint16_t kOpNotify = 4 << 11, kQr = 0x8000, kAa = 0x0400, kRd = 0x0100;

// Length of a name in uncompressed wire form.
inline uint16_t name_len(const std::string& dotted) {
    return static_cast<uint16_t>(dotted.empty() ? 1 : dotted.size() + 2);
}

}  // namespace patchbay::test
