// The tuple of the seed: a service placed on a transport, address and port, with the
// SRV priority and weight that clients use to choose among its places (RFC 2782).
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "address.h"
#include "result.h"

namespace patchbay {

// What makes two tuples "the same placement": the agent starts or stops a unit only
// when this changes, so a new weight or priority restarts nothing.
struct TupleKey {
    std::string service;    // "http" (SRV "_http")
    std::string transport;  // "tcp"  (SRV "_tcp")
    Address address;
    uint16_t port = 0;

    auto operator<=>(const TupleKey&) const = default;
    // "http/tcp 10.10.10.121:80" — for logs and messages.
    std::string str() const;
};

struct Tuple {
    std::string domain;  // the zone the tuple is bound to, normalized
    TupleKey key;
    uint16_t priority = 1;
    uint16_t weight = 100;
    std::string target;  // explicit SRV target (absolute, no trailing dot); empty = derived

    auto operator<=>(const Tuple&) const = default;
};

// Builds a tuple from user text (named so that ADL never picks std::make_tuple), validating and normalizing every field.
// Errors name the field and the bad value.
Result<Tuple> parse_tuple(std::string_view domain, std::string_view service,
                         std::string_view transport, std::string_view address,
                         std::string_view port, std::string_view priority = "1",
                         std::string_view weight = "100", std::string_view target = "");

// Parses a decimal 0..65535 value named `what` (e.g. "port").
Result<uint16_t> parse_u16(std::string_view text, std::string_view what);

}  // namespace patchbay
