// mapping: one client question (an SRV RRset of an account's domain) and the facts of
// the moment in, the records to answer and why out (issue 5, docs/policies.md). Pure:
// no clock, no sockets, no lookups — the DNS path, its per-bucket cache and `patchbay
// explain` all call the same function with facts they gathered themselves.
//
// How an answer is made:
// 1. The rules that can apply are those whose domain/template/service/transport/
//    department/window conditions hold for the question (server/type/tag conditions are
//    about candidates, not the question). They are tried from the most specific: a rule
//    with a department beats one without, then window, then server, then type or tag,
//    then service (transport adds to it), then domain or template; on a tie the earlier
//    in the file. Type and tag count one each (a rule with both beats one with either),
//    as do domain and template. An implicit last rule "default" (all-healthy, no
//    conditions) ends the list.
// 2. A rule's pool is the candidates its server/type/tag conditions let in. The first
//    rule whose pool has a candidate that is not down answers; the ones before it are
//    named in `passed` with why (empty pool, all down).
// 3. The strategy picks from the pool's healthy candidates (up or warning; unknown is
//    up): all-healthy keeps every one with its priority and weight; failover keeps the
//    healthy ones of the best priority that has one up (else one warning), so a
//    priority whose servers all warn gives way to one that is up; weighted puts them
//    all at the best priority among them with the rule's weight for the server (by
//    address text, then by type), else the server's [servers] weight, else the tuple's;
//    load does so with weights 10..100 from the host's CPU use (round((1 - cpu) * 10) *
//    10, at least 10, cpu clamped to 0..1; unknown load: 50); geo keeps those whose
//    [servers] region is the querier's, else those of its `near` regions, the first
//    that has one, else all of them (a querier in no region, or in one not defined:
//    all of them), priorities and weights as they are. Whatever the strategy, a warning
//    record's weight is then scaled by warning_weight_percent (client_view's
//    warning_weight), so an overloaded server gets less traffic under every strategy.
// 4. `count` keeps at most that many: by priority, then weight (higher first), then
//    address, then port.
// When even the default rule finds every candidate down (every rule is then in
// `passed`), view.all_down decides as in the client view (least-bad: every record of the
// RRset as it is, no strategy, no count; empty: none). No candidate at all: no record.
//
// Mapping::facts, one line each, in this order: the question ("question:
// _http._tcp.hostdomain.com", "department eng (querier)" or "no department (querier)",
// "windows in force: business night" or "no window in force", "region eu (querier)" or
// "no region (querier)"); per candidate "10.10.10.121:80 p1 w100: down, cpu 0.35;
// [servers] 10.10.10.0/24 (acme.toml:3:1): region eu, type web" (or "no [servers]
// entry"); "passed rule NAME: why" per passed rule; "rule NAME (FILE:L:C): STRATEGY[,
// count N], K healthy in its pool"; what the strategy did ("failover: priority 2, the
// best with one up", "weighted: all at priority 1; 10.10.10.121:80 weight 70 (rule, by
// address) …", "geo: region us, near eu (none healthy in eu)"…); each warning weight
// scaled; "count N: left out …"; "answer: 10.10.10.122:80 p1 w100, …" — or, when all
// are down, "all N down: all-down least-bad, every record as it is" / "… empty, no
// record".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client_view.h"
#include "health_state.h"
#include "settings.h"
#include "tuple.h"

namespace patchbay {

// The facts of one question that rules may depend on.
struct MappingQuestion {
    std::string domain;                     // the zone, normalized
    std::optional<std::string> template_name;  // the template the zone was created from
    std::string service;
    std::string transport;
    std::optional<std::string> department;  // the querier's, if any
    std::vector<std::string> windows;       // the windows in force now (names)
    std::optional<std::string> region;      // the querier's, if known
};

// One tuple of the RRset and what is known of its server now.
struct MappingCandidate {
    Tuple tuple;
    Health health = Health::unknown;
    std::optional<double> cpu;  // host busy fraction 0..1 from its last report
};

// A record of the answer: the tuple it comes from, with the priority and weight the
// strategy gave it.
struct MappedRecord {
    Tuple tuple;  // priority and weight as answered
    bool operator==(const MappedRecord&) const = default;
};

// A rule tried and passed over, and why ("no server of type 'sip-edge'", "all 2 down").
struct PassedRule {
    std::string rule;
    std::string why;
};

struct Mapping {
    std::vector<MappedRecord> records;  // sorted by priority, weight (desc), address, port
    std::string rule = "default";       // the rule that answered
    std::optional<SourcePlace> rule_at; // where it is written (none for "default")
    std::vector<PassedRule> passed;     // the more specific rules that could not answer
    std::vector<std::string> facts;     // what it went by, one line each:
                                        // "region eu (querier)", "10.10.10.121: down", ...
};

// The answer to `question` from `candidates` (the tuples of that SRV RRset; others are
// ignored) under `settings`. Never fails.
Mapping map_answer(const AccountSettings& settings, const MappingQuestion& question,
                   const std::vector<MappingCandidate>& candidates, const ClientViewSettings& view);

// Which facts of a question can change the answer for this RRset under `settings`:
// the DNS path keys its cache by these only (a policy bucket).
struct MappingInputs {
    bool department = false;  // some rule that can apply names a department
    bool windows = false;     // … or a window
    bool region = false;      // … or uses geo
};
MappingInputs mapping_inputs(const AccountSettings& settings, const std::string& domain,
                             const std::optional<std::string>& template_name, const std::string& service,
                             const std::string& transport);

// The facts of the server at `address` from [servers] (longest prefix), or nullptr.
const ServerFacts* server_facts(const AccountSettings& settings, const Address& address);

}  // namespace patchbay
