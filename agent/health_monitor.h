// The agent's health side (issue 4): for every instance this host runs, its systemd
// state (UnitWatch) and its protocol probe (Prober, per the catalog entry's
// [services.X.probe]); the host's load (/proc); and the Reporter that tells the
// controller. The Manager says which instances run and which serials are applied; this
// decides when that is news (a report now) and what each report says.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "curl_loop.h"
#include "host_metrics.h"
#include "probe.h"
#include "reconcile.h"
#include "refresh.h"
#include "reporter.h"
#include "unit_watch.h"

namespace patchbay {

// Whether a probe result is news: the first, an ok flip (both start a streak at 1), or
// any run while the streak is short (the controller's thresholds count runs: down after
// N failures, up after M successes, so each early run of a streak must reach it at
// once). Later runs ride on the heartbeat. Pure.
constexpr uint32_t kStreakReported = 5;
inline bool probe_result_matters(const ProbeResult& result) { return result.streak < kStreakReported; }

// What the reports say of the host: its addresses (canonical text) and the
// "SERVICE/TRANSPORT" pairs of its catalog, each sorted. Pure.
std::pair<std::vector<std::string>, std::vector<std::string>> host_facts(const std::vector<Address>& local,
                                                                         const std::vector<ServiceTransport>& queries);

// An instance this host runs: from the plan's start and keep (placed ones, with a domain).
std::vector<Action> placed_instances(const Plan& plan);

class HealthMonitor {
public:
    // `bus`: the SystemdClient's connection (nullptr: no systemd, states stay "unknown").
    // Errors: the spool directory, the loop or the bus refused.
    static Result<std::unique_ptr<HealthMonitor>> create(sd_event* event, sd_bus* bus, CurlLoop& curl,
                                                         const AgentConfig& config);
    HealthMonitor(const HealthMonitor&) = delete;
    HealthMonitor& operator=(const HealthMonitor&) = delete;
    ~HealthMonitor();

    // The instances placed here now (probers start and stop to match).
    void set_instances(const std::vector<Action>& placed);
    // The serial applied per domain.
    void set_serials(const std::map<std::string, uint32_t>& serials);
    // The host's addresses and "SERVICE/TRANSPORT" catalog (host_facts), for the
    // controller's desired-against-actual; a change is reported at once.
    void set_host(const std::vector<std::string>& addresses, const std::vector<std::string>& catalog);
    // A start job of ours for `unit` ended with `result`, not "done" (Applier): the
    // instance's error until it is active again, unless systemd gives a better reason.
    void start_job_failed(const std::string& unit, const std::string& result);

    // What the next report says (exposed for tests and for the metrics listener).
    ReportContent content();
    Reporter& reporter() { return *reporter_; }

private:
    struct Instance {
        Action action;
        std::unique_ptr<Prober> prober;
    };
    HealthMonitor(sd_event* event, CurlLoop& curl, const AgentConfig& config);

    sd_event* event_;
    CurlLoop& curl_;
    std::map<std::string, ProbeConfig> probes_;  // service ⇒ its probe
    std::map<std::string, uint32_t> serials_;
    std::vector<std::string> addresses_, catalog_;
    HostMetricsReader host_;
    std::map<std::string, Instance> instances_;  // by unit
    std::unique_ptr<UnitWatch> watch_;
    std::unique_ptr<Reporter> reporter_;
};

}  // namespace patchbay
