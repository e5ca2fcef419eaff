#include "controller.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <stdexcept>

#include "domain.h"
#include "drain.h"
#include "log.h"
#include "settings.h"
#include "token.h"
#include "update.h"
#include "zone_content.h"
#include "zone_diff.h"
#include "zonefile.h"

namespace patchbay {

Controller::Controller(Store store, DnsSettings settings)
    : store_(std::move(store)), settings_(std::move(settings)) {
    auto tokens = store_.tokens();
    if (!tokens) throw std::runtime_error("cannot load the API tokens: " + tokens.error());
    for (const auto& t : *tokens) {
        auto role = parse_role(t.role);
        if (!role) {  // written by us; a token with a role we do not know grants nothing
            log_warning("token " + t.id() + " (" + t.name + "): " + role.error() + "; ignored");
            continue;
        }
        principals_[t.sha256] = Principal{*role, t.account, t.name};
    }
    auto zones = store_.zones();
    if (!zones) throw std::runtime_error("cannot load the zones: " + zones.error());
    for (const auto& z : *zones) zone_accounts_[z.name] = z.account;
}

void Controller::configure_transfers(std::vector<SecondaryConfig> secondaries, JournalLimits limits) {
    std::lock_guard lock(mu_);
    secondaries_ = std::move(secondaries);
    journal_limits_ = limits;
}

void Controller::configure_client_view(ClientViewSettings settings) {
    std::lock_guard lock(view_mu_);
    client_settings_ = settings;
}

void Controller::attach(DnsServer* dns, Notifier* notifier) {
    std::lock_guard lock(mu_);
    std::unique_lock view_lock(view_mu_);
    dns_ = dns;
    notifier_ = notifier;
    if (dns_ && client_published_) {
        dns_->publish_mappings(policy_published_);
        dns_->publish(DnsView::client, client_published_);
    }
    view_lock.unlock();
    if (dns_) dns_->publish_journal(journal_);
    if (notifier_ && published_)
        for (const auto& zone : published_->zones()) notify_secondaries(zone->name(), zone->serial());
}

std::shared_ptr<const Journal> Controller::journal() {
    std::lock_guard lock(mu_);
    return journal_;
}

Result<void> Controller::load_journal() {
    auto rows = store_.journal();
    if (!rows) return rows.failure();
    auto journal = std::make_shared<const Journal>();
    for (const auto& row : *rows) {
        auto diff = decode_diff(row.removed, row.added);
        if (!diff) {  // a damaged row only costs IXFR its history: AXFR still works
            log_warning("journal of zone " + row.zone + " serial " + std::to_string(row.serial_to) + ": " + diff.error(),
                        {{LogKey::zone, row.zone}, {LogKey::serial, row.serial_to}});
            continue;
        }
        journal = journal->with_diff(row.zone, *diff, journal_limits_);
    }
    journal_ = journal;
    return {};
}

void Controller::record_diff(const std::string& zone, const Zone* next) {
    const Zone* served = published_ ? published_->zone(zone) : nullptr;
    if (next == nullptr) {
        journal_ = journal_->without_zone(zone);  // its rows went with the zone (ON DELETE CASCADE)
        return;
    }
    if (served == nullptr || served->serial() == next->serial()) return;  // a new zone has no history
    auto diff = diff_zones(*served, *next);
    JournalRow row{zone, diff->serial_from, diff->serial_to, encode_removed(*diff), encode_added(*diff)};
    if (auto r = store_.add_journal(row, journal_limits_.max_diffs); !r) {
        // The change stands; IXFR from before it falls back to the whole zone.
        log_error("cannot journal zone " + zone + " serial " + std::to_string(next->serial()) + ": " + r.error(),
                  {{LogKey::zone, zone}, {LogKey::serial, next->serial()}});
    }
    journal_ = journal_->with_diff(zone, std::move(diff), journal_limits_);
}

void Controller::notify_secondaries(const std::string& zone, uint32_t serial) {
    if (!notifier_) return;
    for (const auto& s : secondaries_) notifier_->notify(zone, serial, {s.address}, s.key);
}

std::shared_ptr<const ZoneSet> Controller::client_view() {
    std::lock_guard lock(view_mu_);
    return client_published_;
}

void Controller::set_health(HealthMapPtr health) {
    if (!health) health = std::make_shared<const HealthMap>();
    std::lock_guard lock(view_mu_);
    reported_health_ = std::move(health);
    apply_health();
}

void Controller::apply_health() {
    HealthMapPtr health = drained_.empty() ? reported_health_
                                           : std::make_shared<const HealthMap>(
                                                 health_with_drains(*reported_health_, drained_, tuples_));
    auto touched = zones_with_changed_health(*health_, *health);
    health_ = std::move(health);
    if (touched.empty() || !client_published_) return;
    update_policy_zones(touched);
    client_published_ = with_client_zones(*client_published_, *assignment_, touched, tuples_, *health_, client_settings_);
    if (dns_) dns_->publish(DnsView::client, client_published_);
}

void Controller::update_client_zone(const std::string& zone, std::vector<Tuple> tuples) {
    std::lock_guard lock(view_mu_);
    if (published_ && published_->zone(zone)) tuples_[zone] = std::move(tuples);
    else tuples_.erase(zone);
    assignment_ = published_;
    // A tuple placed on a drained address is down in the client view from the start.
    if (!drained_.empty()) health_ = std::make_shared<const HealthMap>(health_with_drains(*reported_health_, drained_, tuples_));
    if (!client_published_ || !assignment_) return;
    update_policy_zones({zone});
    client_published_ = with_client_zones(*client_published_, *assignment_, {zone}, tuples_, *health_, client_settings_);
    if (dns_) dns_->publish(DnsView::client, client_published_);
}

// --- mapping ----------------------------------------------------------------------------

std::shared_ptr<const PolicyZone> Controller::policy_zone(const std::string& zone) {
    auto account = zone_account(zone);
    if (!account || !assignment_) return nullptr;
    auto policy = account_policies_.find(*account);
    const Zone* assigned = assignment_->zone(zone);
    if (policy == account_policies_.end() || assigned == nullptr) return nullptr;
    static const std::vector<Tuple> none;
    auto tuples = tuples_.find(zone);
    std::optional<std::string> template_name;
    if (auto t = zone_templates_.find(zone); t != zone_templates_.end()) template_name = t->second;
    return std::make_shared<const PolicyZone>(*assigned, policy->second, template_name,
                                              tuples == tuples_.end() ? none : tuples->second, *health_, *load_,
                                              client_settings_);
}

void Controller::update_policy_zones(const std::set<std::string>& zones) {
    std::vector<std::shared_ptr<const PolicyZone>> rebuilt;
    std::set<std::string> dropped;
    for (const auto& zone : zones) {
        if (auto built = policy_zone(zone)) rebuilt.push_back(std::move(built));
        else if (policy_published_->zone(zone) != nullptr) dropped.insert(zone);
    }
    if (rebuilt.empty() && dropped.empty()) return;
    policy_published_ = with_policy_zones(*policy_published_, std::move(rebuilt), dropped);
    if (dns_) dns_->publish_mappings(policy_published_);
}

std::set<std::string> Controller::zones_of(const std::string& account) {
    std::set<std::string> out;
    if (!assignment_) return out;
    for (const auto& zone : assignment_->zones())
        if (zone_account(zone->name()) == account) out.insert(zone->name());
    return out;
}

void Controller::set_policy_clock(PolicyClock clock) {
    std::lock_guard lock(view_mu_);
    policy_clock_ = std::move(clock);
}

Result<AccountPolicyPtr> Controller::compile_settings(const std::string& account, const std::string& text,
                                                      const std::string& file) {
    auto settings = parse_settings(text, file);
    if (!settings) return settings.failure();
    PolicyClock clock;
    {
        std::lock_guard lock(view_mu_);
        clock = policy_clock_;
    }
    auto compiled = AccountPolicy::compile(account, std::move(*settings), std::move(clock));
    if (!compiled) return fail(file + ": " + compiled.error());
    return *compiled;
}

Result<AccountSettings> Controller::check_settings(const std::string& text, const std::string& file) {
    auto compiled = compile_settings("check", text, file);
    if (!compiled) return compiled.failure();
    return (*compiled)->settings();
}

void Controller::apply_policy(const std::string& account, AccountPolicyPtr policy) {
    std::lock_guard lock(view_mu_);
    if (policy) account_policies_[account] = std::move(policy);
    else account_policies_.erase(account);
    update_policy_zones(zones_of(account));
}

void Controller::load_policies() {
    auto rows = store_.current_settings();
    if (!rows) {
        log_error("cannot load the accounts' settings: " + rows.error() + "; no mapping rules in force");
        return;
    }
    for (const auto& row : *rows) {
        auto compiled = compile_settings(row.account, row.text, row.file);
        if (!compiled) {
            // Accepted once, refused now (a MaxMind DB gone): the account's zones are
            // answered all-healthy until its settings are set again.
            log_error("settings of account " + row.account + " version " + std::to_string(row.version) + ": " +
                          compiled.error() + "; its zones are answered without its rules",
                      {{LogKey::account, row.account}});
            continue;
        }
        std::lock_guard lock(view_mu_);
        account_policies_[row.account] = *compiled;
    }
}

Result<SettingsRow> Controller::put_settings(const std::string& account, const std::string& text,
                                             const std::string& file, const std::string& author) {
    auto compiled = compile_settings(account, text, file);
    if (!compiled) return compiled.failure();
    std::unique_lock lock(mu_);
    auto row = store_.add_settings(account, text, file, author);
    if (!row) return row.failure();
    apply_policy(account, *compiled);
    lock.unlock();
    notify_accounts();
    return row;
}

Result<SettingsRow> Controller::rollback_settings(const std::string& account, int64_t version,
                                                  const std::string& author) {
    auto history = settings_history(account);
    if (!history) return history.failure();
    for (const auto& old : *history) {
        if (old.version != version) continue;
        auto compiled = compile_settings(account, old.text, old.file);
        if (!compiled) return compiled.failure();
        std::unique_lock lock(mu_);
        auto row = store_.add_settings(account, old.text, old.file, author,
                                       "rollback to version " + std::to_string(version));
        if (!row) return row.failure();
        apply_policy(account, *compiled);
        lock.unlock();
        notify_accounts();
        return row;
    }
    return fail(ErrorKind::not_found, "account " + account + " has no settings version " + std::to_string(version));
}

Result<std::vector<SettingsRow>> Controller::settings_history(const std::string& account) {
    std::lock_guard lock(mu_);
    auto known = store_.has_account(account);
    if (!known) return known.failure();
    if (!*known) return fail(ErrorKind::not_found, "no account '" + account + "'");
    return store_.settings_history(account);
}

namespace {

bool uses_load(const AccountSettings& settings) {
    for (const auto& rule : settings.rules)
        if (rule.strategy == Strategy::load) return true;
    return false;
}

}  // namespace

void Controller::set_load(LoadMapPtr load) {
    if (!load) load = std::make_shared<const LoadMap>();
    std::lock_guard lock(view_mu_);
    std::set<Address> moved;
    for (const auto& [address, cpu] : *load) {
        auto before = load_->find(address);
        if (before == load_->end() || load_step(before->second) != load_step(cpu)) moved.insert(address);
    }
    for (const auto& [address, cpu] : *load_)
        if (!load->count(address)) moved.insert(address);
    load_ = std::move(load);
    if (moved.empty() || !assignment_) return;
    std::set<std::string> zones;
    for (const auto& zone : policy_published_->zones()) {
        if (!uses_load(zone->account().settings())) continue;
        auto tuples = tuples_.find(zone->zone());
        if (tuples == tuples_.end()) continue;
        for (const auto& t : tuples->second)
            if (moved.count(t.key.address)) zones.insert(zone->zone());
    }
    update_policy_zones(zones);
}

std::shared_ptr<const PolicyView> Controller::policy_view() {
    std::lock_guard lock(view_mu_);
    return policy_published_;
}

Result<Explanation> Controller::explain(const std::string& zone, const std::string& service,
                                        const std::string& transport, const Querier& querier,
                                        std::optional<std::chrono::system_clock::time_point> at,
                                        const std::optional<std::string>& department) {
    auto normalized = normalize_domain(zone);
    if (!normalized) return fail("zone: " + normalized.error());
    auto account = zone_account(*normalized);
    if (!account) return fail(ErrorKind::not_found, "no zone " + *normalized);
    std::shared_ptr<const PolicyZone> mapped;
    {
        std::lock_guard lock(view_mu_);
        mapped = policy_zone(*normalized);
        if (!mapped && assignment_ && assignment_->zone(*normalized)) {
            // No rules: explained as the client view answers, by the implicit default rule.
            static const AccountSettings none;
            auto plain = AccountPolicy::compile(*account, none, policy_clock_);
            auto tuples = tuples_.find(*normalized);
            if (plain)
                mapped = std::make_shared<const PolicyZone>(
                    *assignment_->zone(*normalized), *plain, std::nullopt,
                    tuples == tuples_.end() ? std::vector<Tuple>{} : tuples->second, *health_, *load_,
                    client_settings_);
        }
        if (!at) at = policy_clock_ ? policy_clock_() : std::chrono::system_clock::now();
    }
    if (!mapped) return fail(ErrorKind::not_found, "no zone " + *normalized);
    Explanation out{*normalized, *account, {}, {}, {}};
    auto answer = mapped->explain(service, transport, querier, *at, department, out.question);
    if (!answer)
        return fail(ErrorKind::not_found, "zone " + *normalized + " has no tuples of " + service + "/" + transport);
    out.mapping = answer->mapping;
    if (answer->rrset) out.answer = rrset_lines(*answer->rrset);
    return out;
}

Result<std::shared_ptr<const ZoneSet>> Controller::build(ZoneTuples* by_zone) {
    auto zones = store_.zones();
    if (!zones) return zones.failure();
    auto tuples = store_.tuples();
    if (!tuples) return tuples.failure();
    if (by_zone) {
        by_zone->clear();
        for (const auto& t : *tuples) (*by_zone)[t.domain].push_back(t);
    }
    std::vector<ZoneInput> inputs;
    for (const auto& z : *zones) {
        auto records = store_.records(z.name);
        if (!records) return records.failure();
        inputs.push_back({z.name, z.serial, std::move(*records)});
    }
    return build_zone_set(inputs, *tuples, settings_);
}

Result<std::shared_ptr<const Zone>> Controller::build_one(const std::string& zone, std::vector<Tuple>* out) {
    auto row = store_.zone(zone);
    if (!row) return row.failure();
    if (!*row) return std::shared_ptr<const Zone>();
    auto tuples = store_.tuples(zone);
    if (!tuples) return tuples.failure();
    if (out) *out = *tuples;
    auto records = store_.records(zone);
    if (!records) return records.failure();
    return build_zone({(*row)->name, (*row)->serial, std::move(*records)}, *tuples, settings_);
}

Result<std::shared_ptr<const ZoneSet>> Controller::snapshot() {
    Result<std::shared_ptr<const ZoneSet>> set = [this] {
        std::lock_guard lock(mu_);
        return snapshot_locked();
    }();
    if (set) notify_accounts();
    return set;
}

Result<std::shared_ptr<const ZoneSet>> Controller::snapshot_locked() {
    ZoneTuples tuples;
    auto set = build(&tuples);
    if (!set) return set;
    published_ = *set;
    load_policies();
    auto zones = store_.zones();
    if (!zones) return zones.failure();
    {
        std::lock_guard view_lock(view_mu_);
        zone_templates_.clear();
        for (const auto& z : *zones)
            if (!z.template_name.empty()) zone_templates_[z.name] = z.template_name;
        tuples_ = std::move(tuples);
        assignment_ = published_;
        if (auto drains = store_.drains()) {
            drained_.clear();
            for (const auto& d : *drains) drained_.insert(d.address);
            health_ = std::make_shared<const HealthMap>(health_with_drains(*reported_health_, drained_, tuples_));
        }
        client_published_ = build_client_view(*assignment_, tuples_, *health_, client_settings_);
        policy_published_ = std::make_shared<const PolicyView>();
        std::set<std::string> all;
        for (const auto& zone : assignment_->zones()) all.insert(zone->name());
        update_policy_zones(all);
        if (dns_) {
            dns_->publish_mappings(policy_published_);
            dns_->publish(DnsView::client, client_published_);
        }
    }
    if (auto r = load_journal(); !r) return r.failure();
    return set;
}

void Controller::publish(const Change& change, const std::optional<std::string>& owner) {
    if (!change.changed) return;
    if (published_) {
        // Only the changed zone is rebuilt; the others are shared with the last snapshot.
        std::vector<Tuple> tuples;
        if (auto zone = build_one(change.zone, &tuples)) {
            record_diff(change.zone, zone->get());
            published_ = with_zone(*published_, change.zone, *zone);
            if (dns_) {
                dns_->publish_journal(journal_);  // first: see DnsServer::publish_journal
                dns_->publish(published_);
            }
            update_client_zone(change.zone, std::move(tuples));
        } else {
            // The change is committed; the zone's next change publishes it.
            log_error("cannot rebuild zone " + change.zone + " after a change: " + zone.error(),
                      {{LogKey::zone, change.zone}, {LogKey::serial, change.serial}, {LogKey::change, change.id}});
        }
    }
    auto agents = store_.agents();
    if (agents) notify_agents(change.zone, change.serial, *agents);
    if (published_ && published_->zone(change.zone)) notify_secondaries(change.zone, change.serial);
    std::string account = owner ? *owner : zone_account(change.zone).value_or("");
    LogFields fields{{LogKey::zone, change.zone}, {LogKey::serial, change.serial}, {LogKey::change, change.id}};
    if (!account.empty()) fields.push_back({LogKey::account, account});
    log_info("change " + std::to_string(change.id) + ": zone " + change.zone + " at serial " +
                 std::to_string(change.serial),
             fields);
    if (change_callback_) change_callback_(change, account);
}

void Controller::notify_agents(const std::string& zone, uint32_t serial, const std::vector<AgentRow>& agents) {
    if (!notifier_) return;
    std::vector<Endpoint> targets;
    for (const auto& a : agents)
        for (const auto& d : a.domains)
            if (d == zone && a.notify) targets.push_back(*a.notify);
    if (!targets.empty()) notifier_->notify(zone, serial, targets);
}

void Controller::set_zone_account(const std::string& zone, const std::optional<std::string>& account) {
    std::unique_lock lock(zone_accounts_mu_);
    if (account) zone_accounts_[zone] = *account;
    else zone_accounts_.erase(zone);
}

std::optional<std::string> Controller::zone_account(const std::string& zone) {
    std::shared_lock lock(zone_accounts_mu_);
    auto it = zone_accounts_.find(zone);
    if (it == zone_accounts_.end()) return std::nullopt;
    return it->second;
}

namespace {

Error no_account(const std::string& name) { return fail(ErrorKind::not_found, "no account '" + name + "'"); }

}  // namespace

Result<Change> Controller::add_zone(const std::string& name, const std::string& account,
                                    const std::string& template_name, const std::string& author) {
    auto normalized = normalize_domain(name);
    if (!normalized) return fail("zone: " + normalized.error());
    if (!template_name.empty() && account.empty()) return fail("a template needs an account (--account)");
    std::unique_lock lock(mu_);
    if (!account.empty()) {
        auto known = store_.has_account(account);
        if (!known) return known.failure();
        if (!*known) return no_account(account);
    }
    std::vector<Tuple> tuples;
    if (!template_name.empty()) {
        std::lock_guard view_lock(view_mu_);
        auto policy = account_policies_.find(account);
        const DomainTemplate* found = nullptr;
        if (policy != account_policies_.end())
            for (const auto& t : policy->second->settings().templates)
                if (t.name == template_name) found = &t;
        if (found == nullptr)
            return fail(ErrorKind::not_found, "account " + account + " has no template '" + template_name + "'");
        for (const auto& t : found->tuples)
            tuples.push_back(Tuple{*normalized, {t.service, t.transport, t.address, t.port}, t.priority, t.weight, ""});
    }
    auto change = store_.add_zone(*normalized, account, template_name, tuples, author);
    if (change) {
        if (!template_name.empty()) {
            std::lock_guard view_lock(view_mu_);
            zone_templates_[*normalized] = template_name;  // before publish() maps the zone
        }
        set_zone_account(*normalized, account);
        publish(*change);
        lock.unlock();
        notify_accounts();
    }
    return change;
}

Result<Change> Controller::remove_zone(const std::string& name, const std::string& author) {
    auto normalized = normalize_domain(name);
    if (!normalized) return fail("zone: " + normalized.error());
    std::unique_lock lock(mu_);
    const std::string owner = zone_account(*normalized).value_or("");
    auto change = store_.remove_zone(*normalized, author);
    if (change) {
        set_zone_account(*normalized, std::nullopt);
        {
            std::lock_guard view_lock(view_mu_);
            zone_templates_.erase(*normalized);
        }
        publish(*change, owner);
        lock.unlock();
        notify_accounts();
    }
    return change;
}

Result<std::vector<ZoneRow>> Controller::zones() {
    std::lock_guard lock(mu_);
    return store_.zones();
}

Result<Change> Controller::put_tuple(const Tuple& tuple, const std::string& author) {
    std::lock_guard lock(mu_);
    auto change = store_.put_tuple(tuple, author);
    if (change) publish(*change);
    return change;
}

Result<Change> Controller::remove_tuple(const std::string& zone, const TupleKey& key, const std::string& author) {
    std::lock_guard lock(mu_);
    auto change = store_.remove_tuple(zone, key, author);
    if (change) publish(*change);
    return change;
}

// --- drains ------------------------------------------------------------------------------

Result<DrainRow> Controller::drain(const Address& address, int64_t grace_ms, int64_t now_ms, const std::string& author) {
    std::lock_guard lock(mu_);
    auto existing = store_.drains();
    if (!existing) return existing.failure();
    for (const auto& d : *existing)
        if (d.address == address)
            return fail(ErrorKind::conflict, address.str() + " is " + (d.drained ? "drained" : "draining") +
                                                 " already (undrain it first)");
    DrainRow row{address, now_ms, grace_ms, false, {}, {}, author};
    if (auto r = store_.put_drain(row); !r) return r.failure();
    std::lock_guard view_lock(view_mu_);
    drained_.insert(address);
    apply_health();
    return row;
}

Result<std::vector<DrainRow>> Controller::finish_due_drains(int64_t now_ms) {
    std::lock_guard lock(mu_);
    auto drains = store_.drains();
    if (!drains) return drains.failure();
    std::vector<DrainRow> done;
    for (auto& d : *drains) {
        if (!drain_due(d, now_ms)) continue;
        auto tuples = store_.tuples();
        if (!tuples) return tuples.failure();
        for (const auto& t : *tuples) {
            if (t.key.address != d.address) continue;
            // Kept before it goes, so a crash in between loses nothing undrain puts back
            // (after a restart the drain is finished again; a tuple kept twice is not).
            if (std::find(d.removed.begin(), d.removed.end(), t) == d.removed.end()) {
                d.removed.push_back(t);
                if (auto r = store_.put_drain(d); !r) return r.failure();
            }
            auto change = store_.remove_tuple(t.domain, t.key, d.author);
            if (!change) return change.failure();
            publish(*change);
            d.changes.push_back(change->id);
        }
        d.drained = true;
        if (auto r = store_.put_drain(d); !r) return r.failure();
        done.push_back(d);
    }
    return done;
}

Result<DrainRow> Controller::undrain(const Address& address, const std::string& author) {
    std::lock_guard lock(mu_);
    auto drains = store_.drains();
    if (!drains) return drains.failure();
    auto it = std::find_if(drains->begin(), drains->end(), [&](const DrainRow& d) { return d.address == address; });
    if (it == drains->end()) return fail(ErrorKind::not_found, address.str() + " is not drained");
    DrainRow row = *it;
    row.changes.clear();
    for (const auto& t : it->removed) {
        auto change = store_.put_tuple(t, author);
        if (!change && change.kind() == ErrorKind::not_found) continue;  // its zone is gone
        if (!change) return change.failure();
        if (change->changed) {
            publish(*change);
            row.changes.push_back(change->id);
        }
    }
    if (auto r = store_.remove_drain(address); !r) return r.failure();
    std::lock_guard view_lock(view_mu_);
    drained_.erase(address);
    apply_health();
    return row;
}

Result<std::vector<DrainRow>> Controller::drains() {
    std::lock_guard lock(mu_);
    return store_.drains();
}

Result<Import> Controller::import_zone(std::string_view text, const std::optional<std::string>& zone,
                                      std::string_view source, const std::string& account, bool only_own,
                                      const std::string& author) {
    // Parsed and checked before the lock: a bad file costs the writers nothing.
    auto file = parse_zone_file(text, zone, source);
    if (!file) return file.failure();
    auto content = split_records(file->zone, std::move(file->records), settings_);
    if (!content) return fail(ErrorKind::invalid, std::string(source) + ": " + content.error());
    Import out{{}, content->tuples.size(), content->records.size()};
    std::unique_lock lock(mu_);
    auto existing = store_.zone(file->zone);
    if (!existing) return existing.failure();
    if (*existing && only_own && (*existing)->account != account)
        return fail(ErrorKind::conflict, "zone " + file->zone + " exists already");
    if (!*existing && !account.empty()) {
        auto known = store_.has_account(account);
        if (!known) return known.failure();
        if (!*known) return no_account(account);
    }
    auto change = store_.replace_zone(file->zone, std::move(content->tuples), std::move(content->records),
                                      file->serial, "zone import", account, author);
    if (!change) return change.failure();
    const bool created = !*existing;
    set_zone_account(file->zone, *existing ? (*existing)->account : account);
    publish(*change);
    out.change = *change;
    lock.unlock();
    if (created) notify_accounts();  // an existing zone keeps its account
    return out;
}

Result<UpdateDone> Controller::update_zone(const std::string& name, const knot_pkt_t* update,
                                          const std::string& author) {
    std::lock_guard lock(mu_);
    auto zone = build_one(name);
    if (!zone) return zone.failure();
    if (!*zone) return UpdateDone{KNOT_RCODE_NOTAUTH, std::nullopt};
    auto outcome = evaluate_update(**zone, update);
    if (outcome.rcode != KNOT_RCODE_NOERROR || !outcome.records) return UpdateDone{outcome.rcode, std::nullopt};
    auto content = split_records(name, std::move(*outcome.records), settings_);
    if (!content) return content.failure();  // the edit keeps the zone's rules: not expected
    auto change = store_.replace_zone(name, std::move(content->tuples), std::move(content->records), std::nullopt,
                                      "dns update", "", author);
    if (!change) return change.failure();
    publish(*change);
    return UpdateDone{KNOT_RCODE_NOERROR, *change};
}

Result<std::vector<ChangeRow>> Controller::changes(const ChangeFilter& filter) {
    std::lock_guard lock(mu_);
    return store_.changes(filter);
}

Result<std::optional<ChangeRow>> Controller::change(int64_t id) {
    std::lock_guard lock(mu_);
    return store_.change(id);
}

Result<std::string> Controller::export_zone(const std::string& name) {
    auto normalized = normalize_domain(name);
    if (!normalized) return fail("zone: " + normalized.error());
    std::lock_guard lock(mu_);
    auto zone = build_one(*normalized);
    if (!zone) return zone.failure();
    if (!*zone) return fail(ErrorKind::not_found, "no zone " + *normalized);
    return format_zone_file(**zone);
}

Result<std::vector<Tuple>> Controller::tuples(const std::optional<std::string>& zone) {
    std::optional<std::string> normalized;
    if (zone) {
        auto z = normalize_domain(*zone);
        if (!z) return fail("zone: " + z.error());
        normalized = *z;
    }
    std::lock_guard lock(mu_);
    return store_.tuples(normalized);
}

Result<void> Controller::register_agent(const AgentRow& agent) {
    std::lock_guard lock(mu_);
    if (auto r = store_.put_agent(agent); !r) return r;
    auto zones = store_.zones();
    if (!zones) return zones.failure();
    for (const auto& z : *zones)
        for (const auto& d : agent.domains)
            if (d == z.name) notify_agents(z.name, z.serial, {agent});
    return {};
}

Result<std::vector<AgentRow>> Controller::agents() {
    std::lock_guard lock(mu_);
    return store_.agents();
}

Result<Status> Controller::status() {
    std::lock_guard lock(mu_);
    Status s;
    auto zones = store_.zones();
    if (!zones) return zones.failure();
    auto agents = store_.agents();
    if (!agents) return agents.failure();
    auto tuples = store_.tuples();
    if (!tuples) return tuples.failure();
    s.zones = std::move(*zones);
    s.agents = std::move(*agents);
    s.tuples = tuples->size();
    return s;
}

std::optional<Principal> Controller::authenticate(const std::string& token) {
    if (token.empty()) return std::nullopt;
    std::string digest = token_digest(token);
    std::shared_lock lock(tokens_mu_);
    auto it = principals_.find(digest);
    if (it == principals_.end()) return std::nullopt;
    return it->second;
}

Result<void> Controller::add_token(const std::string& name, const std::string& token) {
    std::string digest = token_digest(token);
    {
        std::lock_guard lock(mu_);
        if (auto r = store_.add_token_hash(name, digest); !r) return r;
    }
    std::unique_lock lock(tokens_mu_);
    principals_.try_emplace(std::move(digest), Principal{Role::admin, "", name});
    return {};
}

Result<NewToken> Controller::create_token(const std::string& account, Role role, const std::string& name) {
    std::string role_text(role_name(role));
    if (role == Role::admin && !account.empty()) return fail("an admin token belongs to no account (got '" + account + "')");
    if ((role == Role::account_admin || role == Role::account_viewer) && account.empty())
        return fail("a token of role " + role_text + " needs an account");
    std::string label = name.empty() ? role_text : name;
    if (label.size() > 100) return fail("token name is longer than 100 characters");
    for (unsigned char c : label)
        if (c < 0x20 || c == 0x7f) return fail("token name '" + label + "': control characters are not allowed");
    NewToken out{new_token(), {}};
    out.row = TokenRow{token_digest(out.token), label, account, role_text, 0};
    {
        std::lock_guard lock(mu_);
        if (!account.empty()) {
            auto known = store_.has_account(account);
            if (!known) return known.failure();
            if (!*known) return no_account(account);
        }
        if (auto r = store_.add_token_hash(label, out.row.sha256, account, role_text); !r) return r.failure();
        out.row.created_at = static_cast<int64_t>(std::time(nullptr));
    }
    std::unique_lock lock(tokens_mu_);
    principals_[out.row.sha256] = Principal{role, account, label};
    return out;
}

Result<std::vector<TokenRow>> Controller::tokens() {
    std::lock_guard lock(mu_);
    return store_.tokens();
}

Result<TokenRow> Controller::revoke_token(const std::string& id_or_name, const std::optional<std::string>& account) {
    std::lock_guard lock(mu_);
    auto all = store_.tokens();
    if (!all) return all.failure();
    std::vector<TokenRow> by_id, by_name;
    for (auto& t : *all) {
        if (account && t.account != *account) continue;
        if (t.id() == id_or_name || t.sha256 == id_or_name) by_id.push_back(t);
        else if (t.name == id_or_name) by_name.push_back(t);
    }
    const auto& found = by_id.empty() ? by_name : by_id;
    if (found.empty()) return fail(ErrorKind::not_found, "no token '" + id_or_name + "'");
    if (found.size() > 1)
        return fail(ErrorKind::conflict, std::to_string(found.size()) + " tokens are named '" + id_or_name +
                                             "': revoke one by its id (patchbay token ls)");
    if (auto r = store_.remove_token(found[0].sha256); !r) return r.failure();
    std::unique_lock tokens_lock(tokens_mu_);
    principals_.erase(found[0].sha256);
    return found[0];
}

Result<void> Controller::add_account(const std::string& name) {
    std::lock_guard lock(mu_);
    return store_.add_account(name);
}

Result<void> Controller::remove_account(const std::string& name) {
    {
        std::lock_guard lock(mu_);
        auto digests = store_.remove_account(name);
        if (!digests) return digests.failure();
        apply_policy(name, nullptr);  // it has no zones left; its settings went with it
        std::unique_lock tokens_lock(tokens_mu_);
        for (const auto& d : *digests) principals_.erase(d);
    }
    notify_accounts();
    return {};
}

// --- accounts for the watchdog and the alerts -----------------------------------------

void Controller::on_accounts(AccountsCallback callback) {
    std::lock_guard lock(accounts_mu_);
    accounts_callback_ = std::move(callback);
}

AccountsSnapshotPtr Controller::accounts_snapshot() {
    auto snapshot = std::make_shared<AccountsSnapshot>();
    {
        std::shared_lock lock(zone_accounts_mu_);
        for (const auto& [zone, account] : zone_accounts_)
            if (!account.empty()) snapshot->zone_accounts.emplace(zone, account);
    }
    std::lock_guard lock(view_mu_);
    for (const auto& [account, policy] : account_policies_) {
        const AccountSettings& settings = policy->settings();
        if (settings.health) snapshot->health.emplace(account, *settings.health);
        if (!settings.alerts.empty()) snapshot->alerts.emplace(account, settings.alerts);
    }
    return snapshot;
}

void Controller::notify_accounts() {
    std::lock_guard lock(accounts_mu_);
    if (!accounts_callback_) return;
    auto snapshot = accounts_snapshot();  // made under accounts_mu_: the last call sees the last state
    try {
        accounts_callback_(std::move(snapshot));
    } catch (const std::exception& e) {
        log_error(std::string("accounts callback failed: ") + e.what());
    }
}

Result<std::vector<AccountRow>> Controller::accounts() {
    std::lock_guard lock(mu_);
    return store_.accounts();
}

Result<int64_t> Controller::token_count() {
    std::lock_guard lock(mu_);
    return store_.token_count();
}

}  // namespace patchbay
