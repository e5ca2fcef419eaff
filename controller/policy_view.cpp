// policy_view: a bucket is (department index, region index, windows-in-force mask), -1
// for none; only the facts the RRset's rules can use are filled in, the others stay
// -1/0, so questions that cannot be answered differently share one entry.
#include "policy_view.h"

#include <algorithm>
#include <stdexcept>

#include "time_window.h"
#include "wire_write.h"

namespace patchbay {

namespace {

constexpr size_t max_windows = 64;
// Far more buckets than an RRset can have unless its rules are pathological; past this
// the cache starts afresh rather than grow.
constexpr size_t max_cached = 4096;

template <class T>
int index_of(const std::vector<T>& list, const std::optional<std::string>& name) {
    if (!name) return -1;
    for (size_t i = 0; i < list.size(); ++i)
        if (list[i].name == *name) return static_cast<int>(i);
    return -1;
}

RRsetPtr srv_rrset(const knot_dname_t* owner, uint32_t ttl, const std::string& zone,
                   const std::vector<MappedRecord>& records) {
    RRsetPtr rrset(knot_rrset_new(owner, KNOT_RRTYPE_SRV, KNOT_CLASS_IN, ttl, nullptr));
    if (!rrset) throw std::bad_alloc();
    for (const auto& r : records) {
        auto srv = tuple_srv(r.tuple, zone);
        if (!srv) continue;
        // Two tuples with one target and port make one record (knot_rrset_add_rdata
        // keeps the set duplicate-free).
        if (knot_rrset_add_rdata(rrset.get(), reinterpret_cast<const uint8_t*>(srv->rdata.data()),
                                 static_cast<uint16_t>(srv->rdata.size()), nullptr) != KNOT_EOK)
            throw std::bad_alloc();
    }
    return rrset;
}

}  // namespace

// --- AccountPolicy ----------------------------------------------------------------------

AccountPolicy::AccountPolicy(std::string account, AccountSettings settings, RegionLocator locator, PolicyClock clock)
    : account_(std::move(account)), settings_(std::move(settings)), locator_(std::move(locator)), clock_(std::move(clock)) {}

Result<std::shared_ptr<const AccountPolicy>> AccountPolicy::compile(std::string account, AccountSettings settings,
                                                                    PolicyClock clock) {
    if (settings.windows.size() > max_windows)
        return fail("account '" + account + "': at most " + std::to_string(max_windows) + " windows");
    auto locator = RegionLocator::create(settings);
    if (!locator) return fail("account '" + account + "': " + locator.error());
    if (!clock) clock = [] { return std::chrono::system_clock::now(); };
    return std::shared_ptr<const AccountPolicy>(
        new AccountPolicy(std::move(account), std::move(settings), std::move(*locator), std::move(clock)));
}

std::optional<std::string> AccountPolicy::department(const Address& source,
                                                     const std::optional<std::string>& key) const {
    if (key) {
        for (const auto& d : settings_.departments)
            if (std::find(d.keys.begin(), d.keys.end(), *key) != d.keys.end()) return d.name;
    }
    const Department* best = nullptr;
    unsigned best_length = 0;
    for (const auto& d : settings_.departments) {
        for (const auto& p : d.networks) {
            if (p.contains(source) && (best == nullptr || p.length > best_length)) {
                best = &d;
                best_length = p.length;
            }
        }
    }
    if (best == nullptr) return std::nullopt;
    return best->name;
}

Located AccountPolicy::region(const Querier& querier) const {
    if (querier.subnet) return locator_.locate(*querier.subnet, querier.subnet_prefix);
    return locator_.locate(querier.source, static_cast<uint8_t>(querier.source.size() * 8));
}

uint64_t AccountPolicy::windows_at(std::chrono::system_clock::time_point at) const {
    uint64_t mask = 0;
    auto names = windows_in_force(settings_.windows, at);
    for (size_t i = 0; i < settings_.windows.size(); ++i)
        if (std::find(names.begin(), names.end(), settings_.windows[i].name) != names.end()) mask |= uint64_t{1} << i;
    return mask;
}

uint64_t AccountPolicy::windows_now() const {
    if (settings_.windows.empty()) return 0;
    auto now = clock_();
    std::lock_guard lock(windows_mu_);
    if (now >= windows_until_ || now < windows_until_ - std::chrono::hours(24 * 8)) {
        windows_ = windows_at(now);
        windows_until_ = next_window_change(settings_.windows, now);
    }
    return windows_;
}

std::vector<std::string> AccountPolicy::window_names(uint64_t mask) const {
    std::vector<std::string> names;
    for (size_t i = 0; i < settings_.windows.size(); ++i)
        if (mask & (uint64_t{1} << i)) names.push_back(settings_.windows[i].name);
    return names;
}

// --- PolicyZone -------------------------------------------------------------------------

PolicyZone::PolicyZone(const Zone& assignment, AccountPolicyPtr account, std::optional<std::string> template_name,
                       const std::vector<Tuple>& tuples, const HealthMap& health, const LoadMap& load,
                       const ClientViewSettings& view)
    : zone_(assignment.name()), account_(std::move(account)), template_(std::move(template_name)), view_(view) {
    for (const auto& t : tuples) {
        if (t.domain != zone_) continue;
        auto srv = tuple_srv(t, zone_);
        if (!srv) continue;  // the zone builder left it out too
        auto& owner = owners_[srv->owner];
        if (!owner) {
            owner = std::make_unique<Owner>();
            owner->service = t.key.service;
            owner->transport = t.key.transport;
            owner->inputs = mapping_inputs(account_->settings(), zone_, template_, t.key.service, t.key.transport);
        }
        MappingCandidate c{t, effective_health(health, InstanceRef{zone_, t.key}), std::nullopt};
        if (auto it = load.find(t.key.address); it != load.end()) c.cpu = it->second;
        owner->candidates.push_back(std::move(c));
    }
}

std::shared_ptr<const MappedRRset> PolicyZone::make(const Owner& owner, const MappingQuestion& question) const {
    auto out = std::make_shared<MappedRRset>();
    out->mapping = map_answer(account_->settings(), question, owner.candidates, view_);
    auto srv = tuple_srv(owner.candidates.front().tuple, zone_);
    out->rrset = srv_rrset(reinterpret_cast<const knot_dname_t*>(srv->owner.data()), account_->settings().ttl, zone_,
                           out->mapping.records);
    return out;
}

std::shared_ptr<const MappedRRset> PolicyZone::answer(const knot_dname_t* owner_name, const Querier& querier,
                                                      uint8_t& scope) const {
    auto it = owners_.find(std::string_view(reinterpret_cast<const char*>(owner_name), knot_dname_size(owner_name)));
    if (it == owners_.end()) return nullptr;
    const Owner& owner = *it->second;
    const AccountPolicy& policy = *account_;

    int department = -1, region = -1;
    uint64_t windows = 0;
    std::optional<std::string> department_name, region_name;
    if (owner.inputs.department) {
        department_name = policy.department(querier.source, querier.key);
        department = index_of(policy.settings().departments, department_name);
    }
    scope = 0;
    if (owner.inputs.region) {
        Located located = policy.region(querier);
        if (located.region) region_name = std::string(*located.region);
        region = index_of(policy.settings().regions, region_name);
        scope = located.scope;
    }
    if (owner.inputs.windows) windows = policy.windows_now();
    PolicyBucket key{department, region, windows};
    {
        std::lock_guard lock(owner.mu);
        if (auto hit = owner.cache.find(key); hit != owner.cache.end()) return hit->second;
    }
    MappingQuestion question{zone_, template_, owner.service, owner.transport, department_name,
                             policy.window_names(windows), region_name};
    auto made = make(owner, question);
    std::lock_guard lock(owner.mu);
    if (owner.cache.size() >= max_cached) owner.cache.clear();
    owner.cache.emplace(key, made);
    return made;
}

std::shared_ptr<const MappedRRset> PolicyZone::explain(const std::string& service, const std::string& transport,
                                                       const Querier& querier, std::chrono::system_clock::time_point at,
                                                       const std::optional<std::string>& department,
                                                       std::vector<std::string>& question_facts) const {
    for (const auto& [name, owner] : owners_) {
        if (owner->service != service || owner->transport != transport) continue;
        const AccountPolicy& policy = *account_;
        MappingQuestion question{zone_, template_, service, transport, {}, {}, {}};
        question.department = department ? department : policy.department(querier.source, querier.key);
        Located located = policy.region(querier);
        if (located.region) question.region = std::string(*located.region);
        question.windows = policy.window_names(policy.windows_at(at));
        question_facts.push_back("department: " + question.department.value_or("(none)"));
        question_facts.push_back("region: " + located.explain());
        std::string windows;
        for (const auto& w : question.windows) windows += (windows.empty() ? "" : ", ") + w;
        question_facts.push_back("windows in force: " + (windows.empty() ? std::string("(none)") : windows));
        return make(*owner, question);
    }
    return nullptr;
}

// --- PolicyView -------------------------------------------------------------------------

PolicyView::PolicyView(std::vector<std::shared_ptr<const PolicyZone>> zones) : zones_(std::move(zones)) {
    for (size_t i = 0; i < zones_.size(); ++i) by_name_.emplace(zones_[i]->zone(), i);
}

const PolicyZone* PolicyView::zone(std::string_view name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : zones_[it->second].get();
}

std::shared_ptr<const PolicyView> with_policy_zones(const PolicyView& current,
                                                    std::vector<std::shared_ptr<const PolicyZone>> replace,
                                                    const std::set<std::string>& drop) {
    std::set<std::string> replaced;
    for (const auto& z : replace) replaced.insert(z->zone());
    for (const auto& z : current.zones())
        if (!replaced.count(z->zone()) && !drop.count(z->zone())) replace.push_back(z);
    return std::make_shared<const PolicyView>(std::move(replace));
}

// --- PolicyOverride ---------------------------------------------------------------------

const knot_rrset_t* PolicyOverride::replace(const Zone& zone, const knot_rrset_t& found) const {
    if (found.type != KNOT_RRTYPE_SRV) return nullptr;
    const PolicyZone* policy = view_.zone(zone.name());
    if (policy == nullptr) return nullptr;
    uint8_t scope = 0;
    auto mapped = policy->answer(found.owner, querier_, scope);
    if (!mapped) return nullptr;
    kept_ = std::move(mapped);
    scope_ = scope;
    return kept_->rrset.get();
}

}  // namespace patchbay
