// dns_server: the authoritative DNS listener — UDP and TCP on every listen endpoint,
// served by worker threads each running a poll(2) loop over its own sockets (UDP: one
// socket per worker and endpoint, the kernel spreading queries across them; TCP: worker
// 0 only), all answering from the latest published ZoneSet (readers never lock: the
// snapshot is swapped atomically).
//
// Two views (DESIGN.md §2): the `listen` endpoints serve the assignment view; the
// client listeners (DnsServerOptions::client_listen) serve the client view, except to
// sources in assignment_networks (the agents' networks), which get the assignment view
// there too. Each view is its own published snapshot.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "address.h"
#include "dns_dispatch.h"
#include "journal.h"
#include "result.h"
#include "zone.h"

namespace patchbay {

class PolicyView;

// What a server does beyond plain queries (dns_dispatch.h); the defaults refuse every
// transfer and answer UPDATE with NOTIMP.
struct DnsServerOptions {
    unsigned workers = 0;  // 0: one per core
    DnsPolicy policy;
    // Endpoints serving the client view (none: every query gets the assignment view).
    std::vector<Endpoint> client_listen;
    // On the client listeners, queries from these networks get the assignment view.
    std::vector<Prefix> assignment_networks;
    // The client view served until the first publish(DnsView::client, …); nullptr: the
    // initial assignment view.
    std::shared_ptr<const ZoneSet> client_initial;
};

// Responses sent in one view with one rcode (the header's 4 bits: an extended rcode
// such as BADVERS counts as its low bits, 0), summed over the workers since start.
struct DnsCount {
    DnsView view = DnsView::assignment;
    uint16_t rcode = 0;
    uint64_t count = 0;
    auto operator<=>(const DnsCount&) const = default;
};

class DnsServer {
public:
    // Binds UDP and TCP on each endpoint (port 0: an ephemeral port, the same for UDP
    // and TCP) and starts `workers` threads (0: one per core) serving `initial`
    // (nullptr: no zones, everything REFUSED). The ports must be free, also of another
    // DnsServer. Errors name the endpoint and the system's reason, e.g.
    // "cannot bind UDP 10.10.10.1:53: Address already in use", or "cannot start a DNS
    // worker thread: REASON"; nothing stays bound.
    static Result<std::unique_ptr<DnsServer>> start(const std::vector<Endpoint>& listen,
                                                    std::shared_ptr<const ZoneSet> initial,
                                                    unsigned workers = 0);
    // The same with transfers, TSIG, the UPDATE hook and the client view set by
    // `options`; `listen` may be empty when options.client_listen is not.
    static Result<std::unique_ptr<DnsServer>> start(const std::vector<Endpoint>& listen,
                                                    std::shared_ptr<const ZoneSet> initial,
                                                    DnsServerOptions options);

    // Answers from `zones` from now on (nullptr: no zones). Any thread; never blocks
    // on queries in flight. The one-argument form publishes the assignment view.
    void publish(std::shared_ptr<const ZoneSet> zones);
    void publish(DnsView view, std::shared_ptr<const ZoneSet> zones);
    // The client view answers the SRV RRsets of zones with mapping rules by `mappings`
    // from now on (nullptr: none; policy_view.h).
    void publish_mappings(std::shared_ptr<const PolicyView> mappings);
    // IXFR answers from `journal` from now on (nullptr: none, so IXFR sends whole zones).
    // Publish it before the zones it leads to: a journal newer than the zones is harmless
    // (IXFR looks for a chain ending at the zone's serial), an older one only means AXFR.
    void publish_journal(std::shared_ptr<const Journal> journal);

    // The endpoints actually bound, in the order of `listen`, with real port numbers.
    std::vector<Endpoint> bound() const;
    // The same for options.client_listen.
    std::vector<Endpoint> client_bound() const;

    // Responses sent so far by view and rcode, the non-zero ones, sorted. Any thread;
    // reads the workers' counters without stopping them.
    std::vector<DnsCount> counts() const;

    // Stops every worker, closes every socket and joins the threads.
    ~DnsServer();

    DnsServer(const DnsServer&) = delete;
    DnsServer& operator=(const DnsServer&) = delete;

private:
    struct Shared;  // what every worker reads: the zones, the stop flag (dns_server.cpp)
    class Loop;     // one worker thread and the sockets it owns (dns_server.cpp)
    DnsServer(std::unique_ptr<Shared> shared, std::vector<Endpoint> bound, std::vector<Endpoint> client_bound);
    std::unique_ptr<Shared> shared_;
    std::vector<Endpoint> bound_;
    std::vector<Endpoint> client_bound_;
    std::vector<std::unique_ptr<Loop>> loops_;
};

}  // namespace patchbay
