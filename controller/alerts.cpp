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

}  // namespace

Alerts::Alerts(std::vector<AlertPolicy> policies, SenderOptions options, std::function<int64_t()> clock)
    : policies_(std::move(policies)), options_(options), clock_(clock ? std::move(clock) : system_ms),
      sender_(options) {}

void Alerts::on_changes(const std::vector<StateChange>& changes) {
    std::vector<AlertMessage> due;
    {
        std::lock_guard lock(mutex_);
        auto out = step(policies_, std::move(engine_), changes, clock_());
        engine_ = std::move(out.engine);
        due = std::move(out.messages);
    }
    send(due);
}

void Alerts::tick(int64_t now_ms) {
    std::vector<AlertMessage> due;
    {
        std::lock_guard lock(mutex_);
        auto out = patchbay::tick(policies_, std::move(engine_), now_ms);
        engine_ = std::move(out.engine);
        due = std::move(out.messages);
    }
    send(due);
}

void Alerts::send(const std::vector<AlertMessage>& messages) {
    for (const auto& m : messages)
        if (const AlertPolicy* policy = find_policy(policies_, m.policy)) sender_.enqueue(*policy, m);
}

Result<std::vector<ChannelResult>> Alerts::test(const std::optional<std::string>& name) {
    if (policies_.empty())
        return fail(ErrorKind::not_found, "no alert policy is configured (add an [[alert]] to the controller config)");
    std::vector<const AlertPolicy*> chosen;
    if (name) {
        const AlertPolicy* p = find_policy(policies_, *name);
        if (!p) return fail(ErrorKind::not_found, "no alert policy named '" + *name + "'");
        chosen.push_back(p);
    } else {
        for (const auto& p : policies_) chosen.push_back(&p);
    }
    // All channels at once: the answer comes after the slowest, not after their sum.
    std::vector<std::pair<ChannelResult, std::future<Result<void>>>> runs;
    int64_t now = clock_();
    for (const AlertPolicy* p : chosen) {
        AlertMessage message = test_message(*p, now);
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
    for (const auto& [channel, c] : counts) {
        sent.samples.push_back({{{"channel", channel}}, static_cast<double>(c.sent)});
        failed.samples.push_back({{{"channel", channel}}, static_cast<double>(c.failed)});
    }
    MetricFamily dropped{"patchbay_alerts_dropped_total", "Alert deliveries dropped because the queue was full.",
                         "counter", {{{}, static_cast<double>(sender_.dropped())}}};
    double active = 0;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [key, episode] : engine_.episodes) active += episode.sent ? 1 : 0;
    }
    MetricFamily open{"patchbay_alerts_active", "Alerts sent whose subject has not recovered yet.", "gauge",
                      {{{}, active}}};
    return {sent, failed, dropped, open};
}

}  // namespace patchbay
