#include "health_monitor.h"

#include <set>

#include "log.h"

namespace patchbay {

std::pair<std::vector<std::string>, std::vector<std::string>> host_facts(const std::vector<Address>& local,
                                                                         const std::vector<ServiceTransport>& queries) {
    std::set<std::string> addresses, catalog;
    for (const auto& a : local) addresses.insert(a.str());
    for (const auto& q : queries) catalog.insert(q.service + "/" + q.transport);
    return {{addresses.begin(), addresses.end()}, {catalog.begin(), catalog.end()}};
}

std::vector<Action> placed_instances(const Plan& plan) {
    std::vector<Action> out;
    for (const auto* list : {&plan.start, &plan.keep})
        for (const auto& a : *list)
            if (!a.domain.empty()) out.push_back(a);
    return out;
}

HealthMonitor::HealthMonitor(sd_event* event, CurlLoop& curl, const AgentConfig& config)
    : event_(event), curl_(curl) {
    for (const auto& s : config.services)
        if (s.probe) probes_[s.name] = *s.probe;
}

HealthMonitor::~HealthMonitor() {
    reporter_.reset();
    instances_.clear();
    watch_.reset();
}

Result<std::unique_ptr<HealthMonitor>> HealthMonitor::create(sd_event* event, sd_bus* bus, CurlLoop& curl,
                                                             const AgentConfig& config) {
    std::unique_ptr<HealthMonitor> m(new HealthMonitor(event, curl, config));
    HealthMonitor* self = m.get();
    if (bus) {
        auto watch = UnitWatch::create(bus, [self](const std::string& unit, const std::string& before,
                                                   const std::string& after) {
            if (before != "unknown" && before != after)
                log_info(unit + ": " + before + " ⇒ " + after, {{LogKey::unit, unit}});
            if (before == after) {  // the same state, now with systemd's reason
                if (auto status = self->watch_->status(unit); !status.error.empty())
                    log_warning(unit + ": " + after + ": " + status.error, {{LogKey::unit, unit}});
            }
            if (!self->reporter_) return;
            if (!unit_fell(before, after)) return self->reporter_->changed();
            // The agent (or Restart=) may start it again before a deferred report is
            // made: the fall is told now, and the probe's earlier successes no longer count.
            auto it = self->instances_.find(unit);
            if (it != self->instances_.end() && it->second.prober) it->second.prober->unit_fell(after);
            self->reporter_->report_now();
        });
        if (!watch) return watch.failure();
        m->watch_ = std::move(*watch);
    }
    auto spool = Spool::open(config.spool_dir, static_cast<size_t>(config.spool_max));
    if (!spool) return spool.failure();
    ReporterOptions options;
    options.agent = config.name;
    options.controller = config.controller;
    options.token_file = config.token_file;
    options.report_seconds = config.report_seconds;
    auto reporter = Reporter::create(event, curl, std::move(*spool), options, [self] {
        // Memory and CPU are read now for the next report: systemd does not signal them.
        if (self->watch_) self->watch_->refresh();
        return self->content();
    });
    if (!reporter) return reporter.failure();
    m->reporter_ = std::move(*reporter);
    return m;
}

void HealthMonitor::set_instances(const std::vector<Action>& placed) {
    std::map<std::string, Action> now;
    for (const auto& a : placed) now.emplace(a.unit, a);
    bool changed = now.size() != instances_.size();
    for (auto it = instances_.begin(); it != instances_.end();) {
        if (now.count(it->first)) {
            ++it;
        } else {
            it = instances_.erase(it);  // its prober stops (a command in flight is killed)
            changed = true;
        }
    }
    for (const auto& [unit, action] : now) {
        if (instances_.count(unit)) continue;
        changed = true;
        Instance& i = instances_[unit];
        i.action = action;
        auto probe = probes_.find(action.key.service);
        if (probe == probes_.end()) continue;
        auto prober = Prober::create(event_, curl_, probe->second, ProbeTarget{action.domain, action.key},
                                     [this, unit = unit, zone = action.domain](const ProbeResult& r) {
                                         LogFields fields{{LogKey::unit, unit}, {LogKey::zone, zone}};
                                         if (r.streak == 1 && !r.ok)
                                             log_warning(unit + ": " + r.kind + " probe failed: " + r.error, fields);
                                         else if (r.streak == 1)
                                             log_info(unit + ": " + r.kind + " probe ok", fields);
                                         if (probe_result_matters(r)) reporter_->changed();
                                     });
        if (!prober) {
            log_error(unit + ": cannot probe: " + prober.error(), {{LogKey::unit, unit}});
            continue;
        }
        i.prober = std::move(*prober);
    }
    if (watch_) {
        std::set<std::string> units;
        for (const auto& [unit, i] : instances_) units.insert(unit);
        watch_->watch(units);
    }
    if (changed && reporter_) reporter_->changed();
}

void HealthMonitor::set_serials(const std::map<std::string, uint32_t>& serials) {
    if (serials == serials_) return;
    serials_ = serials;
    if (reporter_) reporter_->changed();
}

void HealthMonitor::set_host(const std::vector<std::string>& addresses, const std::vector<std::string>& catalog) {
    if (addresses == addresses_ && catalog == catalog_) return;
    addresses_ = addresses;
    catalog_ = catalog;
    if (reporter_) reporter_->changed();
}

void HealthMonitor::start_job_failed(const std::string& unit, const std::string& result) {
    if (watch_) watch_->start_job_ended(unit, result);
}

ReportContent HealthMonitor::content() {
    ReportContent c;
    c.serials = serials_;
    c.addresses = addresses_;
    c.catalog = catalog_;
    c.host = host_.read();
    for (const auto& [unit, i] : instances_) {
        InstanceReport r;
        r.domain = i.action.domain;
        r.key = i.action.key;
        r.unit = unit;
        UnitStatus status = watch_ ? watch_->status(unit) : UnitStatus{};
        r.active_state = status.active_state;
        r.memory_bytes = status.memory_bytes;
        r.cpu_nsec = status.cpu_nsec;
        r.error = status.error;
        if (i.prober) r.probe = i.prober->last();
        c.instances.push_back(std::move(r));
    }
    return c;
}

}  // namespace patchbay
