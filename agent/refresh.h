// One refresh of one domain, the way a DNS secondary checks its zone:
//   SOA ⇒ (serial moved, first time, or forced) ⇒ SRV for every service × transport
//   ⇒ A and AAAA for every SRV target ⇒ SOA again.
// The result is a complete snapshot only if every query was answered (NOERROR, or
// NXDOMAIN/NODATA = really nothing) and both serials are equal (DESIGN.md §2:
// never act on partial knowledge). Anything else is a failure with a reason.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "resolver.h"
#include "tuple.h"

namespace patchbay {

struct ServiceTransport {
    std::string service;    // "http"
    std::string transport;  // "tcp"
};

struct RefreshResult {
    enum class Kind { unchanged, fetched, failed };
    Kind kind = Kind::failed;
    uint32_t serial = 0;
    std::vector<Tuple> tuples;  // for `fetched`: the complete snapshot
    std::string error;          // for `failed`: why, naming the query
    int queries = 0;            // how many DNS queries this refresh asked
};

struct RefreshRequest {
    std::string domain;
    std::vector<ServiceTransport> services;
    std::optional<uint32_t> applied_serial;  // of the last complete snapshot
    bool force = false;                      // fetch even if the serial did not move
};

// Starts the refresh; `done` runs once from the loop (not if the resolver dies first).
void refresh_domain(QuerySource& resolver, RefreshRequest request,
                    std::function<void(RefreshResult)> done);

}  // namespace patchbay
