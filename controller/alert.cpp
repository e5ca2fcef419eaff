#include "alert.h"

#include <fnmatch.h>

#include <algorithm>

#include "utc_text.h"

namespace patchbay {

namespace {

bool any_glob(const std::vector<std::string>& patterns, const std::string& name) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& p) { return ::fnmatch(p.c_str(), name.c_str(), 0) == 0; });
}

bool watches(const AlertPolicy& policy, Health state) {
    return std::find(policy.states.begin(), policy.states.end(), state) != policy.states.end();
}

// Applies one change to every policy that covers its subject.
void apply(const std::vector<AlertPolicy>& policies, AlertStep& out, const StateChange& change) {
    AlertSubject subject{change.server, change.instance};
    for (const auto& policy : policies) {
        if (!policy_covers(policy, change.server, change.instance)) continue;
        auto key = std::make_pair(policy.name, subject);
        auto it = out.engine.episodes.find(key);
        if (watches(policy, change.to)) {
            if (it == out.engine.episodes.end()) {
                out.engine.episodes.emplace(key, Episode{change.to, change.at_ms, change.reason, false});
            } else {  // the same episode: a repeat or an escalation, never a second alert
                it->second.state = change.to;
                it->second.reason = change.reason;
            }
            continue;
        }
        if (it == out.engine.episodes.end()) continue;
        if (it->second.sent && policy.recovery)
            out.messages.push_back(AlertMessage{"recovery", policy.name, subject, change.to, change.at_ms, change.reason, ""});
        out.engine.episodes.erase(it);
    }
}

}  // namespace

std::vector<std::string> channel_names(const AlertPolicy& policy) {
    std::vector<std::string> names;
    if (policy.webhook) names.push_back("webhook");
    if (policy.email) names.push_back("email");
    if (!policy.command.empty()) names.push_back("command");
    return names;
}

bool policy_covers(const AlertPolicy& policy, const std::string& server, const std::optional<InstanceRef>& instance) {
    if (!any_glob(policy.servers, server)) return false;
    if (!instance) return std::find(policy.services.begin(), policy.services.end(), "*") != policy.services.end();
    return any_glob(policy.services, instance->key.service);
}

nlohmann::json alert_json(const AlertMessage& m) {
    nlohmann::json instance = nullptr;
    if (m.subject.instance) {
        const auto& i = *m.subject.instance;
        instance = {{"domain", i.domain},
                    {"service", i.key.service},
                    {"transport", i.key.transport},
                    {"address", i.key.address.str()},
                    {"port", i.key.port}};
    }
    nlohmann::json out = {{"kind", m.kind},
                          {"policy", m.policy},
                          {"server", m.subject.server},
                          {"instance", instance},
                          {"state", std::string(health_name(m.state))},
                          {"since", utc_text(m.since_ms)},
                          {"since_ms", m.since_ms},
                          {"reason", m.reason}};
    if (!m.account.empty()) out["account"] = m.account;
    return out;
}

std::string alert_summary(const AlertMessage& m) {
    std::string head = m.kind == "recovery" ? "RECOVERED " : m.kind == "test" ? "TEST " : "ALERT ";
    std::string text = head + std::string(health_name(m.state)) + ": " + m.subject.server;
    if (m.subject.instance) text += " " + m.subject.instance->key.str() + " (" + m.subject.instance->domain + ")";
    return text;
}

AlertStep step(const std::vector<AlertPolicy>& policies, AlertEngine engine, const std::vector<StateChange>& changes,
               int64_t now_ms) {
    AlertStep out{std::move(engine), {}};
    // Time moves with the changes: an episode that held long enough before a change ends
    // it still gets its alert (and then its recovery).
    auto advance = [&](int64_t to_ms) {
        AlertStep due = tick(policies, std::move(out.engine), to_ms);
        out.engine = std::move(due.engine);
        out.messages.insert(out.messages.end(), due.messages.begin(), due.messages.end());
    };
    for (const auto& change : changes) {
        advance(change.at_ms);
        apply(policies, out, change);
    }
    AlertStep due = tick(policies, std::move(out.engine), now_ms);
    out.engine = std::move(due.engine);
    out.messages.insert(out.messages.end(), due.messages.begin(), due.messages.end());
    return out;
}

AlertStep tick(const std::vector<AlertPolicy>& policies, AlertEngine engine, int64_t now_ms) {
    AlertStep out{std::move(engine), {}};
    for (auto& [key, episode] : out.engine.episodes) {
        if (episode.sent) continue;
        const std::string& name = key.first;  // clang 14 cannot capture a structured binding
        auto policy = std::find_if(policies.begin(), policies.end(),
                                   [&name](const AlertPolicy& p) { return p.name == name; });
        if (policy == policies.end() || now_ms - episode.since_ms < policy->for_ms) continue;
        episode.sent = true;
        out.messages.push_back(AlertMessage{"alert", key.first, key.second, episode.state, episode.since_ms,
                                            episode.reason, ""});
    }
    return out;
}

AlertMessage test_message(const AlertPolicy& policy, int64_t now_ms) {
    return AlertMessage{"test", policy.name, AlertSubject{"patchbay-test", std::nullopt},
                        policy.states.empty() ? Health::down : policy.states.back(), now_ms,
                        "a test of alert policy '" + policy.name + "' (patchbay alert test)", ""};
}

}  // namespace patchbay
