#include "alerts.h"

#include <algorithm>
#include <future>

namespace patchbay {

namespace {

int64_t system_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

const AlertPolicy* find_policy(const std::vector<AlertPolicy>& policies, const std::string& name) {
    auto it = std::find_if(policies.begin(), policies.end(), [&](const AlertPolicy& p) { return p.name == name; });
    return it == policies.end() ? nullptr : &*it;
}

constexpr const char* kSharedServerReason =
    "the server also runs other accounts' instances; its reason is not shown (your instances alert on their own)";

}  // namespace

Alerts::Alerts(std::vector<AlertPolicy> policies, SenderOptions options, std::function<int64_t()> clock)
    : policies_(std::move(policies)), options_(options), clock_(clock ? std::move(clock) : system_ms),
      sender_(options) {}

void Alerts::step_accounts(const std::vector<StateChange>* changes, int64_t now_ms,
                           std::vector<std::pair<AlertPolicy, AlertMessage>>& out) {
    for (auto& [account, a] : accounts_) {
        AlertStep next;
        if (changes) {
            std::vector<StateChange> mine;
            for (const auto& c : *changes) {
                if (!std::binary_search(c.accounts.begin(), c.accounts.end(), account)) continue;
                mine.push_back(c);
                // A server's reason may name another account's instance: not this account's to read.
                if (!c.instance && c.accounts.size() > 1) mine.back().reason = kSharedServerReason;
            }
            if (mine.empty()) continue;  // the timer's tick runs its clock out
            next = step(a.policies, std::move(a.engine), mine, now_ms);
        } else {
            next = patchbay::tick(a.policies, std::move(a.engine), now_ms);
        }
        a.engine = std::move(next.engine);
        for (auto& m : next.messages) {
            const AlertPolicy* policy = find_policy(a.policies, m.policy);
            if (!policy) continue;
            m.account = account;
            out.emplace_back(*policy, std::move(m));
        }
    }
}

void Alerts::on_changes(const std::vector<StateChange>& changes) {
    std::vector<AlertMessage> due;
    std::vector<std::pair<AlertPolicy, AlertMessage>> accounts_due;
    {
        std::lock_guard lock(mutex_);
        const int64_t now = clock_();
        auto out = step(policies_, std::move(engine_), changes, now);
        engine_ = std::move(out.engine);
        due = std::move(out.messages);
        step_accounts(&changes, now, accounts_due);
    }
    send(due);
    for (const auto& [policy, message] : accounts_due) sender_.enqueue(policy, message);
}

void Alerts::tick(int64_t now_ms) {
    std::vector<AlertMessage> due;
    std::vector<std::pair<AlertPolicy, AlertMessage>> accounts_due;
    {
        std::lock_guard lock(mutex_);
        auto out = patchbay::tick(policies_, std::move(engine_), now_ms);
        engine_ = std::move(out.engine);
        due = std::move(out.messages);
        step_accounts(nullptr, now_ms, accounts_due);
    }
    send(due);
    for (const auto& [policy, message] : accounts_due) sender_.enqueue(policy, message);
}

void Alerts::set_accounts(const AccountsSnapshot& accounts) {
    std::lock_guard lock(mutex_);
    std::map<std::string, AccountAlerts> next;
    for (const auto& [account, policies] : accounts.alerts) {
        if (policies.empty()) continue;
        AccountAlerts a{policies, {}};
        if (auto before = accounts_.find(account); before != accounts_.end()) {
            // Episodes of a policy kept by name go on; the others end without a word.
            for (auto& [key, episode] : before->second.engine.episodes)
                if (find_policy(a.policies, key.first)) a.engine.episodes.emplace(key, std::move(episode));
        }
        next.emplace(account, std::move(a));
    }
    accounts_ = std::move(next);
}

std::vector<AlertPolicy> Alerts::all_account_policies() const {
    std::lock_guard lock(mutex_);
    std::vector<AlertPolicy> out;
    for (const auto& [account, a] : accounts_) out.insert(out.end(), a.policies.begin(), a.policies.end());
    return out;
}

std::vector<AlertPolicy> Alerts::account_policies(const std::string& account) const {
    std::lock_guard lock(mutex_);
    auto it = accounts_.find(account);
    return it == accounts_.end() ? std::vector<AlertPolicy>{} : it->second.policies;
}

void Alerts::send(const std::vector<AlertMessage>& messages) {
    for (const auto& m : messages)
        if (const AlertPolicy* policy = find_policy(policies_, m.policy)) sender_.enqueue(*policy, m);
}

Result<std::vector<ChannelResult>> Alerts::test(const std::optional<std::string>& name, const std::string& account) {
    const std::vector<AlertPolicy> of_account = account.empty() ? std::vector<AlertPolicy>{} : account_policies(account);
    const std::vector<AlertPolicy>& policies = account.empty() ? policies_ : of_account;
    if (policies.empty())
        return fail(ErrorKind::not_found,
                    account.empty() ? "no alert policy is configured (add an [[alert]] to the controller config)"
                                    : "account " + account + " has no alert policy (add an [[alert]] to its settings file)");
    std::vector<const AlertPolicy*> chosen;
    if (name) {
        const AlertPolicy* p = find_policy(policies, *name);
        if (!p) return fail(ErrorKind::not_found, "no alert policy named '" + *name + "'");
        chosen.push_back(p);
    } else {
        for (const auto& p : policies) chosen.push_back(&p);
    }
    // All channels at once: the answer comes after the slowest, not after their sum.
    std::vector<std::pair<ChannelResult, std::future<Result<void>>>> runs;
    int64_t now = clock_();
    for (const AlertPolicy* p : chosen) {
        AlertMessage message = test_message(*p, now);
        message.account = account;
        for (const auto& channel : channel_names(*p)) {
            runs.emplace_back(ChannelResult{p->name, channel, false, ""},
                              std::async(std::launch::async, [p, channel, message, timeout = options_.timeout] {
                                  return deliver(*p, channel, message, timeout);
                              }));
        }
    }
    std::vector<ChannelResult> results;
    for (auto& [result, run] : runs) {
        auto sent = run.get();
        result.ok = sent.ok();
        if (!sent) result.error = sent.error();
        sender_.count(result.channel, result.ok);
        results.push_back(std::move(result));
    }
    return results;
}

std::vector<MetricFamily> Alerts::metrics() const {
    MetricFamily sent{"patchbay_alerts_sent_total", "Alert messages delivered, by channel (alert test included).",
                      "counter", {}};
    MetricFamily failed{"patchbay_alerts_failed_total",
                        "Alert messages that failed after their last attempt, by channel.", "counter", {}};
    auto counts = sender_.counts();
    // Every configured channel shows, at 0 before its first message.
    for (const auto& p : policies_)
        for (const auto& channel : channel_names(p)) counts.try_emplace(channel);
    for (const auto& p : all_account_policies())
        for (const auto& channel : channel_names(p)) counts.try_emplace(channel);
    for (const auto& [channel, c] : counts) {
        sent.samples.push_back({{{"channel", channel}}, static_cast<double>(c.sent)});
        failed.samples.push_back({{{"channel", channel}}, static_cast<double>(c.failed)});
    }
    MetricFamily dropped{"patchbay_alerts_dropped_total", "Alert deliveries dropped because the queue was full.",
                         "counter", {{{}, static_cast<double>(sender_.dropped())}}};
    double active = 0;
    std::map<std::string, double> account_active;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [key, episode] : engine_.episodes) active += episode.sent ? 1 : 0;
        for (const auto& [account, a] : accounts_) {
            double& n = account_active[account];
            for (const auto& [key, episode] : a.engine.episodes) n += episode.sent ? 1 : 0;
        }
    }
    MetricFamily open{"patchbay_alerts_active", "Alerts sent whose subject has not recovered yet.", "gauge",
                      {{{}, active}}};
    for (const auto& [account, n] : account_active) open.samples.push_back({{{"account", account}}, n});
    return {sent, failed, dropped, open};
}

}  // namespace patchbay
