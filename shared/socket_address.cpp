// socket_address: Endpoint ⇔ sockaddr_in / sockaddr_in6, ports in network byte order.
#include "socket_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace patchbay {

SocketAddress to_socket_address(const Endpoint& endpoint) {
    SocketAddress a;
    if (endpoint.address.family == Family::v4) {
        auto* in = reinterpret_cast<sockaddr_in*>(&a.storage);
        in->sin_family = AF_INET;
        in->sin_port = htons(endpoint.port);
        std::memcpy(&in->sin_addr, endpoint.address.bytes.data(), 4);
        a.len = sizeof(sockaddr_in);
    } else {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(endpoint.port);
        std::memcpy(&in6->sin6_addr, endpoint.address.bytes.data(), 16);
        a.len = sizeof(sockaddr_in6);
    }
    return a;
}

Result<Endpoint> to_endpoint(const sockaddr_storage& address) {
    auto ip = Address::from_sockaddr(reinterpret_cast<const sockaddr*>(&address));
    if (!ip) return ip.failure();
    uint16_t port = address.ss_family == AF_INET
                        ? ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port)
                        : ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
    return Endpoint{*ip, port};
}

Result<Endpoint> local_endpoint(int fd) {
    SocketAddress a;
    if (::getsockname(fd, a.get(), &a.len) < 0) {
        return fail("cannot read the bound port: " + std::system_category().message(errno));
    }
    return to_endpoint(a.storage);
}

}  // namespace patchbay
