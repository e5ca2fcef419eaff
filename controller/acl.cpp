// acl: prefix parsing and the first-match-allows rule.
#include "acl.h"

#include <algorithm>
#include <charconv>

namespace patchbay {

namespace {

bool entry_matches(const AclEntry& e, AclAction action, const Address& source,
                   const std::optional<std::string>& key, std::string_view zone) {
    if (e.action != action) return false;
    if (!e.addresses.empty() &&
        std::none_of(e.addresses.begin(), e.addresses.end(), [&](const Prefix& p) { return p.contains(source); })) {
        return false;
    }
    if (e.key && (!key || *key != *e.key)) return false;
    if (!e.zones.empty() && std::find(e.zones.begin(), e.zones.end(), zone) == e.zones.end()) return false;
    return true;
}

}  // namespace

bool is_mapped(const Address& a) {
    static constexpr uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return a.family == Family::v6 && std::equal(prefix, prefix + 12, a.bytes.begin());
}

Address unmapped(const Address& a) {
    if (!is_mapped(a)) return a;
    Address v4;
    v4.family = Family::v4;
    std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.bytes.begin());
    return v4;
}

Address clear_host_bits(Address a, unsigned length) {
    for (size_t i = 0; i < a.size(); ++i) {
        unsigned bit = static_cast<unsigned>(i) * 8;
        if (bit >= length) {
            a.bytes[i] = 0;
        } else if (length - bit < 8) {
            a.bytes[i] &= static_cast<uint8_t>(0xff << (8 - (length - bit)));
        }
    }
    return a;
}

Result<Prefix> Prefix::parse(std::string_view text) {
    auto slash = text.find('/');
    auto address = Address::parse(text.substr(0, slash));
    if (!address) return fail("not an address or prefix: '" + std::string(text) + "'");
    Prefix p{*address, family_bits(address->family)};
    if (slash != std::string_view::npos) {
        auto digits = text.substr(slash + 1);
        unsigned length = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
            return fail("not an address or prefix: '" + std::string(text) + "'");
        }
        if (length > p.length) {
            return fail("prefix length " + std::to_string(length) + " is over " + std::to_string(p.length) +
                        " in '" + std::string(text) + "'");
        }
        p.length = length;
    }
    p.address = clear_host_bits(p.address, p.length);
    return p;
}

bool Prefix::contains(const Address& a) const {
    Address candidate = unmapped(a);
    if (candidate.family != address.family) return false;
    return clear_host_bits(candidate, length) == address;
}

std::string Prefix::str() const { return address.str() + "/" + std::to_string(length); }

Result<AclAction> parse_acl_action(std::string_view text) {
    if (text == "transfer") return AclAction::transfer;
    if (text == "update") return AclAction::update;
    return fail("unknown action '" + std::string(text) + "' (expected transfer, update)");
}

bool acl_allows(const std::vector<AclEntry>& acls, AclAction action, const Address& source,
                const std::optional<std::string>& key, std::string_view zone) {
    return std::any_of(acls.begin(), acls.end(),
                       [&](const AclEntry& e) { return entry_matches(e, action, source, key, zone); });
}

}  // namespace patchbay
