// Carries out a plan: stops first, then starts (each start preceded by its environment
// file), one log line per action. With dry_run it only logs what it would do. Follows
// each job to its JobRemoved, logs failures and removes the env file of a stopped unit.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "reconcile.h"
#include "systemd.h"

namespace patchbay {

class Applier {
public:
    // A start job of ours ended otherwise than "done" (unit, result): for the health report.
    using StartFailed = std::function<void(const std::string& unit, const std::string& result)>;

    // `systemd` may be null only with dry_run.
    Applier(SystemdClient* systemd, std::string env_dir, bool dry_run, StartFailed start_failed = nullptr)
        : systemd_(systemd), env_dir_(std::move(env_dir)), dry_run_(dry_run), start_failed_(std::move(start_failed)) {}

    // Starts applying `plan`; `done(failures)` runs once every StartUnit/StopUnit has been
    // answered (at once for a dry run). `serials` names the serial of each domain, for logs.
    void apply(const Plan& plan, const std::map<std::string, uint32_t>& serials,
               std::function<void(int failures)> done);

    // From SystemdClient's JobRemoved subscription.
    void job_removed(const std::string& job, const std::string& unit, const std::string& result);

    // Jobs we asked for that have not finished yet.
    size_t jobs_in_flight() const { return jobs_.size(); }
    // Jobs that ended with a result other than "done", since construction.
    int failed_jobs() const { return failed_jobs_; }

private:
    struct Job {
        std::string unit;
        bool start = false;
    };
    struct Batch {
        int outstanding = 0;
        int failures = 0;
        std::function<void(int)> done;
    };
    void answered(const std::shared_ptr<Batch>& batch, bool ok);

    SystemdClient* systemd_;
    std::string env_dir_;
    bool dry_run_;
    StartFailed start_failed_;
    std::map<std::string, Job> jobs_;  // job object path ⇒ what it is for
    int failed_jobs_ = 0;
};

// "start patchbay-http@10.10.10.121:80-tcp.service (http/tcp 10.10.10.121:80,
// hostdomain.com serial 7)" — the log line of one action. Pure.
std::string describe_action(std::string_view verb, const Action& action,
                            const std::map<std::string, uint32_t>& serials);

}  // namespace patchbay
