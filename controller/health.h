// Classification (issue 4): what an agent's report means for the state of each of its
// instances and of the server as a whole. Pure functions over plain values, so every
// rule, the hysteresis and flapping sequences are table-tested (tests/unit/controller/
// health_test.cpp); the Watchdog (watchdog.h) keeps the states and calls these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "health_state.h"
#include "report.h"

namespace patchbay {

// The controller's [health] section; docs/watchdog.md. A threshold of 0 is off.
struct HealthCriteria {
    uint32_t down_after = 2;                 // probe failures in a row ⇒ down
    uint32_t up_after = 2;                   // probe successes in a row ⇒ up (or warning)
    uint32_t heartbeat_timeout_seconds = 6;  // no report this long ⇒ server and instances down
    double latency_warning_ms = 500;         // probe slower than this ⇒ warning
    double load_warning = 0;                 // host 1-min load over this ⇒ warning
    double cpu_warning = 0.95;               // host busy fraction over this ⇒ warning
    double memory_warning = 0.95;            // host used memory fraction over this ⇒ warning
    uint64_t unit_memory_warning_bytes = 0;  // a unit's MemoryCurrent over this ⇒ warning
    double unit_cpu_warning = 0;             // a unit's CPU time per second (1 = one CPU) over this ⇒ warning
    uint32_t period_seconds = 60;            // length of a history block
    uint32_t retention_days = 30;            // history older than this is deleted
};

// An account's [health] (docs/policies.md): the judging keys it gives, each replacing the
// controller's. The keys about the watchdog itself (heartbeat_timeout_seconds,
// period_seconds, retention_days) are the platform's only and have no slot here.
struct HealthOverrides {
    std::optional<uint32_t> down_after;
    std::optional<uint32_t> up_after;
    std::optional<double> latency_warning_ms;
    std::optional<double> load_warning;
    std::optional<double> cpu_warning;
    std::optional<double> memory_warning;
    std::optional<uint64_t> unit_memory_warning_bytes;
    std::optional<double> unit_cpu_warning;
    bool operator==(const HealthOverrides&) const = default;
};

// `base` with every key `overrides` gives replaced; the rest (and the platform-only
// keys) stay `base`'s.
HealthCriteria with_overrides(HealthCriteria base, const HealthOverrides& overrides);

struct Verdict {
    Health state = Health::unknown;
    std::string reason;  // empty when kept
    // The report did not decide (a failure or success streak below its threshold):
    // the previous state stands, with its reason.
    bool kept = false;
};

// The host's own verdict: up, or warning naming the first metric over its threshold.
Verdict judge_host(const HostMetrics& host, const HealthCriteria& criteria);

// An instance's state after `seen`, given its state before (hysteresis):
// - a new instance (previous unknown) whose unit is inactive, or any without a probe whose
//   unit state is unknown (systemd has not answered), keeps its state: not started yet;
// - active_state failed/inactive/deactivating ⇒ down at once (systemd's verdict);
// - a probe failure (or "activating") with streak ≥ down_after ⇒ down;
// - a probe success with streak ≥ up_after, or an active unit without a probe ⇒ up,
//   or warning when over a threshold (probe latency, unit memory, the host's metrics);
// - otherwise the previous state is kept; a success while up/warning re-checks thresholds.
// `unit_cpu` is the unit's CPU time per second of wall time since the report before
// (unit_cpu_rate), when known.
Verdict judge_instance(Health previous, const InstanceReport& seen, const HostMetrics& host,
                       const HealthCriteria& criteria, std::optional<double> unit_cpu = std::nullopt);

// CPU seconds per second a unit used between two of its reports (CPUUsageNSec is
// cumulative): none when either lacks it, time did not move forward, or the counter went
// back (the unit restarted).
std::optional<double> unit_cpu_rate(const InstanceReport& before, int64_t before_ms, const InstanceReport& now,
                                    int64_t now_ms);

// The worse of two verdicts (the first on a tie); `label` prefixes b's reason.
Verdict worse(Verdict a, const Verdict& b, const std::string& label = "");

// "no report for 6 s"
std::string silence_reason(int64_t silent_ms);

// The start (unix ms) of the history period holding `at_ms`.
int64_t period_start(int64_t at_ms, uint32_t period_seconds);

}  // namespace patchbay
