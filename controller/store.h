// The controller's durable state in SQLite (WAL, synchronous=FULL): accounts, zones with
// their serials and accounts, tuples, registered agents, API token hashes (with their
// account and role) and the change log (who changed what, when). An older database gains
// the columns added since when opened (kAddedColumns in store.cpp: the account columns
// default to '' = the platform and role 'admin'; old change-log rows have no author).
// Every mutation is one transaction that changes the data, bumps the zone's serial and
// appends to the change log, so an acknowledged change survives a crash whole or not at
// all. Not thread-safe: the caller serializes access (one writer at a time).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "address.h"
#include "change_tuples.h"
#include "record.h"
#include "result.h"
#include "sqlite_stmt.h"
#include "tuple.h"

namespace patchbay {

struct ZoneRow {
    std::string name;
    uint32_t serial = 0;
    std::string account;  // '' = the platform's (admins only)
    std::string template_name;  // the account's template it was made from, or ''
};

// One version of an account's settings file (settings.h), as accepted. Versions count
// from 1 and are never changed or removed (but with the account); the newest is in force.
struct SettingsRow {
    std::string account;
    int64_t version = 0;
    std::string text;
    std::string file;    // the name it was given as, for error messages
    int64_t at = 0;      // unix seconds
    std::string author;  // the token's name
    std::string note;    // "rollback to version 3", or ''
};

struct AccountRow {
    std::string name;
    int64_t created_at = 0;  // unix seconds
};

// An API token as stored: its digest, never the token.
struct TokenRow {
    std::string sha256;   // hex digest of the token
    std::string name;
    std::string account;  // '' for admins and platform agents
    std::string role;     // "admin", "account-admin", "account-viewer", "agent"
    int64_t created_at = 0;

    // The first 12 hex digits of the digest: how listings and `token revoke` name it.
    std::string id() const { return sha256.substr(0, 12); }
};

struct AgentRow {
    std::string name;
    std::optional<Endpoint> notify;  // none: the agent only polls
    std::vector<std::string> domains;
    int64_t registered_at = 0;  // unix seconds
};

// What a mutation did: the zone's serial after it, and whether anything changed
// (an identical tuple added again changes nothing and keeps the serial).
struct Change {
    std::string zone;
    uint32_t serial = 0;
    bool changed = false;
    int64_t id = 0;  // its row in the change log; 0 when nothing changed
};



// One row of the change log: a mutation as committed. `serial` is the zone's serial after
// it (for "zone rm", the last one served).
struct ChangeRow {
    int64_t id = 0;       // grows with every change; never reused
    int64_t at_ms = 0;    // unix milliseconds (rows older than the column: seconds × 1000)
    std::string zone;
    uint32_t serial = 0;
    std::string action;   // "zone add", "tuple update", "zone import", "dns update", …
    std::string detail;
    std::string author;   // "token:NAME", "tsig:KEY", …; '' when made before authors were kept
    std::string account;  // the zone's account when the change was made ('' = the platform)
    ChangeTuples tuples;  // empty for rows older than convergence tracking
};

// A drain (issue 7): an address taken out of the client view at `started_ms`, whose
// tuples are removed once `grace_ms` has passed (then `removed` holds them, for undrain,
// and `changes` the changes that removed them).
struct DrainRow {
    Address address;
    int64_t started_ms = 0;
    int64_t grace_ms = 0;
    bool drained = false;         // false: in its grace period
    std::vector<Tuple> removed;   // what the drain removed (put back by undrain)
    std::vector<int64_t> changes;
    std::string author;

    bool operator==(const DrainRow&) const = default;
};

// Which changes a listing wants: the newest `limit` of those matching, newest first.
struct ChangeFilter {
    std::optional<std::string> zone;
    std::optional<std::string> account;  // only changes of this account's zones
    std::optional<int64_t> after_id;     // only changes with a greater id
    size_t limit = 100;
};

// One zone diff of the IXFR journal, encoded as zone_diff.h does it.
struct JournalRow {
    std::string zone;
    uint32_t serial_from = 0;
    uint32_t serial_to = 0;
    std::string removed;
    std::string added;
};

class Store {
public:
    // Opens (creating if needed) the database at `path`. Errors name the path.
    static Result<Store> open(const std::string& path);

    // Errors: conflict when the zone exists. `account` ('' = the platform) must exist
    // (the caller checks: see has_account).
    // With a template: `tuples` (of the zone) come with it, in the same transaction.
    // `author` (every mutation's last parameter) says who made it, for the change log.
    Result<Change> add_zone(const std::string& name, const std::string& account = "",
                            const std::string& template_name = "", const std::vector<Tuple>& tuples = {},
                            const std::string& author = "");
    // Errors: not_found when the zone does not exist. Removes its tuples too.
    Result<Change> remove_zone(const std::string& name, const std::string& author = "");
    Result<std::vector<ZoneRow>> zones() const;
    // One zone, or nullopt when there is none of that name.
    Result<std::optional<ZoneRow>> zone(const std::string& name) const;

    // Adds the tuple, or updates priority/weight/target of the same placement.
    // Errors: not_found when its zone does not exist.
    Result<Change> put_tuple(const Tuple& tuple, const std::string& author = "");
    // Errors: not_found when the zone or the tuple does not exist.
    Result<Change> remove_tuple(const std::string& zone, const TupleKey& key, const std::string& author = "");
    // Every tuple, or those of one zone (not_found when that zone does not exist).
    Result<std::vector<Tuple>> tuples(const std::optional<std::string>& zone = std::nullopt) const;

    // The zone's non-tuple records, sorted (none when the zone does not exist).
    Result<std::vector<Record>> records(const std::string& zone) const;
    // Makes `tuples` and `records` the whole content of `zone`, creating it if needed, in
    // one transaction (zone import, dynamic update). The serial becomes `serial` when
    // given and newer (RFC 1982) than the zone's, else the zone's plus one; a new zone
    // takes `serial` (1 if none or 0). Content equal to the zone's changes nothing,
    // serial included. `action` goes to the change log with counts of what changed.
    // A new zone belongs to `account`; an existing one keeps its own.
    Result<Change> replace_zone(const std::string& zone, std::vector<Tuple> tuples, std::vector<Record> records,
                                std::optional<uint32_t> serial, const std::string& action,
                                const std::string& account = "", const std::string& author = "");

    // The change log: the newest `filter.limit` changes matching, newest first. A
    // removed zone's changes stay, under the account the zone had.
    Result<std::vector<ChangeRow>> changes(const ChangeFilter& filter) const;
    // One change, or nullopt when there is none with that id.
    Result<std::optional<ChangeRow>> change(int64_t id) const;

    // Errors: the name is not an account name (check_account_name), conflict when it exists.
    Result<void> add_account(const std::string& name);
    // Removes the account and its tokens; returns the removed tokens' digests.
    // Errors: not_found ("no account 'X'"), conflict ("account X still has N zones").
    Result<std::vector<std::string>> remove_account(const std::string& name);
    Result<std::vector<AccountRow>> accounts() const;
    Result<bool> has_account(const std::string& name) const;

    // Drains, by address. put_drain inserts or replaces.
    Result<void> put_drain(const DrainRow& drain);
    Result<std::vector<DrainRow>> drains() const;
    Result<void> remove_drain(const Address& address);

    Result<void> put_agent(const AgentRow& agent);
    Result<std::vector<AgentRow>> agents() const;

    // Tokens are stored as SHA-256 hex digests only. A digest stored already is kept as it was.
    Result<void> add_token_hash(const std::string& name, const std::string& sha256_hex,
                                const std::string& account = "", const std::string& role = "admin");
    // Every token, oldest first.
    Result<std::vector<TokenRow>> tokens() const;
    // Errors: not_found when no token has that digest.
    Result<void> remove_token(const std::string& sha256_hex);
    Result<bool> has_token_hash(const std::string& sha256_hex) const;
    // Every stored token digest (the controller keeps them in memory).
    Result<std::vector<std::string>> token_hashes() const;
    Result<int64_t> token_count() const;

    // After a restore (backup.h): each zone of `serials` takes its serial there, gets a
    // change row ("restore", `detail`) and loses its IXFR journal, whose diffs lead to
    // serials the restored zone will never have. One transaction.
    Result<std::vector<Change>> restart_serials(const std::map<std::string, uint32_t>& serials,
                                                const std::string& detail, const std::string& author);

    // Appends a diff to the IXFR journal and drops the zone's oldest beyond `keep`. Written
    // after the change's own transaction: a crash in between leaves a gap, which only
    // makes IXFR fall back to the whole zone. A removed zone's rows go with it.
    Result<void> add_journal(const JournalRow& row, size_t keep);
    // Every zone's diffs, each zone's oldest first.
    Result<std::vector<JournalRow>> journal() const;

    // Stores a new version of the account's settings (checked by the caller) as the
    // newest. Errors: not_found "no account 'X'".
    Result<SettingsRow> add_settings(const std::string& account, const std::string& text, const std::string& file,
                                     const std::string& author, const std::string& note = "");
    // Every version of the account's settings, newest first (none: never set).
    Result<std::vector<SettingsRow>> settings_history(const std::string& account) const;
    // The newest version of every account that has settings.
    Result<std::vector<SettingsRow>> current_settings() const;

private:
    explicit Store(sqlite3* db) : db_(db) {}
    Result<void> exec(const char* sql) const;
    // Adds the columns an older database lacks (kAddedColumns in store.cpp).
    Result<void> migrate();
    Result<Change> bump(const std::string& zone, const std::string& action, const std::string& detail,
                        const std::string& author, const ChangeTuples& tuples);

    SqliteDb db_;
};

}  // namespace patchbay
