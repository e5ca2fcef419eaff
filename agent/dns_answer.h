// Reads the records a refresh needs (SOA serial, SRV, A, AAAA) from the answer section
// of a DNS response, with libknot's wire parser. Pure: bytes in, values out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "address.h"
#include "result.h"
#include "snapshot.h"

namespace patchbay {

struct SoaRecord {
    std::string owner;  // lower-case, no trailing dot
    uint32_t serial = 0;
};

struct DnsAnswer {
    uint8_t rcode = 0;
    std::vector<SoaRecord> soa;
    std::vector<SrvRecord> srv;
    std::vector<Address> addresses;  // A and AAAA, in answer order
};

// Errors: "malformed DNS response: REASON".
Result<DnsAnswer> parse_answer(const uint8_t* wire, size_t size);

// A wire-format name as text: lower-case, no trailing dot, "." for the root.
std::string name_text(const uint8_t* dname);

}  // namespace patchbay
