// socket_address: an Endpoint as the sockaddr the socket calls take and give back
// (sockaddr_in for IPv4, sockaddr_in6 for IPv6), and back again.
#pragma once

#include <sys/socket.h>

#include "address.h"
#include "result.h"

namespace patchbay {

// Storage for any IP socket address and the length in use. A default one has room for
// any address (len = the whole storage), ready to be filled by recvfrom/accept.
struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t len = sizeof(sockaddr_storage);

    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
    sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
};

// The sockaddr_in / sockaddr_in6 for `endpoint`, with len set to match. Never fails.
SocketAddress to_socket_address(const Endpoint& endpoint);

// The address and port in a sockaddr_in / sockaddr_in6.
// Errors: "not an IP address family: N" for any other family.
Result<Endpoint> to_endpoint(const sockaddr_storage& address);

// The address and port the socket `fd` is bound to (getsockname(2)); with port 0 asked
// for, the port the kernel picked. Errors: "cannot read the bound port: REASON".
Result<Endpoint> local_endpoint(int fd);

}  // namespace patchbay
