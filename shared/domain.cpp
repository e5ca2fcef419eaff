#include "domain.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace patchbay {

namespace {

bool is_ldh(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; }

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace

Result<std::string> normalize_domain(std::string_view text) {
    std::string name = lower(text);
    if (!name.empty() && name.back() == '.') name.pop_back();
    if (name.empty()) return fail("empty domain name");
    if (name.size() > 253) return fail("domain name longer than 253 characters: '" + name + "'");
    size_t start = 0;
    while (start <= name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        std::string_view label(name.data() + start, dot - start);
        if (label.empty()) return fail("empty label in domain name '" + std::string(text) + "'");
        if (label.size() > 63)
            return fail("label '" + std::string(label) + "' longer than 63 characters in '" +
                        std::string(text) + "'");
        if (!std::all_of(label.begin(), label.end(), is_ldh))
            return fail("label '" + std::string(label) +
                        "' may hold only letters, digits and hyphens in '" + std::string(text) + "'");
        if (label.front() == '-' || label.back() == '-')
            return fail("label '" + std::string(label) + "' starts or ends with a hyphen in '" +
                        std::string(text) + "'");
        start = dot + 1;
    }
    return name;
}

bool in_zone(std::string_view name, std::string_view zone) {
    if (name.size() < zone.size()) return false;
    if (!name.ends_with(zone)) return false;
    return name.size() == zone.size() || name[name.size() - zone.size() - 1] == '.';
}

Result<std::string> normalize_service(std::string_view text) {
    std::string s = lower(text);
    if (!s.empty() && s.front() == '_') s.erase(0, 1);
    if (s.empty() || s.size() > 15)
        return fail("service name '" + std::string(text) + "' must be 1 to 15 characters");
    if (!std::all_of(s.begin(), s.end(), is_ldh) || s.front() == '-' || s.back() == '-' ||
        !std::any_of(s.begin(), s.end(), [](unsigned char c) { return std::isalpha(c); }) ||
        s.find("--") != std::string::npos)
        return fail("service name '" + std::string(text) +
                    "' must be letters, digits and single inner hyphens, with at least one letter");
    return s;
}

Result<std::string> normalize_transport(std::string_view text) {
    static constexpr std::array known{"tcp", "udp", "sctp", "tls", "dccp"};
    std::string s = lower(text);
    if (!s.empty() && s.front() == '_') s.erase(0, 1);
    for (const char* k : known)
        if (s == k) return s;
    return fail("transport '" + std::string(text) + "' is not one of tcp, udp, sctp, tls, dccp");
}

}  // namespace patchbay
