// reconcile: the seed's placement rule as a pure function.
//   desired = every tuple of a known domain whose address is bound here and whose
//             service has a unit template in the catalog;
//   start   = desired, not running;  stop = running, not desired;  keep = both.
// Identity is the TupleKey (service, transport, address, port): a changed weight or
// priority keeps the unit as it is. Running instances adopted at start-up count as
// running. While any domain has never been seen complete, nothing is stopped: an agent
// never acts on partial knowledge (DESIGN.md §2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "address.h"
#include "tuple.h"

namespace patchbay {

// The last complete view of one domain; `tuples` is empty for a domain whose services
// really have no tuples and nullopt when no complete snapshot has been seen yet.
struct DomainTuples {
    std::string domain;
    std::optional<std::vector<Tuple>> tuples;
};

struct CatalogEntry {
    std::string service;        // "http"
    std::string unit_template;  // "patchbay-http@.service"
};

struct RunningInstance {
    std::string unit;
    TupleKey key;
};

struct Action {
    TupleKey key;
    std::string unit;
    std::string domain;  // empty for a stop (the tuple is gone)
    uint16_t priority = 0;
    uint16_t weight = 0;

    auto operator<=>(const Action&) const = default;
};

struct Plan {
    std::vector<Action> start, stop, keep;  // each sorted by key
    bool held = false;  // stops were held back because a domain is not known yet
};

Plan reconcile(const std::vector<DomainTuples>& domains, const std::vector<Address>& local,
               const std::vector<CatalogEntry>& catalog,
               const std::vector<RunningInstance>& running);

// `plan` with its stops kept instead (held): while a domain is known only from the state
// file (snapshot_file.h), the agent starts what it places but stops nothing until DNS
// has confirmed it. Pure.
Plan hold_stops(Plan plan);

}  // namespace patchbay
