// An IPv4 or IPv6 address as a value: parsed once, compared bytewise, printed canonically.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "result.h"

struct sockaddr;

namespace patchbay {

enum class Family : uint8_t { v4 = 4, v6 = 6 };

struct Address {
    Family family = Family::v4;
    std::array<uint8_t, 16> bytes{};  // v4 uses the first 4

    // Parses dotted-quad IPv4 or RFC 4291 IPv6 text (no brackets, no zone id).
    // Errors: "not an IP address: TEXT".
    static Result<Address> parse(std::string_view text);
    // From a sockaddr_in / sockaddr_in6; other families give an error.
    static Result<Address> from_sockaddr(const sockaddr* sa);

    // Canonical text (RFC 5952 for IPv6).
    std::string str() const;
    size_t size() const { return family == Family::v4 ? 4 : 16; }

    auto operator<=>(const Address&) const = default;
};

// "ADDR:PORT" or "[V6]:PORT" (the forms of --dns-listen, resolvers, notify_listen).
struct Endpoint {
    Address address;
    uint16_t port = 0;

    // Errors name the text and what is wrong with it.
    static Result<Endpoint> parse(std::string_view text);
    std::string str() const;
    auto operator<=>(const Endpoint&) const = default;
};

}  // namespace patchbay
