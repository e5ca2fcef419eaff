// Alerts: the alert policies at work in the controller (issue 4). It owns the engine's
// state (alert.h) and the sender (alert_sender.h): the watchdog hands it every batch of
// StateChanges and a timer ticks it, and whatever the policies say is due goes to the
// sender's queue. Thread-safe; no call waits for a channel except `test`.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "accounts_snapshot.h"
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

    // A batch of changes from the watchdog, oldest first; due messages are queued. The
    // controller config's policies see every change; an account's policies only those
    // naming the account (StateChange::accounts: its instances, and the servers hosting
    // one of them).
    void on_changes(const std::vector<StateChange>& changes);
    // The accounts' own policies (AccountsSnapshot::alerts), replacing the ones before at
    // once. An open episode of a policy still there under the same name (same account)
    // goes on: it is neither lost nor alerted again, and its recovery is sent by the
    // policy as it is now. The episodes of a policy that is gone end silently.
    void set_accounts(const AccountsSnapshot& accounts);
    // The passing of time: alerts whose for_seconds have run out are queued.
    void tick(int64_t now_ms);

    // Sends a "test" message through every channel of `policy` (every policy when none
    // is named) of the controller config, or of `account` when given, now, all channels
    // at once, and waits for them. Errors: not_found for an unknown policy, and when no
    // policy is configured.
    Result<std::vector<ChannelResult>> test(const std::optional<std::string>& policy,
                                            const std::string& account = "");

    // patchbay_alerts_sent_total / _failed_total by channel, _dropped_total, and
    // patchbay_alerts_active (episodes alerted and not yet recovered: the controller
    // config's unlabelled, each account's with account="A"). An account's deliveries
    // count in the same channel counters.
    std::vector<MetricFamily> metrics() const;

    // The controller config's policies.
    const std::vector<AlertPolicy>& policies() const { return policies_; }
    // An account's policies as in force now (none when it has none).
    std::vector<AlertPolicy> account_policies(const std::string& account) const;
    // Waits until the queue is empty (tests). False on timeout.
    bool wait_idle(std::chrono::milliseconds limit) const { return sender_.wait_idle(limit); }

private:
    struct AccountAlerts {
        std::vector<AlertPolicy> policies;
        AlertEngine engine;
    };
    // Caller holds mutex_. Steps every account's engine; their due messages, each with
    // its policy, into `out`.
    void step_accounts(const std::vector<StateChange>* changes, int64_t now_ms,
                       std::vector<std::pair<AlertPolicy, AlertMessage>>& out);
    void send(const std::vector<AlertMessage>& messages);
    std::vector<AlertPolicy> all_account_policies() const;

    const std::vector<AlertPolicy> policies_;
    const SenderOptions options_;
    std::function<int64_t()> clock_;
    mutable std::mutex mutex_;  // guards engine_ and accounts_
    AlertEngine engine_;
    std::map<std::string, AccountAlerts> accounts_;  // account ⇒ its policies and their episodes
    AlertSender sender_;
};

}  // namespace patchbay
