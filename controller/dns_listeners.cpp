// dns_listeners: the port is claimed in an order that keeps it ours. A probe UDP socket
// without SO_REUSEPORT proves nobody holds the UDP port (and picks it for port 0); the
// TCP listener, exclusive, is bound next; only then is the probe swapped for the
// SO_REUSEPORT sockets. A second server on the same port fails at its probe or at TCP,
// both before it binds any shared UDP socket, so it never receives our queries.
#include "dns_listeners.h"

#include <algorithm>
#include <string>
#include <utility>

#include "bound_socket.h"
#include "socket_address.h"

namespace patchbay {

Result<Listener> open_listener(const Endpoint& endpoint, unsigned workers) {
    workers = std::max(workers, 1u);
    // One family per socket: an IPv6 wildcard must not steal the IPv4 port. Packet info
    // so that replies leave from the address the query was sent to.
    const SocketOptions exclusive{.v6_only = true, .packet_info = true};
    SocketOptions shared = exclusive;
    shared.reuse_port = true;
    // With port 0 the kernel picks the UDP port without knowing TCP's, and the port is
    // briefly free between the probe and the shared sockets: a few retries.
    const bool ephemeral = endpoint.port == 0;
    for (int attempt = 0; attempt < 16; ++attempt) {
        auto probe = open_bound_socket(endpoint, SocketType::udp, exclusive);
        if (!probe) return fail(probe.error());
        auto local = local_endpoint(probe->get());
        if (!local) return fail(local.error());
        Listener listener{{endpoint.address, local->port}, {}, {}};
        auto tcp = open_bound_socket(listener.endpoint, SocketType::tcp, exclusive);
        if (!tcp) {
            if (ephemeral && tcp.kind() == ErrorKind::conflict) continue;
            return fail(tcp.error());
        }
        listener.tcp = std::move(*tcp);
        if (workers == 1) {  // nothing to share: the probe serves
            listener.udp.push_back(std::move(*probe));
            return listener;
        }
        probe->reset();
        bool retry = false;
        for (unsigned i = 0; i < workers && !retry; ++i) {
            auto udp = open_bound_socket(listener.endpoint, SocketType::udp, shared);
            if (!udp) {
                if (!ephemeral || udp.kind() != ErrorKind::conflict) return fail(udp.error());
                retry = true;  // someone took the port in between: start again
            } else {
                listener.udp.push_back(std::move(*udp));
            }
        }
        if (!retry) return listener;
    }
    return fail("cannot bind UDP and TCP to one port on " + endpoint.str());
}

}  // namespace patchbay
