// mapping: rules sorted by how specific they are, each one's pool tried in turn, the
// first pool with a live candidate handed to its strategy, then `count`. Every step
// leaves a line in Mapping::facts, so `patchbay explain` can show why.
#include "mapping.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <charconv>
#include <cstdio>
#include <string_view>

namespace patchbay {

namespace {

// One candidate of the RRset with what the rules read of it.
struct Candidate {
    const MappingCandidate* source = nullptr;
    const ServerFacts* server = nullptr;  // its [servers] entry, if any
    Health health = Health::up;           // unknown counts as up
    std::string address;                  // "10.10.10.121": the key of a rule's `weights`

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

// One line of Mapping::facts, built in place: one allocation per line, not one per `+`.
class Line {
public:
    Line() { text_.reserve(96); }
    Line& operator<<(std::string_view part) {
        text_ += part;
        return *this;
    }
    Line& operator<<(size_t n) {
        char digits[24];
        auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
        text_.append(digits, end);
        return *this;
    }
    Line& operator<<(const Prefix& p) { return *this << p.address.str() << "/" << size_t{p.length}; }
    Line& operator<<(const SourcePlace& at) {
        return *this << at.file << ":" << size_t{at.line} << ":" << size_t{at.column};
    }
    // A fraction with two decimals ("0.35").
    Line& fraction(double value) {
        char digits[32];
        int n = std::snprintf(digits, sizeof digits, "%.2f", value);
        text_.append(digits, static_cast<size_t>(std::clamp(n, 0, static_cast<int>(sizeof digits) - 1)));
        return *this;
    }
    bool empty() const { return text_.empty(); }
    std::string take() { return std::move(text_); }

private:
    std::string text_;
};

// " 10.10.10.121:80 p1 w100"
Line& operator<<(Line& line, const Tuple& t) {
    return line << Endpoint{t.key.address, t.key.port}.str() << " p" << size_t{t.priority} << " w" << size_t{t.weight};
}

// "no server of type 'sip-edge' tagged 'blue' in 10.1.0.0/16"; "no records" for a rule
// that does not narrow the pool.
std::string empty_pool_why(const RuleSelector& when) {
    if (!when.server && !when.server_type && !when.tag) return "no records";
    Line why;
    why << "no server";
    if (when.server_type) why << " of type '" << *when.server_type << "'";
    if (when.tag) why << " tagged '" << *when.tag << "'";
    if (when.server) why << " in " << *when.server;
    return why.take();
}

const Rule& default_rule() {
    static const Rule rule = [] {
        Rule r;
        r.name = "default";
        return r;
    }();
    return rule;
}

// "10.10.10.121:80 p1 w100: up, cpu 0.35; [servers] 10.10.10.0/24 (acme.toml:9:1): region eu, type web"
std::string candidate_fact(const Candidate& c) {
    Line line;
    line << c.tuple() << ": " << health_name(c.source->health);
    if (c.source->health == Health::unknown) line << " (counts as up)";
    if (c.source->cpu)
        (line << ", cpu ").fraction(*c.source->cpu);
    else
        line << ", cpu unknown";
    if (c.server == nullptr) return (line << "; no [servers] entry").take();
    const ServerFacts& s = *c.server;
    line << "; [servers] " << s.match;
    if (!s.where.file.empty()) line << " (" << s.where << ")";
    std::string_view separator = ": ";
    auto next = [&line, &separator]() -> Line& {
        line << separator;
        separator = ", ";
        return line;
    };
    if (!s.region.empty()) next() << "region " << s.region;
    if (!s.type.empty()) next() << "type " << s.type;
    if (!s.tags.empty()) {
        next() << "tags";
        for (const auto& tag : s.tags) line << " " << tag;
    }
    if (s.weight) next() << "weight " << size_t{*s.weight};
    return line.take();
}

std::string question_fact(const MappingQuestion& q) {
    Line line;
    line << "question: _" << q.service << "._" << q.transport << "." << q.domain;
    if (q.template_name) line << " (template " << *q.template_name << ")";
    return line.take();
}

std::string department_fact(const MappingQuestion& q) {
    if (!q.department) return "no department (querier)";
    return (Line() << "department " << *q.department << " (querier)").take();
}

std::string windows_fact(const MappingQuestion& q) {
    if (q.windows.empty()) return "no window in force";
    Line line;
    line << "windows in force:";
    for (const auto& w : q.windows) line << " " << w;
    return line.take();
}

std::string region_fact(const MappingQuestion& q) {
    if (!q.region) return "no region (querier)";
    return (Line() << "region " << *q.region << " (querier)").take();
}

// The records the strategy gives, before `count`: the weight set per strategy, then a
// warning one's weight scaled. Says what it did in `facts`.
class Picker {
public:
    Picker(const AccountSettings& settings, const MappingQuestion& question, const ClientViewSettings& view,
           std::vector<std::string>& facts)
        : settings_(settings), question_(question), view_(view), facts_(facts) {}

    std::vector<MappedRecord> pick(const Rule& rule, const std::vector<const Candidate*>& healthy) {
        std::vector<MappedRecord> out;
        out.reserve(healthy.size());
        Line what;
        switch (rule.strategy) {
            case Strategy::all_healthy: all_healthy(healthy, what, out); break;
            case Strategy::failover: failover(healthy, what, out); break;
            case Strategy::weighted: weighted(rule, healthy, what, out); break;
            case Strategy::load: load(healthy, what, out); break;
            case Strategy::geo: geo(healthy, what, out); break;
        }
        facts_.push_back(what.take());
        // Whatever the strategy, a warning server gets less traffic (mapping.h, step 3).
        for (size_t i = 0; i < out.size(); ++i) {
            const Candidate& c = *kept_[i];
            if (c.health != Health::warning) continue;
            uint16_t weight = out[i].tuple.weight;
            out[i].tuple.weight = warning_weight(weight, view_.warning_weight_percent);
            facts_.push_back((Line() << place(c.tuple()) << " warning: weight " << size_t{weight} << " scaled to "
                                     << size_t{out[i].tuple.weight})
                                 .take());
        }
        return out;
    }

private:
    void keep(const Candidate& c, uint16_t priority, uint16_t weight, std::vector<MappedRecord>& out) {
        MappedRecord r{c.tuple()};
        r.tuple.priority = priority;
        r.tuple.weight = weight;
        out.push_back(std::move(r));
        kept_.push_back(&c);
    }

    void keep_as_they_are(const std::vector<const Candidate*>& kept, std::vector<MappedRecord>& out) {
        for (const Candidate* c : kept) keep(*c, c->tuple().priority, c->tuple().weight, out);
    }

    static uint16_t best_priority(const std::vector<const Candidate*>& kept) {
        uint16_t best = UINT16_MAX;
        for (const Candidate* c : kept) best = std::min(best, c->tuple().priority);
        return best;
    }

    void all_healthy(const std::vector<const Candidate*>& healthy, Line& what, std::vector<MappedRecord>& out) {
        what << "all-healthy: every one not down, priorities and weights kept";
        keep_as_they_are(healthy, out);
    }

    void failover(const std::vector<const Candidate*>& healthy, Line& what, std::vector<MappedRecord>& out) {
        std::optional<uint16_t> best_up, best_warning;
        for (const Candidate* c : healthy) {
            auto& best = c->health == Health::up ? best_up : best_warning;
            best = std::min(best.value_or(UINT16_MAX), c->tuple().priority);
        }
        uint16_t priority = best_up ? *best_up : *best_warning;
        what << "failover: priority " << size_t{priority}
             << (best_up ? ", the best with one up" : ", the best with one warning (none up)");
        for (const Candidate* c : healthy)
            if (c->tuple().priority == priority) keep(*c, priority, c->tuple().weight, out);
    }

    // The rule's weight for the server (by address text, then by type), else its
    // [servers] weight, else the tuple's; and where it comes from.
    static std::pair<uint16_t, std::string_view> weight_of(const Rule& rule, const Candidate& c) {
        if (auto it = rule.weights.find(c.address); it != rule.weights.end()) return {it->second, "rule, by address"};
        if (c.server == nullptr) return {c.tuple().weight, "tuple"};
        auto by_type = c.server->type.empty() ? rule.weights.end() : rule.weights.find(c.server->type);
        if (by_type != rule.weights.end()) return {by_type->second, "rule, by type"};
        if (c.server->weight) return {*c.server->weight, "[servers]"};
        return {c.tuple().weight, "tuple"};
    }

    void weighted(const Rule& rule, const std::vector<const Candidate*>& healthy, Line& what,
                  std::vector<MappedRecord>& out) {
        uint16_t priority = best_priority(healthy);
        what << "weighted: all at priority " << size_t{priority} << ";";
        std::string_view separator = " ";
        for (const Candidate* c : healthy) {
            auto [weight, from] = weight_of(rule, *c);
            what << separator << place(c->tuple()) << " weight " << size_t{weight} << " (" << from << ")";
            separator = ", ";
            keep(*c, priority, weight, out);
        }
    }

    // round((1 - cpu) × 10) × 10, at least 10; 50 when the load is not known.
    static uint16_t load_weight(const std::optional<double>& cpu) {
        if (!cpu || std::isnan(*cpu)) return 50;
        double busy = std::clamp(*cpu, 0.0, 1.0);
        return static_cast<uint16_t>(std::max(10L, std::lround((1 - busy) * 10) * 10));
    }

    void load(const std::vector<const Candidate*>& healthy, Line& what, std::vector<MappedRecord>& out) {
        uint16_t priority = best_priority(healthy);
        what << "load: all at priority " << size_t{priority} << ";";
        std::string_view separator = " ";
        for (const Candidate* c : healthy) {
            uint16_t weight = load_weight(c->source->cpu);
            what << separator << place(c->tuple());
            if (c->source->cpu)
                (what << " cpu ").fraction(*c->source->cpu);
            else
                what << " cpu unknown";
            what << " weight " << size_t{weight};
            separator = ", ";
            keep(*c, priority, weight, out);
        }
    }

    // Keeps those of `healthy` in `region`; true if it kept one.
    bool keep_in_region(const std::vector<const Candidate*>& healthy, const std::string& region,
                        std::vector<MappedRecord>& out) {
        for (const Candidate* c : healthy) {
            if (c->server != nullptr && c->server->region == region)
                keep(*c, c->tuple().priority, c->tuple().weight, out);
        }
        return !out.empty();
    }

    void geo(const std::vector<const Candidate*>& healthy, Line& what, std::vector<MappedRecord>& out) {
        if (!question_.region) {
            what << "geo: the querier is in no region, so every healthy one";
            keep_as_they_are(healthy, out);
            return;
        }
        const std::string& region = *question_.region;
        if (keep_in_region(healthy, region, out)) {
            what << "geo: region " << region << " (the querier's)";
            return;
        }
        auto found = std::find_if(settings_.regions.begin(), settings_.regions.end(),
                                  [&region](const Region& r) { return r.name == region; });
        if (found != settings_.regions.end()) {
            for (auto near = found->near.begin(); near != found->near.end(); ++near) {
                if (!keep_in_region(healthy, *near, out)) continue;
                what << "geo: region " << *near << ", near " << region << " (none healthy in " << region;
                for (auto tried = found->near.begin(); tried != near; ++tried) what << ", " << *tried;
                what << ")";
                return;
            }
        }
        what << "geo: none healthy in " << region;
        if (found != settings_.regions.end())
            for (const auto& near : found->near) what << ", " << near;
        what << ", so every healthy one";
        keep_as_they_are(healthy, out);
    }

    // "10.10.10.121:80", "[2001:db8::1]:80"
    static std::string place(const Tuple& t) { return Endpoint{t.key.address, t.key.port}.str(); }

    const AccountSettings& settings_;
    const MappingQuestion& question_;
    const ClientViewSettings& view_;
    std::vector<std::string>& facts_;
    std::vector<const Candidate*> kept_;  // the candidate of each record, in order
};

// Priority, then weight (higher first), then address, then port.
bool answer_order(const MappedRecord& a, const MappedRecord& b) {
    if (a.tuple.priority != b.tuple.priority) return a.tuple.priority < b.tuple.priority;
    if (a.tuple.weight != b.tuple.weight) return a.tuple.weight > b.tuple.weight;
    if (a.tuple.key.address != b.tuple.key.address) return a.tuple.key.address < b.tuple.key.address;
    return a.tuple.key.port < b.tuple.key.port;
}

// " 10.10.10.121:80 p1 w100, 10.10.10.122:80 p1 w100", or " none".
Line& put_records(Line& line, const std::vector<MappedRecord>& records, size_t from, size_t to) {
    if (from >= to) return line << " none";
    for (size_t i = from; i < to; ++i) line << (i == from ? " " : ", ") << records[i].tuple;
    return line;
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
    out.facts.reserve(10 + candidates.size() + settings.rules.size());
    out.facts.push_back(question_fact(question));
    out.facts.push_back(department_fact(question));
    out.facts.push_back(windows_fact(question));
    out.facts.push_back(region_fact(question));

    std::vector<Candidate> rrset;
    rrset.reserve(candidates.size());
    for (const auto& c : candidates) {
        const TupleKey& key = c.tuple.key;
        if (c.tuple.domain != question.domain || key.service != question.service ||
            key.transport != question.transport)
            continue;
        rrset.push_back(Candidate{&c, server_facts(settings, key.address), effective(c.health), key.address.str()});
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
        out.passed.push_back({rule->name, pool == 0 ? empty_pool_why(rule->when)
                                                    : (Line() << "all " << pool << " down").take()});
        out.facts.push_back((Line() << "passed rule " << rule->name << ": " << out.passed.back().why).take());
    }

    if (answering == nullptr) {  // every candidate down (or none): as the client view does
        if (rrset.empty()) return out;
        Line line;
        line << "all " << rrset.size() << " down: all-down ";
        if (view.all_down == AllDown::empty) {
            out.facts.push_back((line << "empty, no record").take());
            return out;
        }
        out.facts.push_back((line << "least-bad, every record as it is").take());
        for (const auto& c : rrset) out.records.push_back(MappedRecord{c.tuple()});
        std::sort(out.records.begin(), out.records.end(), answer_order);
        return out;
    }

    // Step 3: the strategy.
    out.rule = answering->name;
    if (answering != &default_rule()) out.rule_at = answering->where;
    Line line;
    line << "rule " << answering->name;
    if (!answering->where.file.empty()) line << " (" << answering->where << ")";
    line << ": " << strategy_name(answering->strategy);
    if (answering->count) line << ", count " << size_t{*answering->count};
    line << ", " << healthy.size() << " healthy in its pool";
    out.facts.push_back(line.take());
    out.records = Picker(settings, question, view, out.facts).pick(*answering, healthy);
    std::sort(out.records.begin(), out.records.end(), answer_order);

    // Step 4: count.
    if (answering->count && out.records.size() > *answering->count) {
        Line left_out;
        left_out << "count " << size_t{*answering->count} << ": left out";
        out.facts.push_back(put_records(left_out, out.records, *answering->count, out.records.size()).take());
        out.records.resize(*answering->count);
    }
    Line answer;
    answer << "answer:";
    out.facts.push_back(put_records(answer, out.records, 0, out.records.size()).take());
    return out;
}

}  // namespace patchbay
