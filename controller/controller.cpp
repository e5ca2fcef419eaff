#include "controller.h"

#include <ctime>
#include <iostream>
#include <stdexcept>

#include "domain.h"
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
            std::cerr << "token " << t.id() << " (" << t.name << "): " << role.error() << "; ignored\n";
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
    if (dns_ && client_published_) dns_->publish(DnsView::client, client_published_);
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
            std::cerr << "journal of zone " << row.zone << " serial " << row.serial_to << ": " << diff.error() << "\n";
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
        std::cerr << "cannot journal zone " << zone << " serial " << next->serial() << ": " << r.error() << "\n";
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
    auto touched = zones_with_changed_health(*health_, *health);
    health_ = std::move(health);
    if (touched.empty() || !client_published_) return;
    client_published_ = with_client_zones(*client_published_, *assignment_, touched, tuples_, *health_, client_settings_);
    if (dns_) dns_->publish(DnsView::client, client_published_);
}

void Controller::update_client_zone(const std::string& zone, std::vector<Tuple> tuples) {
    std::lock_guard lock(view_mu_);
    if (published_ && published_->zone(zone)) tuples_[zone] = std::move(tuples);
    else tuples_.erase(zone);
    assignment_ = published_;
    if (!client_published_ || !assignment_) return;
    client_published_ = with_client_zones(*client_published_, *assignment_, {zone}, tuples_, *health_, client_settings_);
    if (dns_) dns_->publish(DnsView::client, client_published_);
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
    std::lock_guard lock(mu_);
    ZoneTuples tuples;
    auto set = build(&tuples);
    if (!set) return set;
    published_ = *set;
    {
        std::lock_guard view_lock(view_mu_);
        tuples_ = std::move(tuples);
        assignment_ = published_;
        client_published_ = build_client_view(*assignment_, tuples_, *health_, client_settings_);
        if (dns_) dns_->publish(DnsView::client, client_published_);
    }
    if (auto r = load_journal(); !r) return r.failure();
    return set;
}

void Controller::publish(const Change& change) {
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
            std::cerr << "cannot rebuild zone " << change.zone << " after a change: " << zone.error() << "\n";
        }
    }
    auto agents = store_.agents();
    if (agents) notify_agents(change.zone, change.serial, *agents);
    if (published_ && published_->zone(change.zone)) notify_secondaries(change.zone, change.serial);
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

Result<Change> Controller::add_zone(const std::string& name, const std::string& account) {
    auto normalized = normalize_domain(name);
    if (!normalized) return fail("zone: " + normalized.error());
    std::lock_guard lock(mu_);
    if (!account.empty()) {
        auto known = store_.has_account(account);
        if (!known) return known.failure();
        if (!*known) return no_account(account);
    }
    auto change = store_.add_zone(*normalized, account);
    if (change) {
        set_zone_account(*normalized, account);
        publish(*change);
    }
    return change;
}

Result<Change> Controller::remove_zone(const std::string& name) {
    auto normalized = normalize_domain(name);
    if (!normalized) return fail("zone: " + normalized.error());
    std::lock_guard lock(mu_);
    auto change = store_.remove_zone(*normalized);
    if (change) {
        set_zone_account(*normalized, std::nullopt);
        publish(*change);
    }
    return change;
}

Result<std::vector<ZoneRow>> Controller::zones() {
    std::lock_guard lock(mu_);
    return store_.zones();
}

Result<Change> Controller::put_tuple(const Tuple& tuple) {
    std::lock_guard lock(mu_);
    auto change = store_.put_tuple(tuple);
    if (change) publish(*change);
    return change;
}

Result<Change> Controller::remove_tuple(const std::string& zone, const TupleKey& key) {
    std::lock_guard lock(mu_);
    auto change = store_.remove_tuple(zone, key);
    if (change) publish(*change);
    return change;
}

Result<Import> Controller::import_zone(std::string_view text, const std::optional<std::string>& zone,
                                      std::string_view source, const std::string& account, bool only_own) {
    // Parsed and checked before the lock: a bad file costs the writers nothing.
    auto file = parse_zone_file(text, zone, source);
    if (!file) return file.failure();
    auto content = split_records(file->zone, std::move(file->records), settings_);
    if (!content) return fail(ErrorKind::invalid, std::string(source) + ": " + content.error());
    Import out{{}, content->tuples.size(), content->records.size()};
    std::lock_guard lock(mu_);
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
                                      file->serial, "zone import", account);
    if (!change) return change.failure();
    set_zone_account(file->zone, *existing ? (*existing)->account : account);
    publish(*change);
    out.change = *change;
    return out;
}

Result<UpdateDone> Controller::update_zone(const std::string& name, const knot_pkt_t* update) {
    std::lock_guard lock(mu_);
    auto zone = build_one(name);
    if (!zone) return zone.failure();
    if (!*zone) return UpdateDone{KNOT_RCODE_NOTAUTH, std::nullopt};
    auto outcome = evaluate_update(**zone, update);
    if (outcome.rcode != KNOT_RCODE_NOERROR || !outcome.records) return UpdateDone{outcome.rcode, std::nullopt};
    auto content = split_records(name, std::move(*outcome.records), settings_);
    if (!content) return content.failure();  // the edit keeps the zone's rules: not expected
    auto change = store_.replace_zone(name, std::move(content->tuples), std::move(content->records), std::nullopt,
                                      "dns update");
    if (!change) return change.failure();
    publish(*change);
    return UpdateDone{KNOT_RCODE_NOERROR, *change};
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
    std::lock_guard lock(mu_);
    auto digests = store_.remove_account(name);
    if (!digests) return digests.failure();
    std::unique_lock tokens_lock(tokens_mu_);
    for (const auto& d : *digests) principals_.erase(d);
    return {};
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
