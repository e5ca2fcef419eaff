// Alert policies (issue 4): which state changes of which servers and services warn whom,
// after how long — as a pure engine over values. `step` takes the watchdog's
// StateChanges, `tick` the passing of time; both return the new engine state and the
// messages to send. The sender (alert_sender.h) and the Alerts class (alerts.h) do the I/O.
//
// De-duplication: one alert per (policy, subject) per episode. An episode begins when a
// subject enters one of the policy's states and ends when it leaves them all, so
// down⇒down repeats, a warning⇒down escalation inside the policy's states, and flapping
// shorter than `for_ms` send nothing more. A recovery is sent at the end of an episode
// whose alert was sent (and only if the policy wants recoveries).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "health_state.h"

namespace patchbay {

struct EmailChannel {
    std::string smtp;               // "smtp://host:port" or "smtps://host:port"
    std::string from;               // "patchbay@example.com"
    std::vector<std::string> to;    // at least one
    std::string username;           // optional SMTP AUTH
    std::string password_file;      // read when sending, so the secret stays out of the config

    bool operator==(const EmailChannel&) const = default;
};

// One [[alert]] entry of the controller config.
struct AlertPolicy {
    std::string name;
    std::vector<Health> states = {Health::down};    // warning and/or down
    std::vector<std::string> servers = {"*"};       // glob patterns (fnmatch)
    std::vector<std::string> services = {"*"};      // on the instance's service name
    int64_t for_ms = 0;                             // the state must hold this long
    bool recovery = true;
    std::optional<std::string> webhook;             // URL, JSON POST
    std::optional<EmailChannel> email;
    std::vector<std::string> command;               // argv; empty = none

    bool operator==(const AlertPolicy&) const = default;
};

// The channels a policy sends to, by name: "webhook", "email", "command".
std::vector<std::string> channel_names(const AlertPolicy& policy);

// Whether a change of `server` (and `instance`, if any) is one the policy watches by
// name: servers and services are fnmatch globs; a server-level change (no instance)
// matches only a services list that holds "*".
bool policy_covers(const AlertPolicy& policy, const std::string& server, const std::optional<InstanceRef>& instance);

// What an alert is about: a server as a whole (no instance) or one of its instances.
struct AlertSubject {
    std::string server;
    std::optional<InstanceRef> instance;
    auto operator<=>(const AlertSubject&) const = default;
};

struct AlertMessage {
    std::string kind;      // "alert", "recovery" or "test"
    std::string policy;
    AlertSubject subject;
    Health state = Health::unknown;  // the state the subject is in now
    int64_t since_ms = 0;  // alert: when the episode began; recovery: when it ended
    std::string reason;
    std::string account;   // whose policy sent it: "" for the controller config's

    bool operator==(const AlertMessage&) const = default;
};

// The JSON every channel carries (webhook body, command stdin, e-mail body):
// {"kind", "policy", "server", "instance": {domain, service, transport, address, port}
// or null, "state", "since" (RFC 3339 UTC), "since_ms", "reason"}, and "account" when an
// account's policy sent it.
nlohmann::json alert_json(const AlertMessage& message);
// One line for a subject line or a log: "ALERT down: web1 http/tcp 10.0.0.1:80 (example.com)".
std::string alert_summary(const AlertMessage& message);

// One open episode of (policy, subject).
struct Episode {
    Health state = Health::unknown;  // the latest state inside the policy's states
    int64_t since_ms = 0;            // when the subject entered the policy's states
    std::string reason;              // of the latest change
    bool sent = false;               // the alert went out

    bool operator==(const Episode&) const = default;
};

struct AlertEngine {
    std::map<std::pair<std::string, AlertSubject>, Episode> episodes;  // (policy name, subject)
    bool operator==(const AlertEngine&) const = default;
};

struct AlertStep {
    AlertEngine engine;
    std::vector<AlertMessage> messages;  // in the order they are due
};

// Applies `changes` (in order) and then the clock (`tick`). Pure.
AlertStep step(const std::vector<AlertPolicy>& policies, AlertEngine engine, const std::vector<StateChange>& changes,
               int64_t now_ms);
// Sends the alerts whose state has held `for_ms` by `now_ms`. Pure.
AlertStep tick(const std::vector<AlertPolicy>& policies, AlertEngine engine, int64_t now_ms);

// The message `patchbay alert test` sends through a policy's channels.
AlertMessage test_message(const AlertPolicy& policy, int64_t now_ms);

}  // namespace patchbay
