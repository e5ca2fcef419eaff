// geo: which of an account's regions a querier is in (issue 5, docs/policies.md), and
// for how wide a network that answer holds — the SCOPE PREFIX-LENGTH of an ECS answer
// (RFC 7871 §7.2.1). Built once per settings snapshot; locate() is a pure read, safe to
// call from many threads at once (the MaxMind DB is mapped read-only; since 1.3.1,
// libmaxminddb finds the IPv4 start node at open, so a lookup writes nothing to MMDB_s;
// Debian 12 has 1.7.1).
//
// How a querier (the ECS address and source prefix, else the query's source address at
// /32 or /128) is located, first that decides:
// 1. The network table: the longest prefix over every region's `networks` that holds
//    the address (IPv4 and IPv6 apart; an IPv4-mapped IPv6 address ::ffff:a.b.c.d, in a
//    querier or a network, counts as the IPv4 address). On a tie, the first in the file.
// 2. The MaxMind DB ([geo] maxmind_db): the country (country.iso_code, else
//    registered_country.iso_code) and continent (continent.code) of the address; the
//    first region listing the country, else the first listing the continent.
// 3. [geo] default_region when set, else no region.
//
// Scope: the shortest prefix of the querier's address inside which every address is
// located the same way, capped at the source prefix (a longer scope means no more to a
// resolver than the source one, RFC 7871 §7.3.1):
//   table hit N/n  → n, or one bit past where the address parts from a longer
//                    network inside N/n, so the scope never covers a network that
//                    answers otherwise (10.0.0.0/8 eu and 10.1.0.0/16 us: 10.2.3.4 is
//                    eu for 10.2.0.0/15, not for 10.0.0.0/8);
//   no table hit   → one bit past the longest common prefix with any table network of
//                    the family (0 with none), or more: the netmask MaxMind reports
//                    for the address (found or not; IPv4 in an IPv6 DB: minus 96);
//   IPv4-mapped    → the IPv4 scope plus 96.
// The scope errs long, never short: a longer network of the same region splits it too.
// An ECS subnet is located by its address with the host bits zero, so a /16 whose first
// address lies in a /24 of another region is placed there (with scope 16: a resolver
// cannot be told better, RFC 7871 §7.3.1).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acl.h"
#include "address.h"
#include "result.h"
#include "settings.h"

struct MMDB_s;

namespace patchbay {

enum class LocatedBy : uint8_t {
    table,              // a region's network holds the address
    maxmind_country,    // a region lists the country MaxMind gives
    maxmind_continent,  // … the continent
    default_region,     // nothing decided: [geo] default_region
    nothing,            // nothing decided and no default: no region
};

struct Located {
    std::optional<std::string_view> region;  // a region name; valid as long as the locator
    uint8_t scope = 0;                       // SCOPE PREFIX-LENGTH, in the querier's family
    LocatedBy by = LocatedBy::nothing;
    Prefix network;         // by table: the network that matched
    std::string country;    // what MaxMind said, "" when it was not asked or said nothing
    std::string continent;

    // One line for `explain`: "192.0.2.0/24 → eu (table)", "DE → eu (maxmind)",
    // "DE in EU → eu (maxmind)", "no region (default eu)", "US in NA: no region".
    std::string explain() const;
};

class RegionLocator {
public:
    // The locator of `settings`' regions and [geo]; opens the MaxMind DB when one is set
    // (mmap, read-only). Error: "cannot open MaxMind DB PATH: REASON" (libmaxminddb's
    // reason, with the system's for I/O errors).
    static Result<RegionLocator> create(const AccountSettings& settings);

    // Where `querier` is, `source_prefix` bits of it known (host bits past it are
    // ignored; over 32|128 counts as 32|128). Never fails: a MaxMind lookup error counts
    // as "MaxMind said nothing" with the scope at the source prefix.
    Located locate(const Address& querier, uint8_t source_prefix) const;

    bool has_maxmind() const { return mmdb_ != nullptr; }

    RegionLocator(RegionLocator&&) noexcept;
    RegionLocator& operator=(RegionLocator&&) noexcept;
    ~RegionLocator();

private:
    RegionLocator() = default;

    struct Network {
        Prefix prefix;  // IPv4-mapped ones as IPv4
        size_t region = 0;
    };
    struct MaxMindAnswer;
    struct CloseMmdb {
        void operator()(MMDB_s* db) const;
    };

    MaxMindAnswer ask_maxmind(const Address& address, unsigned source_bits) const;

    std::vector<std::string> names_;        // regions in file order
    std::vector<Network> v4_, v6_;          // longest first, file order on ties
    std::map<std::string, size_t, std::less<>> by_country_, by_continent_;
    std::optional<size_t> default_;
    std::unique_ptr<MMDB_s, CloseMmdb> mmdb_;
};

}  // namespace patchbay
