#include "apply.h"

#include <memory>

#include "env_file.h"
#include "log.h"

namespace patchbay {

std::string describe_action(std::string_view verb, const Action& a,
                            const std::map<std::string, uint32_t>& serials) {
    std::string out(verb);
    out += " " + a.unit + " (" + a.key.str();
    if (a.domain.empty()) {
        out += ", not placed here any more";
    } else {
        out += ", " + a.domain;
        if (auto s = serials.find(a.domain); s != serials.end()) out += " serial " + std::to_string(s->second);
    }
    return out + ")";
}

namespace {

// The journal fields of a line about an action: its unit (so `journalctl -u UNIT` shows
// it), its tuple, its zone and serial.
LogFields action_fields(const Action& a, const std::map<std::string, uint32_t>& serials) {
    LogFields fields{{LogKey::unit, a.unit},
                     {LogKey::service, a.key.service},
                     {LogKey::transport, a.key.transport},
                     {LogKey::address, a.key.address.str()},
                     {LogKey::port, a.key.port}};
    if (!a.domain.empty()) {
        fields.push_back({LogKey::zone, a.domain});
        if (auto s = serials.find(a.domain); s != serials.end()) fields.push_back({LogKey::serial, s->second});
    }
    return fields;
}

}  // namespace

void Applier::apply(const Plan& plan, const std::map<std::string, uint32_t>& serials,
                    std::function<void(int)> done) {
    auto batch = std::make_shared<Batch>();
    batch->done = std::move(done);
    batch->outstanding = 1;  // held until every call below is sent
    if (dry_run_) {
        for (const auto& a : plan.stop) log_notice(describe_action("would stop", a, serials), action_fields(a, serials));
        for (const auto& a : plan.start)
            log_notice(describe_action("would start", a, serials), action_fields(a, serials));
        return answered(batch, true);
    }
    // Stops first: a tuple that moved frees its place before its successor needs it.
    for (const auto& a : plan.stop) {
        log_notice(describe_action("stop", a, serials), action_fields(a, serials));
        ++batch->outstanding;
        systemd_->stop_unit(a.unit, [this, batch, unit = a.unit](Result<std::string> job) {
            if (!job) {
                log_error(job.error(), {{LogKey::unit, unit}});
            } else if (job->empty()) {
                (void)remove_env_file(env_dir_, unit);  // already inactive
            } else {
                jobs_[*job] = Job{unit, false};
            }
            answered(batch, job.ok());
        });
    }
    for (const auto& a : plan.start) {
        // The unit reads its tuple from this file, so it must exist before StartUnit.
        if (auto ok = write_env_file(env_dir_, a.unit, env_file_text(a)); !ok) {
            log_error("not starting " + a.unit + ": " + ok.error(), action_fields(a, serials));
            ++batch->failures;
            continue;
        }
        log_notice(describe_action("start", a, serials), action_fields(a, serials));
        ++batch->outstanding;
        systemd_->start_unit(a.unit, [this, batch, unit = a.unit](Result<std::string> job) {
            if (!job)
                log_error(job.error(), {{LogKey::unit, unit}});
            else
                jobs_[*job] = Job{unit, true};
            answered(batch, job.ok());
        });
    }
    answered(batch, true);
}

void Applier::answered(const std::shared_ptr<Batch>& batch, bool ok) {
    if (!ok) ++batch->failures;
    if (--batch->outstanding == 0 && batch->done) std::exchange(batch->done, nullptr)(batch->failures);
}

void Applier::job_removed(const std::string& job, const std::string& unit, const std::string& result) {
    auto found = jobs_.find(job);
    if (found == jobs_.end()) return;  // someone else's job
    Job ours = found->second;
    jobs_.erase(found);
    if (result != "done") {
        ++failed_jobs_;
        log_error(std::string(ours.start ? "start" : "stop") + " of " + unit + " ended with result '" +
                  result + "' (see: journalctl -u " + unit + ")",
                  {{LogKey::unit, unit}});
        if (ours.start && start_failed_) start_failed_(unit, result);
        return;
    }
    if (!ours.start) {
        if (auto ok = remove_env_file(env_dir_, unit); !ok) log_warning(ok.error(), {{LogKey::unit, unit}});
    }
}

}  // namespace patchbay
