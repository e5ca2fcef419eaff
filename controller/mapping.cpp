// mapping: rules sorted by how specific they are, each one's pool tried in turn, the
// first pool with a live candidate handed to its strategy, then `count`. Every step
// leaves a line in Mapping::facts, so `patchbay explain` can show why.
#include "mapping.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace patchbay {

namespace {

// One candidate of the RRset with what the rules read of it.
struct Candidate {
    const MappingCandidate* source = nullptr;
    const ServerFacts* server = nullptr;  // its [servers] entry, if any
    Health health = Health::up;           // unknown counts as up
    std::string address;                  // "10.10.10.121": the key of a rule's `weights`
    std::string place;                    // "10.10.10.121:80", "[2001:db8::1]:80": for facts

    const Tuple& tuple() const { return source->tuple; }
};

Health effective(Health h) { return h == Health::unknown ? Health::up : h; }

bool is_healthy(const Candidate& c) { return c.health != Health::down; }

// The conditions of `when` that are about the question, without department and window
// (mapping_inputs asks which of those matter).
bool holds_for_rrset(const RuleSelector& when, const std::string& domain,
                     const std::optional<std::string>& template_name, const std::string& service,
                     const std::string& transport) {
    if (when.domain && *when.domain != domain) return false;
    if (when.template_name && when.template_name != template_name) return false;
    if (when.service && *when.service != service) return false;
    if (when.transport && *when.transport != transport) return false;
    return true;
}

bool holds_for(const RuleSelector& when, const MappingQuestion& q) {
    if (!holds_for_rrset(when, q.domain, q.template_name, q.service, q.transport)) return false;
    if (when.department && when.department != q.department) return false;
    if (when.window && std::find(q.windows.begin(), q.windows.end(), *when.window) == q.windows.end()) return false;
    return true;
}

// How specific a rule is, compared field by field (mapping.h, step 1): department, then
// window, then server, then type or tag, then service, then transport, then domain or
// template. Greater is more specific.
std::array<int, 7> specificity(const RuleSelector& w) {
    return {w.department.has_value(),
            w.window.has_value(),
            w.server.has_value(),
            w.server_type.has_value() + w.tag.has_value(),
            w.service.has_value(),
            w.transport.has_value(),
            w.domain.has_value() + w.template_name.has_value()};
}

bool in_pool(const RuleSelector& when, const Candidate& c) {
    if (when.server && !when.server->contains(c.tuple().key.address)) return false;
    if (when.server_type && (c.server == nullptr || c.server->type != *when.server_type)) return false;
    if (when.tag && (c.server == nullptr ||
                     std::find(c.server->tags.begin(), c.server->tags.end(), *when.tag) == c.server->tags.end()))
        return false;
    return true;
}

// "no server of type 'sip-edge' tagged 'blue' in 10.1.0.0/16"; "no records" for a rule
// that does not narrow the pool.
std::string empty_pool_why(const RuleSelector& when) {
    if (!when.server && !when.server_type && !when.tag) return "no records";
    std::string why = "no server";
    if (when.server_type) why += " of type '" + *when.server_type + "'";
    if (when.tag) why += " tagged '" + *when.tag + "'";
    if (when.server) why += " in " + when.server->str();
    return why;
}

const Rule& default_rule() {
    static const Rule rule = [] {
        Rule r;
        r.name = "default";
        return r;
    }();
    return rule;
}

std::string number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", value);
    return text;
}

// "10.10.10.121:80 p1 w100: up, cpu 0.35; [servers] 10.10.10.0/24 (acme.toml:9:1): region eu, type web"
std::string candidate_fact(const Candidate& c) {
    std::string line = c.place + " p" + std::to_string(c.tuple().priority) + " w" + std::to_string(c.tuple().weight) +
                       ": " + std::string(health_name(c.source->health));
    if (c.source->health == Health::unknown) line += " (counts as up)";
    line += c.source->cpu ? ", cpu " + number(*c.source->cpu) : ", cpu unknown";
    if (c.server == nullptr) return line + "; no [servers] entry";
    const ServerFacts& s = *c.server;
    line += "; [servers] " + s.match.str();
    if (!s.where.file.empty()) line += " (" + s.where.str() + ")";
    std::string what;
    auto add = [&what](const std::string& part) { what += (what.empty() ? ": " : ", ") + part; };
    if (!s.region.empty()) add("region " + s.region);
    if (!s.type.empty()) add("type " + s.type);
    if (!s.tags.empty()) {
        std::string tags = "tags";
        for (const auto& t : s.tags) tags += " " + t;
        add(tags);
    }
    if (s.weight) add("weight " + std::to_string(*s.weight));
    return line + what;
}

std::string question_facts_department(const MappingQuestion& q) {
    return q.department ? "department " + *q.department + " (querier)" : "no department (querier)";
}

std::string question_facts_windows(const MappingQuestion& q) {
    if (q.windows.empty()) return "no window in force";
    std::string line = "windows in force:";
    for (const auto& w : q.windows) line += " " + w;
    return line;
}

std::string question_facts_region(const MappingQuestion& q) {
    return q.region ? "region " + *q.region + " (querier)" : "no region (querier)";
}

// The records the strategy gives, before `count`; tuples as they are, then the weight
// set per strategy, then a warning one's weight scaled.
class Picker {
public:
    Picker(const AccountSettings& settings, const MappingQuestion& question, const ClientViewSettings& view,
           std::vector<std::string>& facts)
        : settings_(settings), question_(question), view_(view), facts_(facts) {}

    std::vector<MappedRecord> pick(const Rule& rule, const std::vector<const Candidate*>& healthy) {
        switch (rule.strategy) {
            case Strategy::all_healthy: return all_healthy(healthy);
            case Strategy::failover: return failover(healthy);
            case Strategy::weighted: return weighted(rule, healthy);
            case Strategy::load: return load(healthy);
            case Strategy::geo: return geo(healthy);
        }
        return all_healthy(healthy);
    }

private:
    MappedRecord record(const Candidate& c, uint16_t priority, uint16_t weight) {
        MappedRecord r{c.tuple()};
        r.tuple.priority = priority;
        r.tuple.weight = weight;
        if (c.health == Health::warning) {
            r.tuple.weight = warning_weight(weight, view_.warning_weight_percent);
            facts_.push_back(c.place + " warning: weight " + std::to_string(weight) + " scaled to " +
                             std::to_string(r.tuple.weight));
        }
        return r;
    }

    std::vector<MappedRecord> as_they_are(const std::vector<const Candidate*>& kept) {
        std::vector<MappedRecord> out;
        out.reserve(kept.size());
        for (const Candidate* c : kept) out.push_back(record(*c, c->tuple().priority, c->tuple().weight));
        return out;
    }

    static uint16_t best_priority(const std::vector<const Candidate*>& kept) {
        uint16_t best = UINT16_MAX;
        for (const Candidate* c : kept) best = std::min(best, c->tuple().priority);
        return best;
    }

    std::vector<MappedRecord> all_healthy(const std::vector<const Candidate*>& healthy) {
        facts_.push_back("all-healthy: every one not down, priorities and weights kept");
        return as_they_are(healthy);
    }

    std::vector<MappedRecord> failover(const std::vector<const Candidate*>& healthy) {
        std::optional<uint16_t> best_up, best_warning;
        for (const Candidate* c : healthy) {
            auto& best = c->health == Health::up ? best_up : best_warning;
            best = std::min(best.value_or(UINT16_MAX), c->tuple().priority);
        }
        uint16_t priority = best_up ? *best_up : *best_warning;
        facts_.push_back("failover: priority " + std::to_string(priority) +
                         (best_up ? ", the best with one up" : ", the best with one warning (none up)"));
        std::vector<const Candidate*> kept;
        for (const Candidate* c : healthy)
            if (c->tuple().priority == priority) kept.push_back(c);
        return as_they_are(kept);
    }

    // The rule's weight for the server (by address text, then by type), else its
    // [servers] weight, else the tuple's; and where it comes from.
    static std::pair<uint16_t, const char*> weight_of(const Rule& rule, const Candidate& c) {
        if (auto it = rule.weights.find(c.address); it != rule.weights.end()) return {it->second, "rule, by address"};
        if (c.server == nullptr) return {c.tuple().weight, "tuple"};
        auto by_type = c.server->type.empty() ? rule.weights.end() : rule.weights.find(c.server->type);
        if (by_type != rule.weights.end()) return {by_type->second, "rule, by type"};
        if (c.server->weight) return {*c.server->weight, "[servers]"};
        return {c.tuple().weight, "tuple"};
    }

    std::vector<MappedRecord> weighted(const Rule& rule, const std::vector<const Candidate*>& healthy) {
        uint16_t priority = best_priority(healthy);
        std::string line = "weighted: all at priority " + std::to_string(priority) + ";";
        std::vector<MappedRecord> out;
        out.reserve(healthy.size());
        for (const Candidate* c : healthy) {
            auto [weight, from] = weight_of(rule, *c);
            line += " " + c->place + " weight " + std::to_string(weight) + " (" + from + ")";
            out.push_back(record(*c, priority, weight));
        }
        facts_.push_back(std::move(line));
        return out;
    }

    // round((1 - cpu) × 10) × 10, at least 10; 50 when the load is not known.
    static uint16_t load_weight(const std::optional<double>& cpu) {
        if (!cpu || std::isnan(*cpu)) return 50;
        double busy = std::clamp(*cpu, 0.0, 1.0);
        return static_cast<uint16_t>(std::max(10L, std::lround((1 - busy) * 10) * 10));
    }

    std::vector<MappedRecord> load(const std::vector<const Candidate*>& healthy) {
        uint16_t priority = best_priority(healthy);
        std::string line = "load: all at priority " + std::to_string(priority) + ";";
        std::vector<MappedRecord> out;
        out.reserve(healthy.size());
        for (const Candidate* c : healthy) {
            uint16_t weight = load_weight(c->source->cpu);
            line += " " + c->place + (c->source->cpu ? " cpu " + number(*c->source->cpu) : " cpu unknown") +
                    " weight " + std::to_string(weight);
            out.push_back(record(*c, priority, weight));
        }
        facts_.push_back(std::move(line));
        return out;
    }

    std::vector<const Candidate*> in_region(const std::vector<const Candidate*>& healthy, const std::string& region) {
        std::vector<const Candidate*> kept;
        for (const Candidate* c : healthy)
            if (c->server != nullptr && c->server->region == region) kept.push_back(c);
        return kept;
    }

    std::vector<MappedRecord> geo(const std::vector<const Candidate*>& healthy) {
        if (!question_.region) {
            facts_.push_back("geo: the querier is in no region, so every healthy one");
            return as_they_are(healthy);
        }
        const std::string& region = *question_.region;
        if (auto kept = in_region(healthy, region); !kept.empty()) {
            facts_.push_back("geo: region " + region + " (the querier's)");
            return as_they_are(kept);
        }
        auto found = std::find_if(settings_.regions.begin(), settings_.regions.end(),
                                  [&region](const Region& r) { return r.name == region; });
        std::string tried = region;
        if (found != settings_.regions.end()) {
            for (const auto& near : found->near) {
                if (auto kept = in_region(healthy, near); !kept.empty()) {
                    facts_.push_back("geo: region " + near + ", near " + region + " (none healthy in " + tried + ")");
                    return as_they_are(kept);
                }
                tried += ", " + near;
            }
        }
        facts_.push_back("geo: none healthy in " + tried + ", so every healthy one");
        return as_they_are(healthy);
    }

    const AccountSettings& settings_;
    const MappingQuestion& question_;
    const ClientViewSettings& view_;
    std::vector<std::string>& facts_;
};

// Priority, then weight (higher first), then address, then port.
bool answer_order(const MappedRecord& a, const MappedRecord& b) {
    if (a.tuple.priority != b.tuple.priority) return a.tuple.priority < b.tuple.priority;
    if (a.tuple.weight != b.tuple.weight) return a.tuple.weight > b.tuple.weight;
    if (a.tuple.key.address != b.tuple.key.address) return a.tuple.key.address < b.tuple.key.address;
    return a.tuple.key.port < b.tuple.key.port;
}

std::string record_list(const std::vector<MappedRecord>& records, size_t from, size_t to) {
    std::string list;
    for (size_t i = from; i < to; ++i) {
        const Tuple& t = records[i].tuple;
        if (!list.empty()) list += ",";
        list += " " + Endpoint{t.key.address, t.key.port}.str() + " p" + std::to_string(t.priority) + " w" +
                std::to_string(t.weight);
    }
    return list.empty() ? " none" : list;
}

}  // namespace

const ServerFacts* server_facts(const AccountSettings& settings, const Address& address) {
    const ServerFacts* best = nullptr;
    for (const auto& s : settings.servers)
        if (s.match.contains(address) && (best == nullptr || s.match.length > best->match.length)) best = &s;
    return best;
}

MappingInputs mapping_inputs(const AccountSettings& settings, const std::string& domain,
                             const std::optional<std::string>& template_name, const std::string& service,
                             const std::string& transport) {
    MappingInputs inputs;
    for (const auto& rule : settings.rules) {
        if (!holds_for_rrset(rule.when, domain, template_name, service, transport)) continue;
        inputs.department = inputs.department || rule.when.department.has_value();
        inputs.windows = inputs.windows || rule.when.window.has_value();
        inputs.region = inputs.region || rule.strategy == Strategy::geo;
    }
    return inputs;
}

Mapping map_answer(const AccountSettings& settings, const MappingQuestion& question,
                   const std::vector<MappingCandidate>& candidates, const ClientViewSettings& view) {
    Mapping out;
    out.facts.push_back("question: _" + question.service + "._" + question.transport + "." + question.domain +
                        (question.template_name ? " (template " + *question.template_name + ")" : ""));
    out.facts.push_back(question_facts_department(question));
    out.facts.push_back(question_facts_windows(question));
    out.facts.push_back(question_facts_region(question));

    std::vector<Candidate> rrset;
    rrset.reserve(candidates.size());
    for (const auto& c : candidates) {
        const TupleKey& key = c.tuple.key;
        if (c.tuple.domain != question.domain || key.service != question.service ||
            key.transport != question.transport)
            continue;
        rrset.push_back(Candidate{&c, server_facts(settings, key.address), effective(c.health), key.address.str(),
                                  Endpoint{key.address, key.port}.str()});
        out.facts.push_back(candidate_fact(rrset.back()));
    }
    if (rrset.empty()) out.facts.push_back("no records");

    // Step 1: the rules that can apply, most specific first, "default" last.
    std::vector<const Rule*> rules;
    rules.reserve(settings.rules.size() + 1);
    for (const auto& rule : settings.rules)
        if (holds_for(rule.when, question)) rules.push_back(&rule);
    std::stable_sort(rules.begin(), rules.end(),
                     [](const Rule* a, const Rule* b) { return specificity(a->when) > specificity(b->when); });
    rules.push_back(&default_rule());

    // Step 2: the first rule whose pool has a candidate not down answers.
    std::vector<const Candidate*> healthy;
    healthy.reserve(rrset.size());
    const Rule* answering = nullptr;
    for (const Rule* rule : rules) {
        healthy.clear();
        size_t pool = 0;
        for (const auto& c : rrset) {
            if (!in_pool(rule->when, c)) continue;
            ++pool;
            if (is_healthy(c)) healthy.push_back(&c);
        }
        if (!healthy.empty()) {
            answering = rule;
            break;
        }
        if (rule == &default_rule()) break;
        out.passed.push_back(
            {rule->name, pool == 0 ? empty_pool_why(rule->when) : "all " + std::to_string(pool) + " down"});
    }
    for (const auto& p : out.passed) out.facts.push_back("passed rule " + p.rule + ": " + p.why);

    if (answering == nullptr) {  // every candidate down (or none): as the client view does
        if (rrset.empty()) return out;
        if (view.all_down == AllDown::empty) {
            out.facts.push_back("all " + std::to_string(rrset.size()) + " down: all-down empty, no record");
            return out;
        }
        out.facts.push_back("all " + std::to_string(rrset.size()) + " down: all-down least-bad, every record as it is");
        for (const auto& c : rrset) out.records.push_back(MappedRecord{c.tuple()});
        std::sort(out.records.begin(), out.records.end(), answer_order);
        return out;
    }

    // Step 3: the strategy.
    out.rule = answering->name;
    if (answering != &default_rule()) out.rule_at = answering->where;
    out.facts.push_back("rule " + answering->name +
                        (answering->where.file.empty() ? "" : " (" + answering->where.str() + ")") + ": " +
                        std::string(strategy_name(answering->strategy)) +
                        (answering->count ? ", count " + std::to_string(*answering->count) : "") + ", " +
                        std::to_string(healthy.size()) + " healthy in its pool");
    out.records = Picker(settings, question, view, out.facts).pick(*answering, healthy);
    std::sort(out.records.begin(), out.records.end(), answer_order);

    // Step 4: count.
    if (answering->count && out.records.size() > *answering->count) {
        out.facts.push_back("count " + std::to_string(*answering->count) + ": left out" +
                            record_list(out.records, *answering->count, out.records.size()));
        out.records.resize(*answering->count);
    }
    out.facts.push_back("answer:" + record_list(out.records, 0, out.records.size()));
    return out;
}

}  // namespace patchbay
