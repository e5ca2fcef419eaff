#include "manager.h"

#include <signal.h>
#include <sys/signalfd.h>

#include <algorithm>
#include <cstring>
#include <iostream>

#include <systemd/sd-daemon.h>

#include "json_post.h"
#include "log.h"
#include "plan_json.h"
#include "registration.h"
#include "snapshot_file.h"

namespace patchbay {

namespace {

constexpr uint64_t kSecond = 1'000'000;
constexpr uint64_t kRegisterEvery = 300 * kSecond;  // re-register every 5 min
constexpr uint64_t kOnceJobWait = 30 * kSecond;     // --once: wait this long for jobs
constexpr const char* kDefaultStateFile = "/var/lib/patchbay-agent/snapshot.json";

std::string join_addresses(const std::vector<Address>& list) {
    std::string out;
    for (const auto& a : list) out += (out.empty() ? "" : " ") + a.str();
    return out.empty() ? "none" : out;
}

bool same_actions(const Plan& a, const Plan& b) {
    return a.start == b.start && a.stop == b.stop && a.keep == b.keep;
}

}  // namespace

Manager::Manager(AgentConfig config, ManagerOptions options)
    : config_(std::move(config)), options_(options) {
    for (const auto& s : config_.services)
        for (const auto& t : s.transports) queries_.push_back({s.name, t});
    catalog_ = config_.catalog();
}

Manager::~Manager() = default;

Result<std::unique_ptr<Manager>> Manager::create(AgentConfig config, ManagerOptions options) {
    std::unique_ptr<Manager> m(new Manager(std::move(config), options));
    if (auto ok = m->setup(); !ok) return fail(ok.error());
    return m;
}

Result<void> Manager::setup() {
    sd_event* e = nullptr;
    if (int r = sd_event_new(&e); r < 0) return fail(std::string("sd_event_new: ") + std::strerror(-r));
    event_.reset(e);
    // Pings the watchdog from the loop itself, so a stuck loop gets us restarted.
    sd_event_set_watchdog(e, true);

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, nullptr);  // sd_event_add_signal needs them blocked
    sd_event_source* s = nullptr;
    if (sd_event_add_signal(e, &s, SIGTERM, &Manager::on_signal, this) >= 0) sigterm_.reset(s);
    if (sd_event_add_signal(e, &s, SIGINT, &Manager::on_signal, this) >= 0) sigint_.reset(s);

    auto local = local_addresses();
    if (!local) return fail(local.error());
    local_ = *local;
    log_info("local addresses: " + join_addresses(local_));

    auto resolver = Resolver::create(e, config_.resolvers, config_.query_timeout_ms);
    if (!resolver) return fail(resolver.error());
    resolver_ = std::move(*resolver);

    auto bus = SystemdClient::connect(e, [this](const std::string& job, const std::string& unit,
                                                const std::string& result) {
        if (applier_) applier_->job_removed(job, unit, result);
        if (options_.once && once_applied_ && applier_->jobs_in_flight() == 0) finish_once();
    });
    if (bus) {
        systemd_ = std::move(*bus);
    } else if (options_.dry_run) {
        log_warning(bus.error() + "; dry run: treating no instance as running");
    } else {
        return fail(bus.error());
    }
    applier_ = std::make_unique<Applier>(systemd_.get(), config_.env_dir, options_.dry_run,
                                         [this](const std::string& unit, const std::string& result) {
                                             if (health_) health_->start_job_failed(unit, result);
                                         });

    for (const auto& name : config_.domains) {
        auto d = std::make_unique<DomainState>();
        d->name = name;
        d->owner = this;
        if (int r = sd_event_add_time_relative(e, &s, CLOCK_MONOTONIC, 0, 0, &Manager::on_poll, d.get()); r < 0)
            return fail(std::string("sd-event timer: ") + std::strerror(-r));
        d->timer.reset(s);
        sd_event_source_set_enabled(s, SD_EVENT_OFF);
        domains_.push_back(std::move(d));
    }
    load_state();
    if (options_.once) {
        if (sd_event_add_time_relative(e, &s, CLOCK_MONOTONIC, kOnceJobWait, kSecond, &Manager::on_once_timeout,
                                       this) >= 0) {
            once_timer_.reset(s);
            sd_event_source_set_enabled(s, SD_EVENT_OFF);
        }
        return {};
    }

    if (config_.notify_endpoint) {
        auto l = NotifyListener::create(e, *config_.notify_endpoint, config_.domains,
                                        [this](const std::string& domain) {
                                            for (auto& d : domains_)
                                                if (d->name == domain) refresh(*d, false, "notify");
                                        });
        if (!l) return fail(l.error());
        notify_ = std::move(*l);
        log_info("listening for NOTIFY on " + config_.notify_endpoint->str() + " (udp and tcp)");
    }
    auto watch = AddressWatch::create(e, [this] { on_addresses_changed(); });
    if (!watch) return fail(watch.error());
    address_watch_ = std::move(*watch);

    if (!config_.controller.empty()) {
        if (sd_event_add_time_relative(e, &s, CLOCK_MONOTONIC, 0, kSecond, &Manager::on_register, this) < 0)
            return fail("sd-event timer for registration");
        register_timer_.reset(s);
        start_health();
    }
    if (config_.metrics_listen) start_metrics();
    return {};
}

void Manager::start_metrics() {
    sd_event_source* s = nullptr;
    // One publish a second: scrapes come every 15 s or so, and the loop never waits on one.
    if (sd_event_add_time_relative(event_.get(), &s, CLOCK_MONOTONIC, 0, kSecond, &Manager::on_metrics, this) < 0)
        return log_error("no /metrics: cannot add its timer");
    metrics_timer_.reset(s);
    sd_event_source_set_enabled(s, SD_EVENT_ON);
    auto server = MetricsServer::start(*config_.metrics_listen, [text = &metrics_text_] { return text->read(); });
    if (!server) return log_error("no /metrics: " + server.error());
    metrics_server_ = std::move(*server);
    log_info("metrics on http://" + metrics_server_->bound().str() + "/metrics");
}

AgentFigures Manager::figures() const {
    AgentFigures f;
    f.running = matching_tuples();
    f.action_failures = static_cast<uint64_t>(action_failures_);
    for (const auto& d : domains_) f.serials[d->name] = d->serial;
    if (health_) {
        const Reporter& r = health_->reporter();
        f.reporting = true;
        f.reports_made = r.made();
        f.reports_delivered = r.delivered();
        f.reports_refused = r.refused();
        f.reports_dropped = r.spool_dropped();
        f.reports_spooled = r.spooled();
    }
    return f;
}

int Manager::on_metrics(sd_event_source* s, uint64_t usec, void* data) {
    auto* self = static_cast<Manager*>(data);
    self->metrics_text_.publish(render_metrics(agent_metrics(self->figures())));
    sd_event_source_set_time(s, usec + kSecond);
    sd_event_source_set_enabled(s, SD_EVENT_ON);
    return 0;
}

void Manager::start_health() {
    auto curl = CurlLoop::create(event_.get());
    if (!curl) return log_error("no health reports: " + curl.error());
    curl_ = std::move(*curl);
    registration_post_ = std::make_unique<JsonPost>(*curl_);
    auto health = HealthMonitor::create(event_.get(), systemd_ ? systemd_->bus() : nullptr, *curl_, config_);
    // Placement never depends on reporting: without reports the agent still places, and
    // the controller calls this host down for its missing heartbeat.
    if (!health) return log_error("no health reports: " + health.error());
    health_ = std::move(*health);
    log_info("reporting to " + config_.controller + " every " + std::to_string(config_.report_seconds) +
             " s and on every change");
}

int Manager::run() {
    for (auto& d : domains_) refresh(*d, false, "start-up");
    if (!options_.once) {
        sd_notify(0, "READY=1\nSTATUS=starting: first refresh");
        log_info("patchbay-agent " + config_.name + " running: " + std::to_string(config_.domains.size()) +
                 " domain(s), " + std::to_string(queries_.size()) + " SRV name(s) each" +
                 (options_.dry_run ? ", dry run" : ""));
    }
    int r = sd_event_loop(event_.get());
    if (!options_.once) sd_notify(0, "STOPPING=1");
    if (r < 0) {
        log_error(std::string("event loop: ") + std::strerror(-r));
        return kExitFailure;
    }
    return r;
}

void Manager::arm(sd_event_source* timer, uint64_t usec) {
    // Re-armed, not recreated (one timer per purpose for the agent's whole life).
    sd_event_source_set_time_relative(timer, usec);
    sd_event_source_set_enabled(timer, SD_EVENT_ONESHOT);
}

void Manager::refresh(DomainState& d, bool force, const std::string& reason) {
    if (d.busy) {
        d.again = true;  // one more when the current one ends; never two at once
        d.force = d.force || force;
        d.again_reason = reason;
        return;
    }
    d.busy = true;
    sd_event_source_set_enabled(d.timer.get(), SD_EVENT_OFF);
    RefreshRequest req{d.name, queries_, d.serial, force || d.force};
    d.force = false;
    log_debug(d.name + ": SOA check (" + reason + (req.force ? ", full fetch" : "") + ")", {{LogKey::zone, d.name}});
    refresh_domain(*resolver_, std::move(req), [this, &d, reason](RefreshResult r) {
        on_refreshed(d, reason, std::move(r));
    });
}

void Manager::on_refreshed(DomainState& d, const std::string& reason, RefreshResult r) {
    d.busy = false;
    d.attempted = true;
    const uint64_t poll = static_cast<uint64_t>(config_.poll_seconds) * kSecond;
    if (r.kind == RefreshResult::Kind::failed) {
        // Keep the last complete snapshot and what runs; retry with capped backoff.
        d.backoff_usec = d.backoff_usec == 0 ? kSecond : std::min(d.backoff_usec * 2, poll);
        d.last_error = r.error;
        log_warning(d.name + ": no complete snapshot (" + r.error + "); keeping " +
                        (d.serial ? "serial " + std::to_string(*d.serial) : std::string("nothing known yet")) +
                        (options_.once ? std::string() : ", retry in " + std::to_string(d.backoff_usec / 1000) + " ms"),
                    {{LogKey::zone, d.name}});
    } else {
        d.backoff_usec = 0;
        d.last_error.clear();
        if (r.kind == RefreshResult::Kind::fetched) {
            log_info(d.name + ": serial " + std::to_string(r.serial) + ", " + std::to_string(r.tuples.size()) +
                         " tuple(s) (" + reason + ", " + std::to_string(r.queries) + " queries)",
                     {{LogKey::zone, d.name}, {LogKey::serial, r.serial}});
            d.tuples = std::move(r.tuples);
            d.confirmed = true;
        } else {
            // A poll that finds the serial unchanged is the quiet, common case: debug only.
            log_entry(reason != "poll" && reason != "retry" ? LogLevel::info : LogLevel::debug,
                      d.name + ": serial " + std::to_string(r.serial) + " unchanged (" + reason + ")",
                      {{LogKey::zone, d.name}, {LogKey::serial, r.serial}});
        }
        d.serial = r.serial;
        d.confirmed = d.confirmed || d.tuples.has_value();  // the loaded snapshot's serial still holds
        if (r.kind == RefreshResult::Kind::fetched) save_state();
    }
    if (options_.once) {
        bool all = std::all_of(domains_.begin(), domains_.end(), [](const auto& x) { return x->attempted; });
        if (all) request_reconcile();
        return;
    }
    if (d.again) {
        d.again = false;
        refresh(d, false, d.again_reason);
    } else {
        uint64_t idle = static_cast<uint64_t>(config_.idle_poll_seconds) * kSecond;
        arm(d.timer.get(), d.backoff_usec ? d.backoff_usec : (placed_here() == 0 ? idle : poll));
    }
    request_reconcile();
}

void Manager::request_reconcile() {
    if (reconciling_) {
        reconcile_again_ = true;
        return;
    }
    reconciling_ = true;
    if (!systemd_) return reconcile_with({});
    // What runs is read from systemd every time, never remembered from what we asked.
    systemd_->list_instances(catalog_, [this](Result<std::vector<RunningInstance>> running) {
        if (!running) {
            if (options_.dry_run) {
                log_warning(running.error() + "; dry run: treating no instance as running");
                return reconcile_with({});
            }
            log_error(running.error() + "; not reconciling now");
            return after_apply(1);
        }
        reconcile_with(*running);
    });
}

void Manager::reconcile_with(const std::vector<RunningInstance>& running) {
    // The first listing since start-up: what already runs (e.g. placed before a restart of
    // the agent) is adopted, i.e. counted as running and never restarted. Said once each.
    if (!last_logged_plan_)
        for (const auto& r : running)
            log_info("adopted " + r.unit + " (" + r.key.str() + "): already running at start-up",
                     {{LogKey::unit, r.unit}});
    Plan plan = reconcile(known_domains(), local_, catalog_, running);
    if (std::any_of(domains_.begin(), domains_.end(), [](const auto& d) { return d->tuples && !d->confirmed; }))
        plan = hold_stops(std::move(plan));
    last_plan_ = plan;
    if (health_) {
        health_->set_instances(placed_instances(plan));
        health_->set_serials(serials());
        auto [addresses, catalog] = host_facts(local_, queries_);
        health_->set_host(addresses, catalog);
    }
    // A dry-running daemon would repeat the same "would start" lines every poll.
    bool changed = !last_logged_plan_ || !same_actions(*last_logged_plan_, plan);
    last_logged_plan_ = plan;
    if (options_.json && !options_.once && changed && (!plan.start.empty() || !plan.stop.empty()))
        std::cout << plan_json(plan).dump() << std::endl;
    if (plan.held && changed)
        log_warning("stops held back: a domain has never been seen complete");
    if (options_.dry_run && !changed) return after_apply(0);
    applier_->apply(plan, serials(), [this](int failures) { after_apply(failures); });
}

void Manager::after_apply(int failures) {
    action_failures_ += failures;
    reconciling_ = false;
    update_status();
    if (options_.once) {
        once_applied_ = true;
        if (applier_->jobs_in_flight() == 0) return finish_once();
        log_info("waiting for " + std::to_string(applier_->jobs_in_flight()) + " job(s)");
        if (once_timer_) sd_event_source_set_enabled(once_timer_.get(), SD_EVENT_ONESHOT);
        return;
    }
    if (reconcile_again_) {
        reconcile_again_ = false;
        request_reconcile();
    }
}

void Manager::finish_once() {
    if (std::exchange(once_finished_, true)) return;
    int code = kExitOk;
    for (const auto& d : domains_) {
        if (d->confirmed) continue;
        log_error("patchbay-agent: " + d->name + ": could not fetch a complete snapshot (" + d->last_error + "); " +
                      (d->tuples ? "placed from the last-known-good snapshot (serial " + std::to_string(*d->serial) +
                                       "), stopped nothing"
                                 : std::string("nothing was stopped")),
                  {{LogKey::zone, d->name}});
        code = kExitIncomplete;
    }
    if (code == kExitOk && (action_failures_ > 0 || applier_->failed_jobs() > 0)) code = kExitFailure;
    sd_event_exit(event_.get(), code);
}

void Manager::on_addresses_changed() {
    auto now = local_addresses();
    if (!now) return log_error(now.error());
    if (*now == local_) return;
    log_info("local addresses changed: " + join_addresses(*now));
    local_ = std::move(*now);
    // The controller hears of the new addresses now, not after the systemd listing.
    if (health_) {
        auto [addresses, catalog] = host_facts(local_, queries_);
        health_->set_host(addresses, catalog);
    }
    request_reconcile();  // at once, with the snapshots we have
    for (auto& d : domains_) refresh(*d, true, "addresses changed");
}

std::string Manager::state_file() const {
    if (config_.state_file) return *config_.state_file;
    return options_.once || options_.dry_run ? std::string() : std::string(kDefaultStateFile);
}

void Manager::load_state() {
    const std::string path = state_file();
    if (path.empty()) return;
    auto loaded = load_snapshot_file(path);
    if (!loaded) return log_warning("last-known-good snapshot not used: " + loaded.error());
    if (!*loaded) return;
    auto starting = starting_snapshots(**loaded, config_.domains);
    for (const auto& s : starting) {
        for (auto& d : domains_) {
            if (d->name != s.domain) continue;
            d->serial = s.serial;
            d->tuples = s.tuples;
        }
    }
    if (!starting.empty()) log_info("loaded last-known-good snapshot from " + path + ": " + describe_snapshots(starting));
}

void Manager::save_state() {
    const std::string path = state_file();
    if (path.empty()) return;
    std::vector<KnownSnapshot> known;
    for (const auto& d : domains_)
        if (d->tuples && d->serial) known.push_back({d->name, *d->serial, *d->tuples});
    auto saved = save_snapshot_file(path, known);
    if (!saved && !std::exchange(state_save_failed_, true))
        log_warning("cannot keep the last-known-good snapshot: " + saved.error());
    if (saved) state_save_failed_ = false;
}

void Manager::register_now() {
    std::string token;
    if (!config_.token_file.empty()) {
        auto t = read_token(config_.token_file);
        if (!t) log_warning(t.error() + "; registering without a token");
        else token = std::move(*t);
    }
    auto body = registration_body(config_.name, config_.notify_listen, config_.domains);
    if (registration_post_) {
        // On the CurlLoop: the loop goes on placing while the controller answers.
        return registration_post_->post(config_.controller + "/v1/agents", token, body, 2000,
                                        [this](Result<ApiAnswer> answer) {
                                            registered(answer ? registration_outcome(config_.controller, *answer)
                                                              : Result<void>(answer.failure()));
                                        });
    }
    registered(post_registration(config_.controller, token, body));
}

void Manager::registered(const Result<void>& ok) {
    if (ok) {
        log_info("registered with " + config_.controller + " as " + config_.name, {{LogKey::host, config_.name}});
        register_backoff_usec_ = 0;
        return arm(register_timer_.get(), kRegisterEvery);
    }
    register_backoff_usec_ = register_backoff_usec_ == 0 ? 5 * kSecond
                                                         : std::min(register_backoff_usec_ * 2, kRegisterEvery);
    log_warning("registration failed: " + ok.error() + "; retry in " +
                std::to_string(register_backoff_usec_ / kSecond) + " s");
    arm(register_timer_.get(), register_backoff_usec_);
}

std::map<std::string, uint32_t> Manager::serials() const {
    std::map<std::string, uint32_t> out;
    for (const auto& d : domains_)
        if (d->serial) out[d->name] = *d->serial;
    return out;
}

size_t Manager::placed_here() const {
    // From the snapshots just fetched, not the last plan: the poll rate must follow the
    // data of this refresh (the seed: servers that match nothing poll faster).
    return reconcile(known_domains(), local_, catalog_, {}).start.size();
}

std::vector<DomainTuples> Manager::known_domains() const {
    std::vector<DomainTuples> known;
    for (const auto& d : domains_) known.push_back({d->name, d->tuples});
    return known;
}

size_t Manager::matching_tuples() const {
    return last_plan_.start.size() +
           std::count_if(last_plan_.keep.begin(), last_plan_.keep.end(),
                         [](const Action& a) { return !a.domain.empty(); });
}

void Manager::update_status() {
    std::string status;
    for (const auto& d : domains_)
        status += d->name + (d->serial ? " serial " + std::to_string(*d->serial) : std::string(" unknown")) +
                  (d->last_error.empty() ? "" : " (retrying)") + ", ";
    status += std::to_string(matching_tuples()) + (options_.dry_run ? " would run" : " running");
    sd_notify(0, ("STATUS=" + status).c_str());
}

int Manager::on_poll(sd_event_source*, uint64_t, void* data) {
    auto* d = static_cast<DomainState*>(data);
    try {
        d->owner->refresh(*d, false, d->backoff_usec ? "retry" : "poll");
    } catch (const std::exception& e) {
        log_error(std::string("internal error on a poll: ") + e.what());
    }
    return 0;
}

int Manager::on_register(sd_event_source*, uint64_t, void* data) {
    try {
        static_cast<Manager*>(data)->register_now();
    } catch (const std::exception& e) {
        log_error(std::string("internal error while registering: ") + e.what());
    }
    return 0;
}

int Manager::on_signal(sd_event_source*, const signalfd_siginfo* si, void* data) {
    auto* self = static_cast<Manager*>(data);
    // Exit without touching the services: they keep running under systemd (a restart of
    // the agent must never interrupt what it placed).
    log_info(std::string("signal ") + strsignal(static_cast<int>(si->ssi_signo)) + ": exiting, services left running");
    sd_event_exit(self->event_.get(), self->options_.once ? kExitFailure : kExitOk);
    return 0;
}

int Manager::on_once_timeout(sd_event_source*, uint64_t, void* data) {
    auto* self = static_cast<Manager*>(data);
    log_error("jobs still running after 30 s; exiting");
    self->action_failures_++;
    self->finish_once();
    return 0;
}

}  // namespace patchbay
