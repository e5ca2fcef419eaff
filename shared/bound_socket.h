// bound_socket: opening a UDP or TCP socket bound to an Endpoint — the listening sockets
// of the controller's DNS server and of the agent's NOTIFY listener — with the options
// each needs and one error text for every step that can fail.
#pragma once

#include "address.h"
#include "fd.h"
#include "result.h"

namespace patchbay {

enum class SocketType { udp, tcp };

struct SocketOptions {
    // IPv6 sockets only: IPV6_V6ONLY, so an IPv6 wildcard does not also take the IPv4
    // port. false leaves the system default (net.ipv6.bindv6only).
    bool v6_only = false;
    // UDP only: IP_PKTINFO / IPV6_RECVPKTINFO, so each datagram says which local address
    // it was sent to and a reply can leave from that address.
    bool packet_info = false;
    // TCP only: the listen(2) backlog.
    int backlog = 128;
    // SO_REUSEPORT: several sockets of this user bind the same address and port, and the
    // kernel spreads the incoming datagrams (or connections) across them by flow hash.
    // Binding still fails on a port held by a socket without it.
    bool reuse_port = false;
};

// A non-blocking, close-on-exec socket bound to `at` (port 0: an ephemeral port, see
// local_endpoint()), listening when `type` is tcp. TCP sockets get SO_REUSEADDR so a
// restarted daemon rebinds at once despite connections in TIME_WAIT; UDP sockets never
// do (on Linux it would let a second server share the port and split the queries) —
// only `reuse_port` shares a UDP port, and the caller then guards the port itself.
//
// Errors name the step, the protocol, the endpoint and the system's reason, e.g.
// "cannot bind UDP 10.10.10.1:53: Address already in use" or "cannot listen on TCP
// [::1]:53: REASON". Kind conflict when the address is in use (EADDRINUSE), unavailable
// for every other failure. Nothing stays open on failure.
Result<UniqueFd> open_bound_socket(const Endpoint& at, SocketType type, const SocketOptions& options = {});

}  // namespace patchbay
