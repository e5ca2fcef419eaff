// The classification rules of health.h, in the order the header lists them.
#include "health.h"

#include <cmath>
#include <cstdio>

namespace patchbay {

namespace {

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

bool over(double value, double threshold) { return threshold > 0 && value > threshold; }

std::string in_a_row(uint32_t streak) { return " (" + std::to_string(streak) + " in a row)"; }

// Up, or warning for the first threshold the instance (or its host) is over.
Verdict responsive(const InstanceReport& seen, const HostMetrics& host, const HealthCriteria& c,
                   std::optional<double> unit_cpu, std::string why_up) {
    if (seen.probe && over(seen.probe->latency_ms, c.latency_warning_ms))
        return {Health::warning, "probe " + seen.probe->kind + " latency " + fixed(seen.probe->latency_ms, 0) +
                                     " ms > " + fixed(c.latency_warning_ms, 0) + " ms"};
    if (seen.memory_bytes && c.unit_memory_warning_bytes > 0 && *seen.memory_bytes > c.unit_memory_warning_bytes)
        return {Health::warning, "unit memory " + std::to_string(*seen.memory_bytes) + " bytes > " +
                                     std::to_string(c.unit_memory_warning_bytes)};
    if (unit_cpu && over(*unit_cpu, c.unit_cpu_warning))
        return {Health::warning, "unit cpu " + fixed(*unit_cpu, 2) + " CPU > " + fixed(c.unit_cpu_warning, 2)};
    if (auto h = judge_host(host, c); h.state == Health::warning) return h;
    return {Health::up, std::move(why_up)};
}

}  // namespace

HealthCriteria with_overrides(HealthCriteria base, const HealthOverrides& o) {
    if (o.down_after) base.down_after = *o.down_after;
    if (o.up_after) base.up_after = *o.up_after;
    if (o.latency_warning_ms) base.latency_warning_ms = *o.latency_warning_ms;
    if (o.load_warning) base.load_warning = *o.load_warning;
    if (o.cpu_warning) base.cpu_warning = *o.cpu_warning;
    if (o.memory_warning) base.memory_warning = *o.memory_warning;
    if (o.unit_memory_warning_bytes) base.unit_memory_warning_bytes = *o.unit_memory_warning_bytes;
    if (o.unit_cpu_warning) base.unit_cpu_warning = *o.unit_cpu_warning;
    return base;
}

Verdict judge_host(const HostMetrics& host, const HealthCriteria& c) {
    if (over(host.load1, c.load_warning))
        return {Health::warning, "host load " + fixed(host.load1, 2) + " > " + fixed(c.load_warning, 2)};
    if (over(host.cpu, c.cpu_warning))
        return {Health::warning, "host cpu " + fixed(host.cpu, 2) + " > " + fixed(c.cpu_warning, 2)};
    if (over(host.memory, c.memory_warning))
        return {Health::warning, "host memory " + fixed(host.memory, 2) + " > " + fixed(c.memory_warning, 2)};
    return {Health::up, "reporting"};
}

std::optional<double> unit_cpu_rate(const InstanceReport& before, int64_t before_ms, const InstanceReport& now,
                                    int64_t now_ms) {
    if (!before.cpu_nsec || !now.cpu_nsec || now_ms <= before_ms || *now.cpu_nsec < *before.cpu_nsec)
        return std::nullopt;
    return static_cast<double>(*now.cpu_nsec - *before.cpu_nsec) / (static_cast<double>(now_ms - before_ms) * 1e6);
}

Verdict judge_instance(Health previous, const InstanceReport& seen, const HostMetrics& host, const HealthCriteria& c,
                       std::optional<double> unit_cpu) {
    const std::string& s = seen.active_state;
    // A new instance is reported before its start job runs (its unit still inactive) and
    // before systemd has said anything (unknown): it has not failed, it has not begun.
    if (previous == Health::unknown && s == "inactive") return {previous, "", true};
    if (s == "failed" || s == "inactive" || s == "deactivating") return {Health::down, "unit " + s};
    const bool starting = s == "activating";
    if (seen.probe && !seen.probe->ok) {
        const auto& p = *seen.probe;
        if (p.streak >= c.down_after)
            return {Health::down, "probe " + p.kind + ": " + (p.error.empty() ? "failed" : p.error) + in_a_row(p.streak)};
        return {previous, "", true};
    }
    if (starting) {
        // The unit is not serving yet: a failure systemd does not count, so only
        // down_after ≤ 1 decides on one report.
        if (c.down_after <= 1) return {Health::down, "unit activating"};
        return {previous, "", true};
    }
    if (!seen.probe) {
        if (s == "unknown") return {previous, "", true};  // no word from systemd, no probe: nothing known
        return responsive(seen, host, c, unit_cpu, "unit " + s);
    }
    const auto& p = *seen.probe;
    if (p.streak >= c.up_after || previous == Health::up || previous == Health::warning)
        return responsive(seen, host, c, unit_cpu, "probe " + p.kind + " ok" + in_a_row(p.streak));
    return {previous, "", true};
}

Verdict worse(Verdict a, const Verdict& b, const std::string& label) {
    if (b.state > a.state) return {b.state, label.empty() ? b.reason : label + ": " + b.reason};
    return a;
}

std::string silence_reason(int64_t silent_ms) { return "no report for " + std::to_string(silent_ms / 1000) + " s"; }

int64_t period_start(int64_t at_ms, uint32_t period_seconds) {
    int64_t len = int64_t{period_seconds ? period_seconds : 60} * 1000;
    int64_t q = at_ms / len;
    if (at_ms % len < 0) --q;
    return q * len;
}

}  // namespace patchbay
