// The controller's mutation path, in the order DESIGN.md §2 fixes: one store
// transaction (data + serial + change log), then the diff from the zone served so far
// recorded in the IXFR journal, then a new immutable zone snapshot swapped into the DNS
// server (readers never lock), then NOTIFY to the agents of that zone and the secondaries.
// Beside it the client view (client_view.h): every zone change rebuilds that zone's
// client zone too, and a health change the client zones whose instances changed, from
// the zones and tuples held in memory (never re-read from the store per health change).
// All public methods are thread-safe (API worker threads call them).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "accounts_snapshot.h"
#include "client_view.h"
#include "config.h"
#include "dns_server.h"
#include "journal.h"
#include "notify.h"
#include "policy_view.h"
#include "principal.h"
#include "store.h"
#include "zone.h"

namespace patchbay {

// What `explain` found: the question's facts and the answer map_answer gave.
struct Explanation {
    std::string zone;
    std::string account;                 // '' = the platform's
    std::vector<std::string> question;   // department, region, windows in force
    Mapping mapping;
    std::vector<std::string> answer;     // the SRV records as served, presentation format
};

struct Status {
    std::vector<ZoneRow> zones;
    std::vector<AgentRow> agents;
    size_t tuples = 0;
};

// What a zone import did.
struct Import {
    Change change;
    size_t tuples = 0;   // the zone's tuples after it
    size_t records = 0;  // and its other records
};

// A token just made: its text (shown once, never stored) and its row.
struct NewToken {
    std::string token;
    TokenRow row;
};

// What a dynamic update did: its rcode (RFC 2136 §2.2) and, when it changed the zone,
// the change.
struct UpdateDone {
    uint16_t rcode = 0;
    std::optional<Change> change;
};

class Controller {
public:
    // Loads the API tokens' digests into memory. Throws std::runtime_error when the
    // store cannot list them (a database Store::open could not have left so).
    Controller(Store store, DnsSettings settings);

    // Secondaries to NOTIFY on every serial change (and at attach), and the journal's
    // bounds. Call before snapshot().
    void configure_transfers(std::vector<SecondaryConfig> secondaries, JournalLimits limits = {});
    // How the client view applies health. Call before snapshot().
    void configure_client_view(ClientViewSettings settings);
    // Wires the I/O shells in; either may be null (tests, or DNS not started yet). Hands
    // the DNS server the journal and the client view, and NOTIFYs every secondary of
    // every zone, so they catch up with changes made while the controller was down.
    void attach(DnsServer* dns, Notifier* notifier);
    // The snapshot the DNS serves now (built from the store), and the journal loaded.
    Result<std::shared_ptr<const ZoneSet>> snapshot();
    // The IXFR journal as published.
    std::shared_ptr<const Journal> journal();
    // The client view as published (built by snapshot(); nullptr before).
    std::shared_ptr<const ZoneSet> client_view();
    // The health the client view applies from now on (nullptr: nothing known, all up).
    // Rebuilds and publishes the client zones where some instance's health changed;
    // costs those zones' size, never a store read. Never waits for a store transaction.
    void set_health(HealthMapPtr health);

    // Drains (drain.h, docs/drain.md). drain: takes `address` out of the client view now
    // and keeps the drain (conflict when it has one already). finish_due_drains: removes
    // the tuples of every drain whose grace has passed at `now_ms`, one change each, and
    // keeps them for undrain. undrain: puts back what the drain removed (tuples whose
    // zone is gone are skipped) and ends it (not_found when there is none).
    Result<DrainRow> drain(const Address& address, int64_t grace_ms, int64_t now_ms, const std::string& author = "");
    Result<std::vector<DrainRow>> finish_due_drains(int64_t now_ms);
    Result<DrainRow> undrain(const Address& address, const std::string& author = "");
    Result<std::vector<DrainRow>> drains();

    // A new zone of `account` ('' = the platform), with the tuples of the account's
    // template `template_name` when given (settings.h). Errors: not_found "no account
    // 'X'" or "account X has no template 'T'", invalid "a template needs an account",
    // conflict when the zone exists (whoever owns it).
    // Every mutation's `author` says who made it in the change log ("token:NAME" from the
    // API, "tsig:KEY" from a DNS UPDATE; '' for none).
    Result<Change> add_zone(const std::string& name, const std::string& account = "",
                            const std::string& template_name = "", const std::string& author = "");
    Result<Change> remove_zone(const std::string& name, const std::string& author = "");
    Result<std::vector<ZoneRow>> zones();
    Result<Change> put_tuple(const Tuple& tuple, const std::string& author = "");
    Result<Change> remove_tuple(const std::string& zone, const TupleKey& key, const std::string& author = "");
    Result<std::vector<Tuple>> tuples(const std::optional<std::string>& zone);
    // Replaces a zone's content with a zone file's (creating the zone), as one change;
    // `zone` names it when the file does not, `source` names the file in errors. A file
    // with any error changes nothing. A new zone belongs to `account` (not_found "no
    // account 'X'" when there is none); an existing zone keeps its own, and with
    // `only_own` set an existing zone of another account is a conflict ("zone X exists
    // already", as add_zone says it).
    Result<Import> import_zone(std::string_view text, const std::optional<std::string>& zone,
                               std::string_view source, const std::string& account = "", bool only_own = false,
                               const std::string& author = "");
    // Applies an RFC 2136 UPDATE (parsed, authenticated and allowed by the caller) to
    // `zone` as one change, judged against the zone as committed: prerequisites and the
    // update are evaluated under the writers' lock. NOTAUTH when the zone is not ours.
    Result<UpdateDone> update_zone(const std::string& zone, const knot_pkt_t* update, const std::string& author = "");
    // The change log (Store::changes, Store::change).
    Result<std::vector<ChangeRow>> changes(const ChangeFilter& filter);
    Result<std::optional<ChangeRow>> change(int64_t id);
    // The zone as a zone file (RFC 1035 master format) that import_zone reads back to
    // the same zone.
    Result<std::string> export_zone(const std::string& name);
    // Registers (or refreshes) an agent and NOTIFYs it at once for its domains, so it
    // picks up what changed while it was away.
    Result<void> register_agent(const AgentRow& agent);
    Result<std::vector<AgentRow>> agents();
    Result<Status> status();

    // Who `token` acts for, or nullopt when it is no stored API token (or empty). Every
    // API request asks, so it reads the principals held in memory: no store query, never
    // waits for mu_. A revoked token fails at once.
    std::optional<Principal> authenticate(const std::string& token);
    // Stores an admin token's digest (bootstrap and --dev), then adds it to memory.
    Result<void> add_token(const std::string& name, const std::string& token);
    Result<int64_t> token_count();
    // Makes a token of `role` for `account` named `name` (default: the role's name).
    // Admin tokens have no account; account-admin and account-viewer tokens need one;
    // agent tokens may have none (a platform agent). Errors: invalid (the pairing or the
    // name), not_found "no account 'X'".
    Result<NewToken> create_token(const std::string& account, Role role, const std::string& name);
    // Every stored token (digests, never tokens), oldest first.
    Result<std::vector<TokenRow>> tokens();
    // Revokes the token whose id (TokenRow::id) or name is `id_or_name`, among those of
    // `account` when given (the others are as if absent). Returns what it removed.
    // Errors: not_found "no token 'X'", conflict when a name fits several tokens.
    Result<TokenRow> revoke_token(const std::string& id_or_name, const std::optional<std::string>& account);

    // Errors: see Store::add_account.
    Result<void> add_account(const std::string& name);
    // Removes the account and its tokens (they fail at once). Errors: see Store::remove_account.
    Result<void> remove_account(const std::string& name);
    Result<std::vector<AccountRow>> accounts();
    // The account that owns `zone` (normalized name), nullopt when there is no such zone.
    // Read from memory (never waits for mu_), kept in step with every zone add,
    // import and removal.
    std::optional<std::string> zone_account(const std::string& zone);

    // --- accounts' settings files (settings.h) and mapping (policy_view.h) ---
    // The clock time windows are judged by (tests inject one). Call before snapshot().
    void set_policy_clock(PolicyClock clock);
    // Parses and compiles a settings file as put_settings would, storing nothing.
    // Errors: invalid, "FILE:LINE:COLUMN: what is wrong" (or the MaxMind DB's).
    Result<AccountSettings> check_settings(const std::string& text, const std::string& file);
    // Checks, stores as the account's newest version and applies a settings file: the
    // account's zones are answered by its rules from now on. A file that does not check
    // changes nothing. Errors: as check_settings; not_found "no account 'X'".
    Result<SettingsRow> put_settings(const std::string& account, const std::string& text, const std::string& file,
                                     const std::string& author);
    // Makes version `version` the newest again (as a new version noting it), re-checked
    // first (a MaxMind DB may have gone). Errors: not_found "account X has no settings
    // version N".
    Result<SettingsRow> rollback_settings(const std::string& account, int64_t version, const std::string& author);
    // Every version, newest first.
    Result<std::vector<SettingsRow>> settings_history(const std::string& account);
    // The host CPU use by address (the load strategy's input), from the watchdog.
    // Rebuilds the mapped zones whose answers it can change (a rule using load, and a
    // change of at least a tenth); never waits for a store transaction.
    void set_load(LoadMapPtr load);
    // Why the client view answers `service`/`transport` of `zone` as it does for
    // `querier` at `at` (now when not given), with `department` forced when given.
    // Errors: not_found "no zone X", "zone X has no tuples of http/tcp".
    Result<Explanation> explain(const std::string& zone, const std::string& service, const std::string& transport,
                                const Querier& querier, std::optional<std::chrono::system_clock::time_point> at,
                                const std::optional<std::string>& department);
    // The mapping rules as published (nullptr before snapshot()).
    std::shared_ptr<const PolicyView> policy_view();

    // --- what the watchdog and the alerts know of the accounts (accounts_snapshot.h) ---
    using AccountsCallback = std::function<void(AccountsSnapshotPtr)>;
    // Called with a fresh snapshot after snapshot() and after every zone add, removal or
    // import, settings put or rollback and account removal that succeeded. Never under
    // mu_ or view_mu_ (the callback may take its own locks); calls never overlap, and
    // each is made from the state as it is then, so the last call carries the last state.
    void on_accounts(AccountsCallback callback);
    // Zone ⇒ account and every account's [health] and [[alert]] as in force now.
    AccountsSnapshotPtr accounts_snapshot();

    // --- who hears of changes (the page's live stream) ---
    // Called after every committed change that moved a serial, with the zone's account
    // ('' for the platform's), from the thread that made it, possibly under the writers'
    // lock: it must only hand the news on (EventHub::publish), never call back in here.
    using ChangeCallback = std::function<void(const Change&, const std::string& account)>;
    void on_change(ChangeCallback callback) { change_callback_ = std::move(callback); }

private:
    // Caller holds neither mu_ nor view_mu_. Hands the callback a new snapshot.
    void notify_accounts();
    Result<std::shared_ptr<const ZoneSet>> snapshot_locked();  // caller holds mu_
    std::mutex accounts_mu_;  // taken before zone_accounts_mu_ and view_mu_; never while they are held
    AccountsCallback accounts_callback_;
    ChangeCallback change_callback_;  // set before serving, never changed after

    // Caller holds mu_. Rebuilds the changed zone, publishes the new snapshot, notifies
    // the agents of that zone, and tells change_callback_ (with `owner`, the zone's
    // account, when the zone is gone already; else it is looked up).
    void publish(const Change& change, const std::optional<std::string>& owner = std::nullopt);
    void notify_agents(const std::string& zone, uint32_t serial, const std::vector<AgentRow>& agents);
    void notify_secondaries(const std::string& zone, uint32_t serial);
    // Caller holds mu_. Journals the diff from the served `zone` to its rebuilt `next`.
    void record_diff(const std::string& zone, const Zone* next);
    Result<void> load_journal();
    // Every zone; their tuples into `tuples` when given.
    Result<std::shared_ptr<const ZoneSet>> build(ZoneTuples* tuples = nullptr);
    // The zone as the store has it now; nullptr when it no longer exists. Its tuples
    // into `tuples` when given.
    Result<std::shared_ptr<const Zone>> build_one(const std::string& zone, std::vector<Tuple>* tuples = nullptr);
    // Caller holds mu_ (not view_mu_). The client zone of `zone` remade after the
    // assignment view changed it (`tuples`: the zone's now), and published.
    void update_client_zone(const std::string& zone, std::vector<Tuple> tuples);

    // The API tokens' SHA-256 digests as stored (tokens themselves are never kept), with
    // who each acts for, read by every request on the API's threads.
    std::shared_mutex tokens_mu_;
    std::unordered_map<std::string, Principal> principals_;
    // zone name ⇒ its account, read by every API request that names a zone.
    std::shared_mutex zone_accounts_mu_;
    std::unordered_map<std::string, std::string> zone_accounts_;
    void set_zone_account(const std::string& zone, const std::optional<std::string>& account);

    std::mutex mu_;
    Store store_;
    DnsSettings settings_;
    std::shared_ptr<const ZoneSet> published_;  // what the DNS serves; null until snapshot()
    std::shared_ptr<const Journal> journal_ = std::make_shared<Journal>();
    std::vector<SecondaryConfig> secondaries_;
    JournalLimits journal_limits_;
    DnsServer* dns_ = nullptr;
    Notifier* notifier_ = nullptr;

    // The client view's state, under view_mu_ (taken after mu_ when both are), so a
    // health change never waits for the store. dns_ is written under both.
    std::mutex view_mu_;
    ClientViewSettings client_settings_;
    HealthMapPtr health_ = std::make_shared<const HealthMap>();           // reported_health_ + drains
    HealthMapPtr reported_health_ = std::make_shared<const HealthMap>();  // the watchdog's
    std::set<Address> drained_;  // addresses with a drain (drain.h): down in the client view
    // Caller holds view_mu_. health_ anew from reported_health_ and drained_; rebuilds
    // and publishes the client zones whose health moved.
    void apply_health();
    ZoneTuples tuples_;                                   // of every zone, as published
    std::shared_ptr<const ZoneSet> assignment_;           // = published_
    std::shared_ptr<const ZoneSet> client_published_;     // what client listeners serve
    // Mapping (policy_view.h), under view_mu_ too.
    PolicyClock policy_clock_;
    std::map<std::string, AccountPolicyPtr> account_policies_;  // account ⇒ its settings compiled
    std::map<std::string, std::string> zone_templates_;         // zone ⇒ its template, if any
    LoadMapPtr load_ = std::make_shared<const LoadMap>();
    std::shared_ptr<const PolicyView> policy_published_ = std::make_shared<const PolicyView>();
    // Caller holds view_mu_. `zone` under its account's rules as things are now; nullptr
    // when its account has none or the zone is gone.
    std::shared_ptr<const PolicyZone> policy_zone(const std::string& zone);
    // Caller holds view_mu_. Rebuilds the mapped zones named and publishes them.
    void update_policy_zones(const std::set<std::string>& zones);
    // Caller holds view_mu_. The zones of `account` as published.
    std::set<std::string> zones_of(const std::string& account);
    // Compiles a checked file.
    Result<AccountPolicyPtr> compile_settings(const std::string& account, const std::string& text,
                                              const std::string& file);
    // Caller holds mu_. Applies a compiled policy (nullptr: none) to the account's zones.
    void apply_policy(const std::string& account, AccountPolicyPtr policy);
    // Caller holds mu_. Loads every account's newest settings (snapshot()).
    void load_policies();
};

}  // namespace patchbay
