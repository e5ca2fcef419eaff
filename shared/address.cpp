#include "address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace patchbay {

Result<Address> Address::parse(std::string_view text) {
    std::string s(text);
    Address a;
    if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
        a.family = Family::v4;
        return a;
    }
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
        a.family = Family::v6;
        return a;
    }
    return fail("not an IP address: '" + s + "'");
}

Result<Address> Address::from_sockaddr(const sockaddr* sa) {
    Address a;
    if (sa == nullptr) return fail("no address");
    if (sa->sa_family == AF_INET) {
        auto* in = reinterpret_cast<const sockaddr_in*>(sa);
        std::memcpy(a.bytes.data(), &in->sin_addr, 4);
        a.family = Family::v4;
        return a;
    }
    if (sa->sa_family == AF_INET6) {
        auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
        std::memcpy(a.bytes.data(), &in6->sin6_addr, 16);
        a.family = Family::v6;
        return a;
    }
    return fail("not an IP address family: " + std::to_string(sa->sa_family));
}

std::string Address::str() const {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(family == Family::v4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
    return buf;
}

Result<Endpoint> Endpoint::parse(std::string_view text) {
    std::string_view host, port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return fail("expected [IPV6]:PORT, got '" + std::string(text) + "'");
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon)
            return fail("expected ADDR:PORT or [IPV6]:PORT, got '" + std::string(text) + "'");
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    auto addr = Address::parse(host);
    if (!addr) return fail(addr.error() + " in '" + std::string(text) + "'");
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535)
        return fail("bad port '" + std::string(port) + "' in '" + std::string(text) + "'");
    return Endpoint{*addr, static_cast<uint16_t>(value)};
}

std::string Endpoint::str() const {
    if (address.family == Family::v6) return "[" + address.str() + "]:" + std::to_string(port);
    return address.str() + ":" + std::to_string(port);
}

}  // namespace patchbay
