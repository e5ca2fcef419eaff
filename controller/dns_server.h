// dns_server: the authoritative DNS listener — UDP and TCP on every listen endpoint,
// one thread running a poll(2) loop that owns every socket, answering from the latest
// published ZoneSet (readers never lock: the snapshot is swapped atomically).
#pragma once

#include <memory>
#include <vector>

#include "address.h"
#include "result.h"
#include "zone.h"

namespace patchbay {

class DnsServer {
public:
    // Binds UDP and TCP on each endpoint (port 0: an ephemeral port, the same for UDP
    // and TCP) and starts serving `initial` (nullptr: no zones, everything REFUSED).
    // Errors name the endpoint and the system's reason, e.g.
    // "cannot bind UDP 10.10.10.1:53: Address already in use"; nothing stays bound.
    static Result<std::unique_ptr<DnsServer>> start(const std::vector<Endpoint>& listen,
                                                    std::shared_ptr<const ZoneSet> initial);

    // Answers from `zones` from now on (nullptr: no zones). Any thread; never blocks
    // on queries in flight.
    void publish(std::shared_ptr<const ZoneSet> zones);

    // The endpoints actually bound, in the order of `listen`, with real port numbers.
    std::vector<Endpoint> bound() const;

    // Stops the loop, closes every socket and joins the thread.
    ~DnsServer();

    DnsServer(const DnsServer&) = delete;
    DnsServer& operator=(const DnsServer&) = delete;

private:
    class Loop;  // the serving thread and everything it owns (dns_server.cpp)
    explicit DnsServer(std::unique_ptr<Loop> loop);
    std::unique_ptr<Loop> loop_;
};

}  // namespace patchbay
