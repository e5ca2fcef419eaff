// The Watchdog (watchdog.h): reports in, states and history out.
#include "watchdog.h"

#include <algorithm>

#include "log.h"

namespace patchbay {

namespace {

bool same_instance(const InstanceRef& ref, const InstanceReport& i) { return ref.key == i.key && ref.domain == i.domain; }

}  // namespace

std::vector<MetricFamily> Watchdog::metrics() const {
    std::lock_guard lock(mutex_);
    MetricFamily reports{"patchbay_reports_total", "Health reports received, by what became of them", "counter", {}};
    reports.samples.push_back({{{"result", "accepted"}}, static_cast<double>(accepted_total_)});
    reports.samples.push_back({{{"result", "duplicate"}}, static_cast<double>(duplicates_total_)});
    MetricFamily lost{"patchbay_reports_lost_total",
                      "Reports an agent made that never arrived (gaps in its sequence numbers)", "counter", {}};
    std::map<Health, double> servers, instances;
    for (Health h : {Health::unknown, Health::up, Health::warning, Health::down}) servers[h] = instances[h] = 0;
    for (const auto& [name, s] : servers_) {
        lost.samples.push_back({{{"server", name}}, static_cast<double>(s.lost)});
        servers[s.state] += 1;
        for (const auto& i : s.instances) instances[s.state == Health::down ? Health::down : i.state] += 1;
    }
    MetricFamily by_server{"patchbay_servers", "Servers by state", "gauge", {}};
    MetricFamily by_instance{"patchbay_instances", "Placed instances reported on, by state", "gauge", {}};
    MetricFamily changes{"patchbay_state_changes_total", "State changes of servers and instances, by new state",
                         "counter", {}};
    for (Health h : {Health::unknown, Health::up, Health::warning, Health::down}) {
        std::string name(health_name(h));
        by_server.samples.push_back({{{"state", name}}, servers[h]});
        by_instance.samples.push_back({{{"state", name}}, instances[h]});
        auto it = changes_total_.find(h);
        changes.samples.push_back({{{"state", name}}, it == changes_total_.end() ? 0.0 : static_cast<double>(it->second)});
    }
    return {reports, lost, by_server, by_instance, changes};
}

int64_t unix_ms_now() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Result<std::unique_ptr<Watchdog>> Watchdog::open(const std::string& db_path, const HealthCriteria& criteria,
                                                 int64_t now_ms) {
    auto history = History::open(db_path);
    if (!history) return history.failure();
    auto loaded = history->load();
    if (!loaded) return loaded.failure();
    std::unique_ptr<Watchdog> w(new Watchdog(std::move(*history), criteria));
    const int64_t period = period_start(now_ms, criteria.period_seconds);
    for (auto& row : loaded->servers) {
        Server s;
        s.name = row.name;
        s.boot = row.boot;
        s.seq = row.seq;
        s.last_report_ms = row.last_report_ms;
        s.reports = row.reports;
        s.lost = row.lost;
        s.state = row.state;
        s.since_ms = row.since_ms;
        s.reason = row.reason;
        s.period_ms = period;
        s.worst = row.state;
        if (!row.last_report.empty()) {
            auto json = nlohmann::json::parse(row.last_report, nullptr, false);
            if (auto r = report_from(json)) s.last = std::move(*r);
        }
        w->servers_.emplace(row.name, std::move(s));
    }
    for (auto& row : loaded->instances) {
        auto it = w->servers_.find(row.server);
        if (it == w->servers_.end()) continue;
        Instance i{row.instance, {}, row.state, row.since_ms, row.reason};
        for (const auto& seen : it->second.last.instances)
            if (same_instance(i.ref, seen)) i.seen = seen;
        it->second.instances.push_back(std::move(i));
    }
    // The instances live in `instances` now; `last` keeps the rest, as after apply().
    for (auto& [name, s] : w->servers_) s.last.instances.clear();
    w->health_stale_ = true;
    return w;
}

Watchdog::~Watchdog() = default;

void Watchdog::on_change(ChangeCallback callback) {
    std::lock_guard cb(callback_mutex_);
    callback_ = std::move(callback);
}

void Watchdog::on_load(LoadCallback callback) {
    std::lock_guard cb(load_callback_mutex_);
    load_callback_ = std::move(callback);
}

void Watchdog::set_accounts(AccountsSnapshotPtr accounts) {
    if (!accounts) accounts = std::make_shared<const AccountsSnapshot>();
    std::map<std::string, HealthCriteria> criteria;
    std::lock_guard lock(mutex_);
    for (const auto& [account, overrides] : accounts->health) criteria[account] = with_overrides(criteria_, overrides);
    accounts_ = std::move(accounts);
    account_criteria_ = std::move(criteria);
}

HealthCriteria Watchdog::criteria_for(const std::string& zone) const {
    std::lock_guard lock(mutex_);
    return judging(zone);
}

const HealthCriteria& Watchdog::judging(const std::string& zone) const {
    const std::string& account = accounts_->account_of(zone);
    if (account.empty()) return criteria_;
    auto it = account_criteria_.find(account);
    return it == account_criteria_.end() ? criteria_ : it->second;
}

std::vector<std::string> Watchdog::accounts_of_zone(const std::string& zone) const {
    const std::string& account = accounts_->account_of(zone);
    if (account.empty()) return {};
    return {account};
}

std::vector<std::string> Watchdog::accounts_of(const Server& s) const {
    std::vector<std::string> out;
    for (const auto& i : s.instances) {
        const std::string& account = accounts_->account_of(i.ref.domain);
        if (!account.empty() && std::find(out.begin(), out.end(), account) == out.end()) out.push_back(account);
    }
    std::sort(out.begin(), out.end());
    return out;
}

bool Watchdog::apply(Server& s, Report&& r, int64_t now_ms, std::vector<StateChange>& changes) {
    // Instances come in the same order report after report: match by position first.
    bool set_changed = r.instances.size() != s.instances.size();
    std::vector<Instance> next;
    next.reserve(r.instances.size());
    for (size_t n = 0; n < r.instances.size(); ++n) {
        auto& seen = r.instances[n];
        Instance* before = nullptr;
        if (n < s.instances.size() && same_instance(s.instances[n].ref, seen)) {
            before = &s.instances[n];
        } else {
            set_changed = true;
            for (auto& i : s.instances)
                if (same_instance(i.ref, seen)) before = &i;
        }
        Instance i = before ? std::move(*before) : Instance{InstanceRef{seen.domain, seen.key}, {}, Health::unknown, now_ms, ""};
        const Verdict& v = verdicts_[n];
        if (!v.kept) {
            if (v.state != i.state) {
                changes.push_back(StateChange{now_ms, s.name, i.ref, i.state, v.state, v.reason,
                                              accounts_of_zone(i.ref.domain)});
                i.state = v.state;
                i.since_ms = now_ms;
            }
            if (i.reason != v.reason) i.reason = v.reason;
        }
        i.seen = std::move(seen);
        next.push_back(std::move(i));
    }
    s.instances = std::move(next);
    // Spools deliver in order, so a gap is a report the agent made and dropped (its spool
    // full) or the controller refused; a new boot starts again at 1.
    const uint64_t expected = r.boot == s.boot ? s.seq + 1 : 1;
    if (r.seq > expected) s.lost += r.seq - expected;
    s.boot = r.boot;
    s.seq = r.seq;
    s.last_report_ms = now_ms;
    ++s.reports;
    r.instances.clear();  // moved into the instances above; `last` keeps the rest
    s.last = std::move(r);
    s.dirty = true;
    judge_server(s, now_ms, changes);
    return set_changed;
}

void Watchdog::judge_server(Server& s, int64_t now_ms, std::vector<StateChange>& changes) {
    Verdict v = judge_host(s.last.host, criteria_);
    if (s.instances.empty()) v.reason = "reporting, no instances";
    else if (v.state == Health::up)
        v.reason = s.instances.size() == 1 ? "its instance up" : "all " + std::to_string(s.instances.size()) + " instances up";
    bool unknown_only = !s.instances.empty();
    for (const auto& i : s.instances) {
        unknown_only = unknown_only && i.state == Health::unknown;
        v = worse(std::move(v), Verdict{i.state, i.reason}, i.ref.key.str());
    }
    // Nothing decided about any instance yet: neither is the server.
    if (unknown_only) v = Verdict{Health::unknown, "waiting for probe results"};
    if (v.state != s.state) {
        changes.push_back(StateChange{now_ms, s.name, std::nullopt, s.state, v.state, v.reason, accounts_of(s)});
        s.state = v.state;
        s.since_ms = now_ms;
    }
    s.reason = std::move(v.reason);
    s.worst = std::max(s.worst, s.state);
}

void Watchdog::add_rows(const Server& s, HistoryBatch& batch) const {
    batch.servers.push_back(ServerRow{s.name, s.last_report_ms, s.boot, s.seq, s.reports, s.lost, s.state, s.since_ms,
                                      s.reason, ""});
    Report full = s.last;
    for (const auto& i : s.instances) {
        batch.instances.push_back(InstanceRow{s.name, i.ref, i.state, i.since_ms, i.reason});
        full.instances.push_back(i.seen);
    }
    batch.servers.back().last_report = to_json(full).dump();
}

Result<IngestResult> Watchdog::ingest(std::vector<Report> reports, int64_t now_ms) {
    std::unique_lock lock(mutex_);
    IngestResult result;
    std::map<std::string, Server, std::less<>> undo;  // servers as they were, should the commit fail
    std::vector<std::string> created;
    std::vector<std::pair<Server*, bool>> applied;  // servers that took a report, and whether their instances changed
    bool set_changed = false;
    for (auto& r : reports) {
        auto it = servers_.find(r.agent);
        if (it == servers_.end()) {
            Server fresh;
            fresh.name = r.agent;
            fresh.period_ms = period_start(now_ms, criteria_.period_seconds);
            it = servers_.emplace(r.agent, std::move(fresh)).first;
            created.push_back(r.agent);
        }
        Server& s = it->second;
        if (r.boot == s.boot && r.seq <= s.seq) {
            ++result.duplicates;
            ++duplicates_total_;
            continue;
        }
        ++result.accepted;
        ++accepted_total_;
        // Before the undo copy below: a failed commit then keeps the period rolled.
        roll_period(s, period_start(now_ms, criteria_.period_seconds));
        // Judge first (nothing moves yet), so a report that changes a state can save the
        // server's old self for the undo before it is applied.
        verdicts_.clear();
        bool changes_state = false;
        for (size_t n = 0; n < r.instances.size(); ++n) {
            const auto& seen = r.instances[n];
            const Instance* before = nullptr;
            if (n < s.instances.size() && same_instance(s.instances[n].ref, seen)) {
                before = &s.instances[n];
            } else {
                changes_state = true;  // an instance came, went or moved: the server may change
                for (const auto& i : s.instances)
                    if (same_instance(i.ref, seen)) before = &i;
            }
            Health previous = before ? before->state : Health::unknown;
            auto cpu = before ? unit_cpu_rate(before->seen, s.last.at_ms, seen, r.at_ms) : std::nullopt;
            verdicts_.push_back(judge_instance(previous, seen, r.host, judging(seen.domain), cpu));
            changes_state = changes_state || (!verdicts_.back().kept && verdicts_.back().state != previous);
        }
        // The server's own state can move without any instance's: first report, back
        // from silence, the host over or under a threshold.
        changes_state = changes_state || s.reports == 0 || s.state == Health::down || s.state == Health::unknown ||
                        r.instances.size() != s.instances.size() ||
                        judge_host(r.host, criteria_).state != judge_host(s.last.host, criteria_).state;
        const size_t changes_before = result.changes.size();
        if (changes_state && !undo.count(s.name)) undo.emplace(s.name, s);
        s.metrics.add(r.host);
        if (s.reports == 0 || r.serials != s.last.serials) result.serials.push_back(SerialsMoved{s.name, r.serials});
        const bool instances_changed = apply(s, std::move(r), now_ms, result.changes);
        set_changed = instances_changed || set_changed;
        applied.emplace_back(&s, instances_changed);
        if (result.changes.size() > changes_before && !undo.count(s.name))
            log_error("patchbay-controller: watchdog: unforeseen change of " + s.name + " (no undo)",
                      {{LogKey::host, s.name}});
    }
    if (!result.changes.empty()) {
        HistoryBatch batch;
        batch.changes = result.changes;
        for (const auto& [name, old] : undo) add_rows(servers_.at(name), batch);
        if (auto w = history_.write(batch); !w) {
            for (auto& [name, old] : undo) servers_[name] = std::move(old);
            for (const auto& name : created) servers_.erase(name);
            return w.failure();
        }
        for (const auto& [name, old] : undo) servers_.at(name).dirty = false;
    }
    bool moved = false;
    for (const auto& [server, instances_changed] : applied) moved = load_moved(*server, instances_changed) || moved;
    LoadMapPtr load = moved ? load_map() : nullptr;
    // Taken before mutex_ is let go, so load maps are handed on in the order made.
    std::unique_lock load_lock(load_callback_mutex_, std::defer_lock);
    if (load) load_lock.lock();
    if (!result.changes.empty() || set_changed) {
        health_stale_ = true;
        publish(lock, result.changes);
    } else {
        lock.unlock();
    }
    if (load && load_callback_) {
        try {
            load_callback_(std::move(load));
        } catch (const std::exception& e) {
            log_error(std::string("patchbay-controller: watchdog load callback failed: ") + e.what());
        }
    }
    return result;
}

Result<std::vector<StateChange>> Watchdog::tick(int64_t now_ms) {
    std::unique_lock lock(mutex_);
    std::vector<StateChange> changes;
    HistoryBatch batch;
    const int64_t timeout_ms = int64_t{criteria_.heartbeat_timeout_seconds} * 1000;
    const int64_t period = period_start(now_ms, criteria_.period_seconds);
    for (auto& [name, s] : servers_) {
        const int64_t silent = now_ms - s.last_report_ms;
        if (s.state != Health::down && s.reports > 0 && silent >= timeout_ms) {
            std::string why = silence_reason(silent);
            for (auto& i : s.instances) {
                if (i.state == Health::down) continue;
                changes.push_back(StateChange{now_ms, name, i.ref, i.state, Health::down, why,
                                              accounts_of_zone(i.ref.domain)});
                i.state = Health::down;
                i.since_ms = now_ms;
                i.reason = why;
            }
            changes.push_back(StateChange{now_ms, name, std::nullopt, s.state, Health::down, why, accounts_of(s)});
            s.state = Health::down;
            s.since_ms = now_ms;
            s.reason = why;
            s.worst = Health::down;
            s.dirty = true;
        }
        roll_period(s, period);
        if (s.dirty) add_rows(s, batch);
    }
    batch.blocks = std::move(pending_blocks_);
    pending_blocks_.clear();
    if (!batch.blocks.empty() && criteria_.retention_days > 0)
        batch.forget_before_ms = now_ms - int64_t{criteria_.retention_days} * 86400 * 1000;
    batch.changes = changes;
    if (auto w = history_.write(batch); !w) {
        pending_blocks_ = std::move(batch.blocks);  // as dirty stays set: the next tick retries
        return w.failure();
    }
    for (auto& [name, s] : servers_) s.dirty = false;
    if (!changes.empty()) {
        health_stale_ = true;
        publish(lock, changes);
    }
    return changes;
}

HealthMapPtr Watchdog::health_map() const {
    auto map = std::make_shared<HealthMap>();
    // An instance two servers report on (an address moving between them) counts as the worse.
    for (const auto& [name, s] : servers_)
        for (const auto& i : s.instances) (*map)[i.ref] = std::max((*map)[i.ref], i.state);
    return map;
}

bool Watchdog::load_moved(Server& s, bool instances_changed) {
    const long step = patchbay::load_step(s.last.host.cpu);
    if (step == s.load_step && !instances_changed) return false;  // the common report: no allocation
    std::vector<Address> addresses;
    addresses.reserve(s.instances.size());
    for (const auto& i : s.instances) addresses.push_back(i.ref.key.address);
    std::sort(addresses.begin(), addresses.end());
    addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
    if (step == s.load_step && addresses == s.load_addresses) return false;
    s.load_step = step;
    s.load_addresses = std::move(addresses);
    return true;
}

LoadMapPtr Watchdog::load_map() const {
    std::vector<ServerLoad> servers;
    servers.reserve(servers_.size());
    for (const auto& [name, s] : servers_) {
        if (s.last_report_ms <= 0) continue;  // never heard: no host metrics
        ServerLoad l{name, s.last.host.cpu, {}};
        for (const auto& i : s.instances) l.addresses.push_back(i.ref.key.address);
        servers.push_back(std::move(l));
    }
    return std::make_shared<const LoadMap>(build_load_map(servers));
}

LoadMapPtr Watchdog::load() const {
    std::lock_guard lock(mutex_);
    return load_map();
}

void Watchdog::publish(std::unique_lock<std::mutex>& lock, std::vector<StateChange> changes) {
    for (const auto& c : changes) ++changes_total_[c.to];
    health_ = health_map();
    health_stale_ = false;
    HealthMapPtr snapshot = health_;
    std::unique_lock cb(callback_mutex_);
    lock.unlock();
    if (callback_) {
        try {
            callback_(changes, snapshot);
        } catch (const std::exception& e) {
            log_error(std::string("patchbay-controller: watchdog change callback failed: ") + e.what());
        }
    }
}

HealthMapPtr Watchdog::health() const {
    std::lock_guard lock(mutex_);
    return health_stale_ ? health_map() : health_;
}

ServerStatus Watchdog::status_of(const Server& s) {
    ServerStatus out{s.name, s.state, s.since_ms, s.reason, s.last_report_ms, s.reports, s.lost, s.boot, s.seq,
                     s.last.serials, s.last.host, {}, s.last.addresses, s.last.catalog};
    for (const auto& i : s.instances) out.instances.push_back(InstanceStatus{i.ref, i.seen, i.state, i.since_ms, i.reason});
    return out;
}

std::vector<ServerStatus> Watchdog::servers() const {
    std::lock_guard lock(mutex_);
    std::vector<ServerStatus> out;
    for (const auto& [name, s] : servers_) out.push_back(status_of(s));
    return out;
}

std::optional<ServerStatus> Watchdog::server(const std::string& name) const {
    std::lock_guard lock(mutex_);
    auto it = servers_.find(name);
    if (it == servers_.end()) return std::nullopt;
    return status_of(it->second);
}

Result<std::vector<StateChange>> Watchdog::changes(const std::string& name, int64_t from_ms, int64_t to_ms,
                                                   size_t limit) const {
    std::lock_guard lock(mutex_);
    return history_.changes(name, from_ms, to_ms, limit);
}

Result<std::vector<StateBlock>> Watchdog::blocks(const std::string& name, int64_t from_ms, int64_t to_ms) const {
    std::lock_guard lock(mutex_);
    auto closed = history_.blocks(name, from_ms, to_ms);
    if (!closed) return closed;
    if (auto it = servers_.find(name); it != servers_.end()) add_unwritten_blocks(it->second, from_ms, to_ms, *closed);
    return closed;
}

Result<std::map<std::string, std::vector<StateBlock>>> Watchdog::all_blocks(int64_t from_ms, int64_t to_ms) const {
    std::lock_guard lock(mutex_);
    auto closed = history_.all_blocks(from_ms, to_ms);
    if (!closed) return closed;
    for (const auto& [name, s] : servers_) add_unwritten_blocks(s, from_ms, to_ms, (*closed)[name]);
    std::erase_if(*closed, [](const auto& row) { return row.second.empty(); });
    return closed;
}

void Watchdog::roll_period(Server& s, int64_t period) {
    if (period <= s.period_ms) return;
    pending_blocks_.push_back(StateBlock{s.name, s.period_ms, std::max(s.worst, s.state), s.metrics});
    s.period_ms = period;
    s.worst = s.state;
    s.metrics = {};
}

void Watchdog::add_unwritten_blocks(const Server& s, int64_t from_ms, int64_t to_ms,
                                    std::vector<StateBlock>& blocks) const {
    auto add = [&](const StateBlock& b) {
        if (b.period_ms < from_ms || b.period_ms >= to_ms) return;
        if (!blocks.empty() && blocks.back().period_ms == b.period_ms) {
            // Closed already once (before a restart): this part adds to it.
            blocks.back().worst = std::max(blocks.back().worst, b.worst);
            blocks.back().metrics.merge(b.metrics);
        } else {
            blocks.push_back(b);
        }
    };
    for (const auto& b : pending_blocks_)
        if (b.server == s.name) add(b);
    add(StateBlock{s.name, s.period_ms, std::max(s.worst, s.state), s.metrics});
}

WatchdogTimer::WatchdogTimer(Watchdog& watchdog, std::chrono::milliseconds every, std::function<int64_t()> clock,
                             std::function<void(int64_t)> then)
    : ticker_(every, [&watchdog, clock = std::move(clock), then = std::move(then)] {
          int64_t now = clock();
          if (auto r = watchdog.tick(now); !r) log_error("patchbay-controller: watchdog tick: " + r.error());
          if (then) then(now);
      }) {}

}  // namespace patchbay
