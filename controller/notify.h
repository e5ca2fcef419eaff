// notify: tells secondaries and agents that a zone changed (RFC 1996 NOTIFY), from a
// thread of its own, retransmitting until each target answers or time runs out.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "address.h"
#include "metrics.h"
#include "result.h"

namespace patchbay {

class TsigKey;

// How persistently a NOTIFY is repeated (RFC 1996 §3.6 leaves the interval to us).
struct NotifyTiming {
    std::chrono::milliseconds first_retry{250};  // doubles after every send...
    std::chrono::milliseconds max_retry{8000};   // ...up to this
    std::chrono::milliseconds give_up{60000};    // after this long without an answer
};

// How the NOTIFYs so far ended, per (zone, target) — for /metrics.
struct NotifyCounts {
    uint64_t sent = 0;         // datagrams sent, retransmissions included
    uint64_t answered = 0;     // answered NOERROR
    uint64_t error = 0;        // answered with another rcode (REFUSED, NOTAUTH, …)
    uint64_t timeout = 0;      // no answer within timing.give_up
    uint64_t unreachable = 0;  // no socket for the target's address family
};

// patchbay_notify_total{result="answered|error|timeout|unreachable"} and
// patchbay_notify_sent_total (datagrams).
std::vector<MetricFamily> notify_metrics(const NotifyCounts& counts);

class Notifier {
public:
    // Opens one UDP socket per address family (at least one must open) and starts the
    // sending thread. Errors: "cannot open a socket for NOTIFY: REASON".
    static Result<std::unique_ptr<Notifier>> start(NotifyTiming timing = {});

    // Sends `<zone>. IN SOA` NOTIFY, with the SOA serial in the answer section, to every
    // target until each answers. A newer notify for the same (zone, target) replaces a
    // pending one. Never blocks; any thread. A target that never answers is dropped after
    // timing.give_up with one line on stderr. An invalid zone name is logged and ignored.
    // With `key`, each NOTIFY is TSIG-signed (RFC 8945) for secondaries that require it;
    // their answers are taken as acknowledgements without checking their signature.
    void notify(const std::string& zone, uint32_t serial, const std::vector<Endpoint>& targets,
                std::shared_ptr<const TsigKey> key = nullptr);

    // The counts so far; any thread.
    NotifyCounts counts() const;

    // Stops the thread; NOTIFYs still unanswered are abandoned.
    ~Notifier();

    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

private:
    class Loop;  // the sending thread and everything it owns (notify.cpp)
    explicit Notifier(std::unique_ptr<Loop> loop);
    std::unique_ptr<Loop> loop_;
};

}  // namespace patchbay
