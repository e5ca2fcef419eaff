// Alerts: the alert policies at work in the controller (issue 4). It owns the engine's
// state (alert.h) and the sender (alert_sender.h): the watchdog hands it every batch of
// StateChanges and a timer ticks it, and whatever the policies say is due goes to the
// sender's queue. Thread-safe; no call waits for a channel except `test`.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "alert.h"
#include "alert_sender.h"
#include "metrics.h"
#include "result.h"

namespace patchbay {

// The outcome of one channel of one policy in `alert test`.
struct ChannelResult {
    std::string policy;
    std::string channel;  // "webhook", "email", "command"
    bool ok = false;
    std::string error;    // why it failed; empty when ok
};

class Alerts {
public:
    // `clock` gives unix ms (the system clock by default; tests pass their own).
    explicit Alerts(std::vector<AlertPolicy> policies, SenderOptions options = {},
                    std::function<int64_t()> clock = {});

    // A batch of changes from the watchdog, oldest first; due messages are queued.
    void on_changes(const std::vector<StateChange>& changes);
    // The passing of time: alerts whose for_seconds have run out are queued.
    void tick(int64_t now_ms);

    // Sends a "test" message through every channel of `policy` (every policy when none
    // is named) now, all channels at once, and waits for them. Errors: not_found for an
    // unknown policy, and when no policy is configured.
    Result<std::vector<ChannelResult>> test(const std::optional<std::string>& policy);

    // patchbay_alerts_sent_total / _failed_total by channel, _dropped_total, and
    // patchbay_alerts_active (episodes alerted and not yet recovered).
    std::vector<MetricFamily> metrics() const;

    const std::vector<AlertPolicy>& policies() const { return policies_; }
    // Waits until the queue is empty (tests). False on timeout.
    bool wait_idle(std::chrono::milliseconds limit) const { return sender_.wait_idle(limit); }

private:
    void send(const std::vector<AlertMessage>& messages);

    const std::vector<AlertPolicy> policies_;
    const SenderOptions options_;
    std::function<int64_t()> clock_;
    mutable std::mutex mutex_;  // guards engine_
    AlertEngine engine_;
    AlertSender sender_;
};

}  // namespace patchbay
