// The pure half of a refresh: SRV records plus the addresses of their targets become
// tuples, and SOA serials are compared the way DNS secondaries do (RFC 1982).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "address.h"
#include "tuple.h"

namespace patchbay {

// One SRV record (RFC 2782). `target` is lower-case without the trailing dot; the root
// name is "." ("the service is decidedly not available at this domain").
struct SrvRecord {
    uint16_t priority = 0;
    uint16_t weight = 0;
    uint16_t port = 0;
    std::string target;

    auto operator<=>(const SrvRecord&) const = default;
};

// The answer for `_SERVICE._TRANSPORT.DOMAIN`: empty records = no tuples (NXDOMAIN/NODATA).
struct SrvAnswer {
    std::string service;    // "http"
    std::string transport;  // "tcp"
    std::vector<SrvRecord> records;
};

// target name ⇒ its A and AAAA addresses (a target with none maps to an empty list).
using TargetAddresses = std::map<std::string, std::vector<Address>>;

// Every (SRV record × address of its target) as a tuple of `domain`, sorted by key.
// Records whose target is "." or port is 0 give no tuple; a target missing from
// `addresses` gives none either. When several records give the same key (service,
// transport, address, port), the lowest priority wins, then the highest weight.
std::vector<Tuple> tuples_from_srv(std::string_view domain, const std::vector<SrvAnswer>& answers,
                                   const TargetAddresses& addresses);

// The SRV owner name queried for a service on a transport: "_http._tcp.example.com".
std::string srv_name(std::string_view service, std::string_view transport, std::string_view domain);

// RFC 1982 §3.2 serial number arithmetic (SERIAL_BITS = 32). `undefined` is the pair
// exactly 2^31 apart, which the RFC leaves unordered.
enum class SerialOrder { lower, equal, higher, undefined };
SerialOrder compare_serial(uint32_t a, uint32_t b);

// True when a zone at `seen` may replace what was applied at `applied`: equal or newer.
inline bool serial_acceptable(uint32_t seen, uint32_t applied) {
    auto o = compare_serial(seen, applied);
    return o == SerialOrder::equal || o == SerialOrder::higher;
}

}  // namespace patchbay
