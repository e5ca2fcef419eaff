// settings: an account's settings file (issue 5, docs/policies.md) — the TOML text an
// account keeps on the controller: its mapping rules and the facts they use (regions,
// departments, time windows, what each server is), its domain templates, and its own
// health criteria and alert policies. Parsed and validated by a pure function: a file
// with any error is never applied, and the error names file:line:column and the rule
// broken.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acl.h"
#include "address.h"
#include "alert.h"
#include "health.h"
#include "result.h"

namespace patchbay {

// Where a thing was written, for `explain` and error messages ("acme.toml:12:1").
struct SourcePlace {
    std::string file;
    uint32_t line = 0;
    uint32_t column = 0;
    std::string str() const { return file + ":" + std::to_string(line) + ":" + std::to_string(column); }
    bool operator==(const SourcePlace&) const = default;
};

// How a rule picks the SRV records of an answer among the healthy ones of its pool
// (mapping.h has the exact semantics).
enum class Strategy : uint8_t {
    all_healthy,  // every record not down, priorities kept, warning weights scaled
    failover,     // only the best priority that has a healthy record
    weighted,     // healthy records, one priority, weights from the rule's table
    load,         // healthy records, one priority, weights from reported load
    geo,          // healthy records in the querier's region, then its `near` regions
};
inline std::string_view strategy_name(Strategy s) {
    switch (s) {
        case Strategy::all_healthy: return "all-healthy";
        case Strategy::failover: return "failover";
        case Strategy::weighted: return "weighted";
        case Strategy::load: return "load";
        case Strategy::geo: return "geo";
    }
    return "all-healthy";
}
inline std::optional<Strategy> parse_strategy(std::string_view text) {
    for (Strategy s : {Strategy::all_healthy, Strategy::failover, Strategy::weighted, Strategy::load, Strategy::geo})
        if (strategy_name(s) == text) return s;
    return std::nullopt;
}

// [regions.NAME]: where queriers are. A querier is in the region whose `networks` hold
// its address (longest prefix over every region), else whose countries/continents hold
// its MaxMind answer (when [geo] maxmind_db is set), else in [geo] default_region.
struct Region {
    std::string name;
    std::vector<Prefix> networks;
    std::vector<std::string> countries;   // ISO 3166-1 alpha-2, upper case ("DE")
    std::vector<std::string> continents;  // MaxMind continent codes ("EU", "NA")
    std::vector<std::string> near;        // regions to fall back to, in order
    SourcePlace where;
    bool operator==(const Region&) const = default;
};

struct GeoSettings {
    std::optional<std::string> maxmind_db;  // path of a GeoIP2/GeoLite2 .mmdb
    std::string default_region;             // "" = none: no region, geo answers all healthy
    bool operator==(const GeoSettings&) const = default;
};

// [departments.NAME]: queriers of one department get the rules that name it.
struct Department {
    std::string name;
    std::vector<Prefix> networks;   // source addresses (ECS not used: it is the resolver's client)
    std::vector<std::string> keys;  // TSIG key names the query is signed with
    SourcePlace where;
    bool operator==(const Department&) const = default;
};

// [windows.NAME]: a weekly time window in a named time zone.
struct Window {
    std::string name;
    std::string time_zone = "UTC";  // IANA name ("Europe/Berlin"), checked when parsed
    uint8_t days = 0x7f;            // bit 0 Monday … bit 6 Sunday (local days)
    uint16_t from_minute = 0;       // local minutes after midnight, inclusive
    uint16_t to_minute = 1440;      // exclusive; to < from wraps past midnight (on `days` of from)
    SourcePlace where;
    bool operator==(const Window&) const = default;
};

// [servers."ADDRESS-OR-PREFIX"]: what a server is. A tuple's address takes the facts of
// the longest prefix holding it.
struct ServerFacts {
    Prefix match;
    std::string region;              // a [regions] name, or ""
    std::string type;                // free word ("sip-edge"), or ""
    std::vector<std::string> tags;
    std::optional<uint16_t> weight;  // the weighted strategy's default for this server
    SourcePlace where;
    bool operator==(const ServerFacts&) const = default;
};

// Which answers a rule is for. Every condition set must hold; an unset one holds always.
struct RuleSelector {
    std::optional<std::string> domain;      // normalized zone name
    std::optional<std::string> template_name;  // zones created from this template
    std::optional<std::string> service;     // "http"
    std::optional<std::string> transport;   // "tcp"
    std::optional<std::string> server_type; // narrows the pool to servers of this type
    std::optional<std::string> tag;         // … having this tag
    std::optional<Prefix> server;           // … inside this prefix
    std::optional<std::string> department;  // the querier's department
    std::optional<std::string> window;      // in force only inside this window
    bool operator==(const RuleSelector&) const = default;
};

// [[rule]]: one mapping rule.
struct Rule {
    std::string name;  // given, or "rule N" (1-based position in the file)
    RuleSelector when;
    Strategy strategy = Strategy::all_healthy;
    std::optional<uint16_t> count;            // at most this many records
    std::map<std::string, uint16_t> weights;  // weighted: by server address text or type
    SourcePlace where;
    bool operator==(const Rule&) const = default;
};

// A tuple of a template, without its domain.
struct TemplateTuple {
    std::string service;
    std::string transport;
    Address address;
    uint16_t port = 0;
    uint16_t priority = 1;
    uint16_t weight = 100;
    bool operator==(const TemplateTuple&) const = default;
};

// [templates.NAME]: what `zone add DOMAIN --template NAME` creates.
struct DomainTemplate {
    std::string name;
    std::vector<TemplateTuple> tuples;
    SourcePlace where;
    bool operator==(const DomainTemplate&) const = default;
};

struct AccountSettings {
    uint32_t ttl = 5;  // [mapping] ttl: how long resolvers may keep a mapped answer
    // [health]: the keys given replace the controller's for this account's instances
    // (the watchdog's own timing keys are refused); the others stay the controller's.
    std::optional<HealthOverrides> health;
    std::vector<AlertPolicy> alerts;       // [[alert]]: webhook and email only (no command)
    GeoSettings geo;
    std::vector<Region> regions;
    std::vector<Department> departments;
    std::vector<Window> windows;
    std::vector<ServerFacts> servers;
    std::vector<Rule> rules;  // in file order
    std::vector<DomainTemplate> templates;
};

// Parses and validates an account's settings file. `file` names it in errors, which
// read "FILE:LINE:COLUMN: what is wrong" (a TOML syntax error, an unknown key, a bad
// value, a name used but not defined, a region `near` itself, two rules that can never
// differ…). Never touches the file system except to check that [geo] maxmind_db names a
// readable MaxMind database when `check_files` is true.
Result<AccountSettings> parse_settings(std::string_view text, const std::string& file, bool check_files = true);

}  // namespace patchbay
