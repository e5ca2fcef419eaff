// mapping: map_answer table by table — each strategy alone under health mixes, `count`
// after each, rules by specificity, pools that fall through, all down; the seed example
// (hostdomain.com) in most rows; mapping_inputs and server_facts.
#include <catch2/catch.hpp>

#include <algorithm>

#include "mapping.h"
#include "seed.h"

using namespace patchbay;
using test::tuple_of;

namespace {

using Strings = std::vector<std::string>;
using Healths = std::map<std::string, Health>;  // "10.10.10.121:80" ⇒ health; absent: up
using Loads = std::map<std::string, double>;     // "10.10.10.121:80" ⇒ cpu; absent: unknown

const Health warning = Health::warning, down = Health::down, unknown = Health::unknown;

Prefix prefix(const char* text) { return *Prefix::parse(text); }

std::string place(const Tuple& t) { return Endpoint{t.key.address, t.key.port}.str(); }

// The seed's tuples (HTTP and SMTP) with the health and load given.
std::vector<MappingCandidate> seed(const Healths& health = {}, const Loads& load = {},
                                   std::vector<Tuple> extra = {}) {
    std::vector<Tuple> tuples = test::seed_tuples();
    tuples.insert(tuples.end(), extra.begin(), extra.end());
    std::vector<MappingCandidate> out;
    for (auto& t : tuples) {
        MappingCandidate c;
        c.tuple = t;
        auto h = health.find(place(t));
        c.health = h == health.end() ? Health::up : h->second;
        auto l = load.find(place(t));
        if (l != load.end()) c.cpu = l->second;
        out.push_back(std::move(c));
    }
    return out;
}

MappingQuestion question(const char* service = "http") {
    MappingQuestion q;
    q.domain = "hostdomain.com";
    q.service = service;
    q.transport = "tcp";
    return q;
}

MappingQuestion question_from(const char* region) {
    MappingQuestion q = question();
    if (region != nullptr) q.region = region;
    return q;
}

Rule rule(const char* name, Strategy strategy, std::optional<uint16_t> count = std::nullopt) {
    Rule r;
    r.name = name;
    r.strategy = strategy;
    r.count = count;
    r.where = SourcePlace{"acme.toml", 10, 1};
    return r;
}

ServerFacts server(const char* match, const char* region, const char* type = "", Strings tags = {},
                   std::optional<uint16_t> weight = std::nullopt) {
    ServerFacts s;
    s.match = prefix(match);
    s.region = region;
    s.type = type;
    s.tags = std::move(tags);
    s.weight = weight;
    return s;
}

Region region(const char* name, Strings near) {
    Region r;
    r.name = name;
    r.near = std::move(near);
    return r;
}

// "10.10.10.121:80 p1 w100", in answer order.
Strings records(const Mapping& m) {
    Strings out;
    for (const auto& r : m.records)
        out.push_back(place(r.tuple) + " p" + std::to_string(r.tuple.priority) + " w" + std::to_string(r.tuple.weight));
    return out;
}

Strings passed(const Mapping& m) {
    Strings out;
    for (const auto& p : m.passed) out.push_back(p.rule + ": " + p.why);
    return out;
}

bool has_fact(const Mapping& m, const std::string& line) {
    return std::find(m.facts.begin(), m.facts.end(), line) != m.facts.end();
}

std::string facts_text(const Mapping& m) {
    std::string text;
    for (const auto& f : m.facts) text += "\n  " + f;
    return text;
}

ClientViewSettings all_down(AllDown rule) {
    ClientViewSettings v;
    v.all_down = rule;
    return v;
}

const char* h121 = "10.10.10.121:80 p1 w100";
const char* h122 = "10.10.10.122:80 p1 w100";
const char* h123 = "10.10.10.123:8080 p2 w100";

// One row: a settings file, a question, health and load, the answer expected.
struct Case {
    const char* what;
    AccountSettings settings;
    MappingQuestion question;
    std::vector<MappingCandidate> candidates;
    Strings answer;
    std::string rule = "default";
    Strings passed = {};
    ClientViewSettings view = {};
};

void check(const std::vector<Case>& rows) {
    for (const auto& row : rows) {
        Mapping m = map_answer(row.settings, row.question, row.candidates, row.view);
        INFO(row.what << facts_text(m));
        CHECK(records(m) == row.answer);
        CHECK(m.rule == row.rule);
        CHECK(passed(m) == row.passed);
    }
}

AccountSettings one_rule(Rule r, std::vector<ServerFacts> servers = {}, std::vector<Region> regions = {}) {
    AccountSettings s;
    s.rules.push_back(std::move(r));
    s.servers = std::move(servers);
    s.regions = std::move(regions);
    return s;
}

}  // namespace

TEST_CASE("mapping: all-healthy (the default rule) on the seed") {
    const AccountSettings none;
    check({
        {"all up", none, question(), seed(), {h121, h122, h123}},
        {"unknown counts as up", none, question(), seed({{"10.10.10.121:80", unknown}}), {h121, h122, h123}},
        {"121 warning: weight scaled to 10, after 122", none, question(), seed({{"10.10.10.121:80", warning}}),
         {h122, "10.10.10.121:80 p1 w10", h123}},
        {"121 down: 122, then 123 at p2", none, question(), seed({{"10.10.10.121:80", down}}), {h122, h123}},
        {"121 and 122 down: 123 at p2", none, question(),
         seed({{"10.10.10.121:80", down}, {"10.10.10.122:80", down}}), {h123}},
        {"SMTP: only its own RRset", none, question("smtp"), seed({{"10.10.10.121:80", down}}),
         {"10.10.10.123:23 p1 w100", "10.10.10.124:23 p2 w100"}},
        {"SMTP 123 down: 124", none, question("smtp"), seed({{"10.10.10.123:23", down}}), {"10.10.10.124:23 p2 w100"}},
        {"all down, least-bad: all of them as they are", none, question(),
         seed({{"10.10.10.121:80", down}, {"10.10.10.122:80", down}, {"10.10.10.123:8080", down}}),
         {h121, h122, h123}},
        {"all down, empty: none", none, question(),
         seed({{"10.10.10.121:80", down}, {"10.10.10.122:80", down}, {"10.10.10.123:8080", down}}), {}, "default",
         {}, all_down(AllDown::empty)},
        {"another domain's question: no records", none,
         [] {
             MappingQuestion q = question();
             q.domain = "other.com";
             return q;
         }(),
         seed(), {}},
    });
}

TEST_CASE("mapping: failover") {
    const AccountSettings s = one_rule(rule("fo", Strategy::failover));
    check({
        {"all up: priority 1", s, question(), seed(), {h121, h122}, "fo"},
        {"121 down: 122", s, question(), seed({{"10.10.10.121:80", down}}), {h122}, "fo"},
        {"121 and 122 down: 123 at p2", s, question(), seed({{"10.10.10.121:80", down}, {"10.10.10.122:80", down}}),
         {h123}, "fo"},
        {"121 warning, 122 up: both, 121 scaled", s, question(), seed({{"10.10.10.121:80", warning}}),
         {h122, "10.10.10.121:80 p1 w10"}, "fo"},
        {"p1 all warning, 123 up: 123", s, question(),
         seed({{"10.10.10.121:80", warning}, {"10.10.10.122:80", warning}}), {h123}, "fo"},
        {"p1 warning and down, 123 down: the warning one", s, question(),
         seed({{"10.10.10.121:80", warning}, {"10.10.10.122:80", down}, {"10.10.10.123:8080", down}}),
         {"10.10.10.121:80 p1 w10"}, "fo"},
        {"all warning: p1, both scaled", s, question(),
         seed({{"10.10.10.121:80", warning}, {"10.10.10.122:80", warning}, {"10.10.10.123:8080", warning}}),
         {"10.10.10.121:80 p1 w10", "10.10.10.122:80 p1 w10"}, "fo"},
        {"unknown is up", s, question(), seed({{"10.10.10.121:80", unknown}, {"10.10.10.122:80", down}}), {h121},
         "fo"},
        {"all down, least-bad: the default rule, all as they are", s, question(),
         seed({{"10.10.10.121:80", down}, {"10.10.10.122:80", down}, {"10.10.10.123:8080", down}}),
         {h121, h122, h123}, "default", {"fo: all 3 down"}},
        {"all down, empty", s, question(),
         seed({{"10.10.10.121:80", down}, {"10.10.10.122:80", down}, {"10.10.10.123:8080", down}}), {}, "default",
         {"fo: all 3 down"}, all_down(AllDown::empty)},
    });
}

TEST_CASE("mapping: weighted — by address, by type, [servers] weight, tuple weight") {
    Rule w = rule("w", Strategy::weighted);
    w.weights = {{"10.10.10.121", 70}, {"web", 20}};
    // 120–123 are web servers; 123 is a mail server (longest prefix) weighing 30; 125 has no entry.
    const AccountSettings s = one_rule(
        w, {server("10.10.10.120/30", "", "web"), server("10.10.10.123", "", "mail", {}, uint16_t{30})});
    const std::vector<Tuple> extra = {tuple_of("http", "10.10.10.125", "80", "3", "5")};
    check({
        {"all at p1: 121 by address (over its type), 122 by type, 123 [servers], 125 tuple", s, question(),
         seed({}, {}, extra),
         {"10.10.10.121:80 p1 w70", "10.10.10.123:8080 p1 w30", "10.10.10.122:80 p1 w20", "10.10.10.125:80 p1 w5"},
         "w"},
        {"121 warning: 70 scaled to 7", s, question(), seed({{"10.10.10.121:80", warning}}, {}, extra),
         {"10.10.10.123:8080 p1 w30", "10.10.10.122:80 p1 w20", "10.10.10.121:80 p1 w7", "10.10.10.125:80 p1 w5"},
         "w"},
        {"121 and 122 down: all at the best priority left (2)", s, question(),
         seed({{"10.10.10.121:80", down}, {"10.10.10.122:80", down}}, {}, extra),
         {"10.10.10.123:8080 p2 w30", "10.10.10.125:80 p2 w5"}, "w"},
        {"no weights at all: the tuples'", one_rule(rule("w", Strategy::weighted)), question(), seed(),
         {h121, h122, "10.10.10.123:8080 p1 w100"}, "w"},
    });
}

TEST_CASE("mapping: load") {
    const AccountSettings s = one_rule(rule("load", Strategy::load));
    check({
        {"cpu 0.3 ⇒ 70, 0.96 ⇒ 10 (at least), unknown ⇒ 50; all at p1", s, question(),
         seed({}, {{"10.10.10.121:80", 0.3}, {"10.10.10.122:80", 0.96}}),
         {"10.10.10.121:80 p1 w70", "10.10.10.123:8080 p1 w50", "10.10.10.122:80 p1 w10"}, "load"},
        {"idle ⇒ 100, busy ⇒ 10, over 1 counts as 1", s, question(),
         seed({}, {{"10.10.10.121:80", 0.0}, {"10.10.10.122:80", 1.0}, {"10.10.10.123:8080", 1.7}}),
         {"10.10.10.121:80 p1 w100", "10.10.10.122:80 p1 w10", "10.10.10.123:8080 p1 w10"}, "load"},
        {"warning: the load weight scaled", s, question(),
         seed({{"10.10.10.121:80", warning}}, {{"10.10.10.121:80", 0.0}, {"10.10.10.122:80", 0.5}}),
         {"10.10.10.122:80 p1 w50", "10.10.10.123:8080 p1 w50", "10.10.10.121:80 p1 w10"}, "load"},
        {"p1 down: 123 alone at p2", s, question(), seed({{"10.10.10.121:80", down}, {"10.10.10.122:80", down}}),
         {"10.10.10.123:8080 p2 w50"}, "load"},
    });
}

TEST_CASE("mapping: geo") {
    // 121 in eu, 122 in us, 123 in asia; asia falls back to eu, then us; eu to us.
    const AccountSettings s =
        one_rule(rule("geo", Strategy::geo),
                 {server("10.10.10.121", "eu"), server("10.10.10.122", "us"), server("10.10.10.123", "asia")},
                 {region("eu", {"us"}), region("us", {}), region("asia", {"eu", "us"})});
    check({
        {"from eu: 121", s, question_from("eu"), seed(), {h121}, "geo"},
        {"from us: 122", s, question_from("us"), seed(), {h122}, "geo"},
        {"from asia: 123, its priority kept", s, question_from("asia"), seed(), {h123}, "geo"},
        {"from eu, 121 down: near us", s, question_from("eu"), seed({{"10.10.10.121:80", down}}), {h122}, "geo"},
        {"from asia, 123 down: near eu first", s, question_from("asia"), seed({{"10.10.10.123:8080", down}}), {h121},
         "geo"},
        {"from asia, 123 and 121 down: then us", s, question_from("asia"),
         seed({{"10.10.10.123:8080", down}, {"10.10.10.121:80", down}}), {h122}, "geo"},
        {"from us, 122 down, no near region: every healthy one", s, question_from("us"),
         seed({{"10.10.10.122:80", down}}), {h121, h123}, "geo"},
        {"from eu, 121 warning: still 121, scaled", s, question_from("eu"), seed({{"10.10.10.121:80", warning}}),
         {"10.10.10.121:80 p1 w10"}, "geo"},
        {"no region: every healthy one", s, question_from(nullptr), seed(), {h121, h122, h123}, "geo"},
        {"a region no server is in, not defined: every healthy one", s, question_from("af"), seed(),
         {h121, h122, h123}, "geo"},
        {"servers without [servers] facts are in no region", one_rule(rule("geo", Strategy::geo)),
         question_from("eu"), seed(), {h121, h122, h123}, "geo"},
    });
}

TEST_CASE("mapping: count after each strategy") {
    Rule weighted = rule("c", Strategy::weighted, 2);
    weighted.weights = {{"10.10.10.123", 300}, {"10.10.10.122", 200}};
    const std::vector<ServerFacts> servers = {server("10.10.10.121", "eu"), server("10.10.10.122", "us"),
                                              server("10.10.10.123", "asia")};
    const std::vector<Region> regions = {region("eu", {"us"}), region("us", {}), region("asia", {"eu", "us"})};
    check({
        {"all-healthy, 2: p1 first, then by address", one_rule(rule("c", Strategy::all_healthy, 2)), question(),
         seed(), {h121, h122}, "c"},
        {"all-healthy, 1: the higher weight first", one_rule(rule("c", Strategy::all_healthy, 1)), question(),
         seed({{"10.10.10.121:80", warning}}), {h122}, "c"},
        {"all-healthy, 1, p1 down: 123", one_rule(rule("c", Strategy::all_healthy, 1)), question(),
         seed({{"10.10.10.121:80", down}, {"10.10.10.122:80", down}}), {h123}, "c"},
        {"failover, 1", one_rule(rule("c", Strategy::failover, 1)), question(), seed(), {h121}, "c"},
        {"weighted, 2: the two heaviest", one_rule(weighted), question(), seed(),
         {"10.10.10.123:8080 p1 w300", "10.10.10.122:80 p1 w200"}, "c"},
        {"load, 1: the least busy", one_rule(rule("c", Strategy::load, 1)), question(),
         seed({}, {{"10.10.10.121:80", 0.9}, {"10.10.10.122:80", 0.1}, {"10.10.10.123:8080", 0.5}}),
         {"10.10.10.122:80 p1 w90"}, "c"},
        {"geo, 1: from us with 122 down (no near): p1 first", one_rule(rule("c", Strategy::geo, 1), servers, regions),
         question_from("us"), seed({{"10.10.10.122:80", down}}), {h121}, "c"},
        {"count over the records: all", one_rule(rule("c", Strategy::all_healthy, 5)), question(), seed(),
         {h121, h122, h123}, "c"},
    });
}

TEST_CASE("mapping: the most specific rule answers") {
    auto when = [](Rule r, auto set) {
        set(r.when);
        return r;
    };
    AccountSettings s;
    // In file order from the least specific to the most, so order alone cannot explain a win.
    s.rules = {
        when(rule("for the domain", Strategy::all_healthy), [](RuleSelector& w) { w.domain = "hostdomain.com"; }),
        when(rule("for http", Strategy::failover, 1), [](RuleSelector& w) { w.service = "http"; }),
        when(rule("for http again", Strategy::all_healthy), [](RuleSelector& w) { w.service = "http"; }),
        when(rule("for http/tcp", Strategy::failover),
             [](RuleSelector& w) {
                 w.service = "http";
                 w.transport = "tcp";
             }),
        when(rule("web type", Strategy::all_healthy, 1), [](RuleSelector& w) { w.server_type = "web"; }),
        when(rule("in 10.10.10.122/31", Strategy::all_healthy),
             [](RuleSelector& w) { w.server = prefix("10.10.10.122/31"); }),
        when(rule("business hours", Strategy::weighted), [](RuleSelector& w) { w.window = "business"; }),
        when(rule("engineering", Strategy::geo), [](RuleSelector& w) { w.department = "eng"; }),
        when(rule("for other.com", Strategy::failover), [](RuleSelector& w) { w.domain = "other.com"; }),
        when(rule("for smtp", Strategy::failover), [](RuleSelector& w) { w.service = "smtp"; }),
    };
    s.servers = {server("10.10.10.121", "eu", "web"), server("10.10.10.123", "asia", "web")};
    s.regions = {region("eu", {})};
    auto ask = [](std::optional<std::string> department, Strings windows, const char* service = "http") {
        MappingQuestion q = question(service);
        q.department = std::move(department);
        q.windows = std::move(windows);
        q.region = "eu";
        return q;
    };
    check({
        {"department beats window", s, ask("eng", {"business"}), seed(), {h121}, "engineering"},
        {"another department: window", s, ask("sales", {"business"}), seed(), {h121, h122, "10.10.10.123:8080 p1 w100"},
         "business hours"},
        {"window beats server", s, ask(std::nullopt, {"business"}), seed(), {h121, h122, "10.10.10.123:8080 p1 w100"},
         "business hours"},
        {"another window: server", s, ask(std::nullopt, {"night"}), seed(), {h122, h123}, "in 10.10.10.122/31"},
        {"server pool down: type (count 1)", s, ask(std::nullopt, {}),
         seed({{"10.10.10.122:80", down}, {"10.10.10.123:8080", down}}), {h121}, "web type",
         {"in 10.10.10.122/31: all 2 down"}},
        {"server and type pools down: service and transport", s, ask(std::nullopt, {}),
         seed({{"10.10.10.121:80", down}, {"10.10.10.122:80", down}, {"10.10.10.123:8080", down}}, {},
              {tuple_of("http", "10.10.10.125", "80", "3")}),
         {"10.10.10.125:80 p3 w100"}, "for http/tcp", {"in 10.10.10.122/31: all 2 down", "web type: all 2 down"}},
        {"smtp, 123 down: server and type pools down, the smtp rule", s, ask(std::nullopt, {}, "smtp"),
         seed({{"10.10.10.123:23", down}}), {"10.10.10.124:23 p2 w100"}, "for smtp",
         {"in 10.10.10.122/31: all 1 down", "web type: all 1 down"}},
    });

    AccountSettings services;
    services.rules = {s.rules[0], s.rules[1], s.rules[2]};
    check({
        {"a service rule beats a domain rule; on a tie the earlier", services, ask(std::nullopt, {}), seed(), {h121},
         "for http"},
    });
}

TEST_CASE("mapping: pools that fall through") {
    auto pool_rule = [](const char* name, const char* type, const char* tag, const char* in) {
        Rule r = rule(name, Strategy::all_healthy);
        if (type != nullptr) r.when.server_type = type;
        if (tag != nullptr) r.when.tag = tag;
        if (in != nullptr) r.when.server = prefix(in);
        return r;
    };
    AccountSettings s;
    s.rules = {pool_rule("edge", "sip-edge", nullptr, nullptr), pool_rule("canary", nullptr, "canary", nullptr),
               pool_rule("web in 10.20/16", "web", nullptr, "10.20.0.0/16"),
               pool_rule("big web", "web", "big", nullptr)};
    s.servers = {server("10.10.10.0/24", "", "web"), server("10.10.10.122", "", "web", {"canary", "big"})};
    check({
        {"server beats type and tag; type and tag beat type or tag", s, question(), seed(), {h122}, "big web",
         {"web in 10.20/16: no server of type 'web' in 10.20.0.0/16"}},
        {"canary down: big web is 122 too, so down too; the default", s, question(),
         seed({{"10.10.10.122:80", down}}), {h121, h123}, "default",
         {"web in 10.20/16: no server of type 'web' in 10.20.0.0/16", "big web: all 1 down",
          "edge: no server of type 'sip-edge'", "canary: all 1 down"}},
        {"everything down, least-bad: every rule passed, all as they are", s, question(),
         seed({{"10.10.10.121:80", down}, {"10.10.10.122:80", down}, {"10.10.10.123:8080", down}}),
         {h121, h122, h123}, "default",
         {"web in 10.20/16: no server of type 'web' in 10.20.0.0/16", "big web: all 1 down",
          "edge: no server of type 'sip-edge'", "canary: all 1 down"}},
    });
}

TEST_CASE("mapping: facts say why") {
    AccountSettings s;
    Rule fo = rule("failover in eu", Strategy::failover);
    fo.when.window = "business";
    s.rules = {fo};
    ServerFacts eu = server("10.10.10.0/24", "eu", "web", {"a", "b"}, uint16_t{50});
    eu.where = SourcePlace{"acme.toml", 3, 1};
    s.servers = {eu};
    MappingQuestion q = question();
    q.department = "eng";
    q.windows = {"business", "night"};
    q.region = "eu";
    Mapping m = map_answer(
        s, q, seed({{"10.10.10.121:80", down}, {"10.10.10.122:80", warning}}, {{"10.10.10.123:8080", 0.25}}), {});
    INFO(facts_text(m));
    CHECK(records(m) == Strings{h123});
    CHECK(m.rule == "failover in eu");
    REQUIRE(m.rule_at.has_value());
    CHECK(m.rule_at->str() == "acme.toml:10:1");
    for (const char* line : {
             "question: _http._tcp.hostdomain.com",
             "department eng (querier)",
             "windows in force: business night",
             "region eu (querier)",
             "10.10.10.121:80 p1 w100: down, cpu unknown; [servers] 10.10.10.0/24 (acme.toml:3:1): region eu, type web, "
             "tags a b, weight 50",
             "10.10.10.122:80 p1 w100: warning, cpu unknown; [servers] 10.10.10.0/24 (acme.toml:3:1): region eu, type "
             "web, tags a b, weight 50",
             "10.10.10.123:8080 p2 w100: up, cpu 0.25; [servers] 10.10.10.0/24 (acme.toml:3:1): region eu, type web, "
             "tags a b, weight 50",
             "rule failover in eu (acme.toml:10:1): failover, 2 healthy in its pool",
             "failover: priority 2, the best with one up",
             "answer: 10.10.10.123:8080 p2 w100",
         })
        CHECK(has_fact(m, line));

    Mapping plain = map_answer(AccountSettings{}, question(), seed({{"10.10.10.121:80", unknown}}), {});
    INFO(facts_text(plain));
    CHECK_FALSE(plain.rule_at.has_value());
    for (const char* line : {
             "no department (querier)",
             "no window in force",
             "no region (querier)",
             "10.10.10.121:80 p1 w100: unknown (counts as up), cpu unknown; no [servers] entry",
             "all-healthy: every one not down, priorities and weights kept",
         })
        CHECK(has_fact(plain, line));

    Mapping dead = map_answer(AccountSettings{}, question("smtp"),
                              seed({{"10.10.10.123:23", down}, {"10.10.10.124:23", down}}), all_down(AllDown::empty));
    INFO(facts_text(dead));
    CHECK(has_fact(dead, "all 2 down: all-down empty, no record"));
}

TEST_CASE("mapping: mapping_inputs") {
    auto with = [](const char* name, Strategy strategy, auto set) {
        Rule r = rule(name, strategy);
        set(r.when);
        return r;
    };
    AccountSettings s;
    s.rules = {
        with("eng http", Strategy::all_healthy,
             [](RuleSelector& w) {
                 w.department = "eng";
                 w.service = "http";
             }),
        with("night on other.com", Strategy::failover,
             [](RuleSelector& w) {
                 w.window = "night";
                 w.domain = "other.com";
             }),
        with("geo for the web template", Strategy::geo, [](RuleSelector& w) { w.template_name = "web"; }),
        with("smtp over udp", Strategy::failover,
             [](RuleSelector& w) {
                 w.service = "smtp";
                 w.transport = "udp";
                 w.window = "business";
             }),
    };
    struct Row {
        const char* what;
        AccountSettings settings;
        const char* domain;
        std::optional<std::string> template_name;
        const char* service;
        const char* transport;
        bool department, windows, region;
    };
    const std::vector<Row> rows = {
        {"no rules: nothing", AccountSettings{}, "hostdomain.com", std::nullopt, "http", "tcp", false, false, false},
        {"http: the department", s, "hostdomain.com", std::nullopt, "http", "tcp", true, false, false},
        {"smtp/tcp: nothing", s, "hostdomain.com", std::nullopt, "smtp", "tcp", false, false, false},
        {"smtp/udp: the window", s, "hostdomain.com", std::nullopt, "smtp", "udp", false, true, false},
        {"other.com smtp: the night window", s, "other.com", std::nullopt, "smtp", "tcp", false, true, false},
        {"a zone of the web template, http: department and region", s, "hostdomain.com", "web", "http", "tcp", true,
         false, true},
        {"a zone of another template: no region", s, "hostdomain.com", "mail", "smtp", "tcp", false, false, false},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        MappingInputs in = mapping_inputs(row.settings, row.domain, row.template_name, row.service, row.transport);
        CHECK(in.department == row.department);
        CHECK(in.windows == row.windows);
        CHECK(in.region == row.region);
    }
}

TEST_CASE("mapping: server_facts takes the longest prefix") {
    AccountSettings s;
    s.servers = {server("10.10.10.0/24", "eu", "web"), server("10.10.10.123", "eu", "mail"),
                 server("10.10.0.0/16", "us", "any"), server("2001:db8::/32", "v6", "web")};
    struct Row {
        const char* address;
        const char* type;  // nullptr: none
    };
    const std::vector<Row> rows = {
        {"10.10.10.121", "web"}, {"10.10.10.123", "mail"}, {"10.10.11.1", "any"},
        {"10.11.0.1", nullptr},  {"2001:db8::1", "web"},   {"2001:db9::1", nullptr},
    };
    for (const auto& row : rows) {
        INFO(row.address);
        const ServerFacts* f = server_facts(s, *Address::parse(row.address));
        if (row.type == nullptr) {
            CHECK(f == nullptr);
        } else {
            REQUIRE(f != nullptr);
            CHECK(f->type == row.type);
        }
    }
}

TEST_CASE("mapping: facts of each strategy, passed rules, count") {
    Rule weighted = rule("w", Strategy::weighted);
    weighted.weights = {{"10.10.10.121", 70}, {"web", 20}};
    Rule edge = rule("edge", Strategy::all_healthy);
    edge.when.server_type = "sip-edge";
    const std::vector<ServerFacts> servers = {server("10.10.10.121", "eu", "web"), server("10.10.10.122", "us"),
                                              server("10.10.10.123", "asia", "", {}, uint16_t{30})};
    const std::vector<Region> regions = {region("eu", {"us"}), region("us", {}), region("asia", {"eu", "us"})};
    AccountSettings with_edge = one_rule(rule("fo", Strategy::failover, 1));
    with_edge.rules.push_back(edge);
    struct Facts {
        const char* what;
        AccountSettings settings;
        MappingQuestion question;
        std::vector<MappingCandidate> candidates;
        Strings lines;
    };
    const std::vector<Facts> rows = {
        {"weighted: where each weight comes from", one_rule(weighted, servers), question(),
         seed({{"10.10.10.121:80", warning}}),
         {"weighted: all at priority 1; 10.10.10.121:80 weight 70 (rule, by address), 10.10.10.122:80 weight 100 "
          "(tuple), 10.10.10.123:8080 weight 30 ([servers])",
          "10.10.10.121:80 warning: weight 70 scaled to 7",
          "answer: 10.10.10.122:80 p1 w100, 10.10.10.123:8080 p1 w30, 10.10.10.121:80 p1 w7"}},
        {"load", one_rule(rule("l", Strategy::load)), question(), seed({}, {{"10.10.10.121:80", 0.25}}),
         {"load: all at priority 1; 10.10.10.121:80 cpu 0.25 weight 80, 10.10.10.122:80 cpu unknown weight 50, "
          "10.10.10.123:8080 cpu unknown weight 50"}},
        {"geo: the querier's region", one_rule(rule("g", Strategy::geo), servers, regions), question_from("eu"), seed(),
         {"geo: region eu (the querier's)"}},
        {"geo: a near region", one_rule(rule("g", Strategy::geo), servers, regions), question_from("asia"),
         seed({{"10.10.10.123:8080", down}, {"10.10.10.121:80", down}}),
         {"geo: region us, near asia (none healthy in asia, eu)"}},
        {"geo: none near", one_rule(rule("g", Strategy::geo), servers, regions), question_from("us"),
         seed({{"10.10.10.122:80", down}}), {"geo: none healthy in us, so every healthy one"}},
        {"geo: no region", one_rule(rule("g", Strategy::geo), servers, regions), question_from(nullptr), seed(),
         {"geo: the querier is in no region, so every healthy one"}},
        {"passed, then failover with count", with_edge, question(), seed(),
         {"passed rule edge: no server of type 'sip-edge'",
          "rule fo (acme.toml:10:1): failover, count 1, 3 healthy in its pool",
          "failover: priority 1, the best with one up", "count 1: left out 10.10.10.122:80 p1 w100",
          "answer: 10.10.10.121:80 p1 w100"}},
        {"failover on warnings only", with_edge, question(),
         seed({{"10.10.10.121:80", warning}, {"10.10.10.122:80", down}, {"10.10.10.123:8080", down}}),
         {"failover: priority 1, the best with one warning (none up)"}},
        {"all down, least-bad", with_edge, question(),
         seed({{"10.10.10.121:80", down}, {"10.10.10.122:80", down}, {"10.10.10.123:8080", down}}),
         {"passed rule edge: no server of type 'sip-edge'", "passed rule fo: all 3 down",
          "all 3 down: all-down least-bad, every record as it is"}},
        {"no records", AccountSettings{}, question("sip"), seed(), {"question: _sip._tcp.hostdomain.com", "no records"}},
    };
    for (const auto& row : rows) {
        Mapping m = map_answer(row.settings, row.question, row.candidates, {});
        INFO(row.what << facts_text(m));
        for (const auto& line : row.lines) {
            INFO(line);
            CHECK(has_fact(m, line));
        }
    }
}
