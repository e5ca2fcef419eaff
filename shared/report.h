// A health report: what an agent tells the controller on every change and on a
// heartbeat (issue 4, docs/reports.md) — the units it runs with their systemd state and
// probe result, the serial it applied per domain, and its host's load. The agent builds
// it, the controller parses it: both sides share this one definition of the wire format.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "result.h"
#include "tuple.h"

namespace patchbay {

// One probe run of an instance (TCP connect, HTTP GET, SIP OPTIONS or a command).
struct ProbeResult {
    std::string kind;        // "tcp", "http", "sip", "command"
    bool ok = false;
    double latency_ms = 0;   // time to the answer (or to the failure)
    std::string error;       // why it failed; empty when ok
    // Runs in a row with this same `ok`, this one included (≥ 1): the agent counts, so
    // the controller's thresholds (down after N failures, up after M successes) hold
    // however many heartbeats repeat one result.
    uint32_t streak = 1;

    bool operator==(const ProbeResult&) const = default;
};

// One running instance (a tuple placed on this host) as the agent sees it.
struct InstanceReport {
    std::string domain;  // the zone of its tuple
    TupleKey key;
    std::string unit;          // "patchbay-http@10.10.10.121:80.service"
    std::string active_state;  // systemd ActiveState: active, failed, inactive, activating…
    std::optional<ProbeResult> probe;  // none: the catalog entry has no probe (yet)
    std::optional<uint64_t> memory_bytes;  // systemd MemoryCurrent, when accounted
    std::optional<uint64_t> cpu_nsec;      // systemd CPUUsageNSec (cumulative)
    // Why the unit is not running, in systemd's words, when it failed: the service's
    // Result with its main process's exit ("exit-code: status 1", "signal: KILL") or the
    // result of the start job that failed ("start job: dependency"); empty otherwise.
    std::string error;

    bool operator==(const InstanceReport&) const = default;
};

// The host as a whole, from /proc.
struct HostMetrics {
    double load1 = 0;   // 1-minute load average
    double cpu = 0;     // busy fraction of all CPUs since the last report, 0..1
    double memory = 0;  // used fraction of memory (1 - MemAvailable/MemTotal), 0..1

    bool operator==(const HostMetrics&) const = default;
};

struct Report {
    std::string agent;  // the server's name (AgentConfig::name)
    std::string boot;   // random per agent start: seq restarts at 1 with a new boot
    uint64_t seq = 0;   // 1, 2, … in the order the agent made them
    int64_t at_ms = 0;  // agent clock (unix ms) when it was made
    std::map<std::string, uint32_t> serials;  // domain ⇒ serial of the snapshot applied
    HostMetrics host;
    std::vector<InstanceReport> instances;
    // What the controller needs to tell what should run here (`server show`): the
    // addresses bound on the host and the SERVICE/TRANSPORT pairs of its catalog
    // ("http/tcp"). Absent (nullopt) from agents older than convergence tracking.
    std::optional<std::vector<std::string>> addresses;
    std::optional<std::vector<std::string>> catalog;

    bool operator==(const Report&) const = default;
};

nlohmann::json to_json(const Report& report);
// Errors name the field, e.g. "instances[2].port: must be a whole number 0..65535";
// unknown fields are errors.
Result<Report> report_from(const nlohmann::json& body);

// POST /v1/reports carries {"reports": [REPORT, …]}, oldest first (a spool delivers
// several at once). Errors name the report: "reports[3].seq: …".
nlohmann::json reports_body(const std::vector<Report>& reports);
Result<std::vector<Report>> reports_from(const nlohmann::json& body);

}  // namespace patchbay
