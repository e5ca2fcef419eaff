// wire_write: big-endian integers appended to wire data held in a std::string (rdata,
// journal rows), the byte order of every DNS field (RFC 1035 §2.3.2).
#pragma once

#include <cstdint>
#include <string>

namespace patchbay {

inline void put_u16(std::string& out, uint16_t v) {
    out += static_cast<char>(v >> 8);
    out += static_cast<char>(v & 0xff);
}

inline void put_u32(std::string& out, uint32_t v) {
    put_u16(out, static_cast<uint16_t>(v >> 16));
    put_u16(out, static_cast<uint16_t>(v & 0xffff));
}

}  // namespace patchbay
