// acl: who may do what to which zone — Knot-style access lists for zone transfers and
// (later) RFC 2136 UPDATE. Pure: the caller has checked the request's TSIG already and
// passes the name of the key it was validly signed with.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "address.h"
#include "result.h"

namespace patchbay {

// An address block: 10.0.0.0/8, 2001:db8::/32; a bare address is a /32 or /128.
struct Prefix {
    Address address;  // host bits cleared
    unsigned length = 0;
    bool operator==(const Prefix&) const = default;  // settings.h compares rules and servers

    // Errors: "not an address or prefix: 'TEXT'", "prefix length N is over 32|128".
    static Result<Prefix> parse(std::string_view text);
    bool contains(const Address& a) const;
    std::string str() const;
};

// 32 for IPv4, 128 for IPv6.
inline unsigned family_bits(Family f) { return f == Family::v4 ? 32 : 128; }
// `a` with every bit past the first `length` cleared.
Address clear_host_bits(Address a, unsigned length);
// Whether `a` is an IPv4 address mapped into IPv6 (::ffff:a.b.c.d).
bool is_mapped(const Address& a);
// ::ffff:a.b.c.d as the IPv4 address it stands for; any other address as it is.
Address unmapped(const Address& a);

enum class AclAction { transfer, update };

// Parses "transfer" or "update". Errors: "unknown action 'X' (expected transfer, update)".
Result<AclAction> parse_acl_action(std::string_view text);

// One rule. Each field that is set must match; an unset one matches anything.
struct AclEntry {
    AclAction action = AclAction::transfer;
    std::vector<Prefix> addresses;   // empty: any source
    std::optional<std::string> key;  // set: the request must be signed with this key
    std::vector<std::string> zones;  // normalized names; empty: every zone
};

// True when one entry of `acls` allows `action` on `zone` (normalized, no trailing dot)
// from `source`, for a request validly signed with `key` (nullopt: unsigned). An IPv4
// address mapped into IPv6 (::ffff:a.b.c.d) matches IPv4 prefixes. No entry: false.
bool acl_allows(const std::vector<AclEntry>& acls, AclAction action, const Address& source,
                const std::optional<std::string>& key, std::string_view zone);

}  // namespace patchbay
