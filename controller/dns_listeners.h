// dns_listeners: the DNS server's sockets on one listen endpoint — a UDP socket per
// worker thread sharing the port through SO_REUSEPORT, and one TCP listener — opened so
// that a second server cannot silently take a share of a port already served.
#pragma once

#include <vector>

#include "address.h"
#include "fd.h"
#include "result.h"

namespace patchbay {

struct Listener {
    Endpoint endpoint;           // as bound: the real port
    std::vector<UniqueFd> udp;   // one per worker, all on `endpoint`
    UniqueFd tcp;
};

// UDP and TCP on `endpoint` (port 0: an ephemeral port, the same for UDP and TCP and for
// every worker), `workers` UDP sockets (at least 1). The port must be free: it is first
// bound without SO_REUSEPORT, so a port held by anyone — another patchbay controller
// too — fails with "cannot bind UDP 10.10.10.1:53: Address already in use" (kind
// conflict). Other errors name the step, e.g. "cannot listen on TCP [::1]:53: REASON".
// Nothing stays open on failure.
Result<Listener> open_listener(const Endpoint& endpoint, unsigned workers);

}  // namespace patchbay
