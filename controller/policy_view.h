// policy_view: the client view's answers for the SRV RRsets of zones whose account has
// mapping rules (issue 5, docs/policies.md), made per query by map_answer (mapping.h)
// and cached per policy bucket.
//
// A bucket is the few facts of a question the answer can depend on for that RRset
// (mapping_inputs): the querier's department, the windows in force, the querier's
// region. Everything else an answer depends on (tuples, health, load, the settings) is
// fixed in the snapshot: a change of any of them builds a new PolicyZone, which starts
// with an empty cache. So a cached answer is invalidated exactly when one of its inputs
// changes, and a window opening or closing moves queries to another bucket.
//
// Immutable once built, except the caches (each behind its own mutex); any number of
// DNS worker threads read one at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "client_view.h"
#include "geo.h"
#include "load_map.h"
#include "mapping.h"
#include "resolve.h"
#include "settings.h"
#include "zone.h"

namespace patchbay {

using PolicyClock = std::function<std::chrono::system_clock::time_point()>;

// What is known of a querier when its question reaches the client view.
struct Querier {
    Address source;                        // the packet's source address
    std::optional<std::string> key;        // the TSIG key it was validly signed with
    std::optional<Address> subnet;         // its EDNS Client Subnet address (host bits zero)
    uint8_t subnet_prefix = 0;             // and source prefix length
};

// An account's settings compiled for answering: its region locator (a MaxMind DB opened
// once) and the windows in force, kept until the next window change.
class AccountPolicy {
public:
    // Errors: the MaxMind DB cannot be opened, or more than 64 windows.
    static Result<std::shared_ptr<const AccountPolicy>> compile(std::string account, AccountSettings settings,
                                                                PolicyClock clock);

    const std::string& account() const { return account_; }
    const AccountSettings& settings() const { return settings_; }
    // The querier's department: the one listing its TSIG key, else the one whose
    // networks hold its source address most specifically.
    std::optional<std::string> department(const Address& source, const std::optional<std::string>& key) const;
    // The region of the address queries are answered for (the ECS subnet, else the
    // source), and the ECS scope that answer holds for.
    Located region(const Querier& querier) const;
    // Bit i set: settings().windows[i] is in force at `at`.
    uint64_t windows_at(std::chrono::system_clock::time_point at) const;
    // The same now (the policy's clock), computed once per window change.
    uint64_t windows_now() const;
    // The names of the windows of `mask`.
    std::vector<std::string> window_names(uint64_t mask) const;

private:
    AccountPolicy(std::string account, AccountSettings settings, RegionLocator locator, PolicyClock clock);

    std::string account_;
    AccountSettings settings_;
    RegionLocator locator_;
    PolicyClock clock_;
    mutable std::mutex windows_mu_;
    mutable std::chrono::system_clock::time_point windows_until_{};  // windows_ holds before this
    mutable uint64_t windows_ = 0;
};
using AccountPolicyPtr = std::shared_ptr<const AccountPolicy>;

// A mapped SRV RRset as cached: the records and the ECS scope they hold for.
struct MappedRRset {
    RRsetPtr rrset;  // may hold no records: NODATA
    Mapping mapping;
};

// The facts a cached answer was made for (policy_view.cpp).
struct PolicyBucket {
    int department = -1;   // index in the settings' departments, -1: none
    int region = -1;       // index in its regions, -1: none
    uint64_t windows = 0;  // bit i: windows[i] in force
    bool operator==(const PolicyBucket&) const = default;
};
struct PolicyBucketHash {
    size_t operator()(const PolicyBucket& b) const {
        return std::hash<uint64_t>{}(b.windows ^ (uint64_t(uint32_t(b.department)) << 32) ^
                                     (uint64_t(uint32_t(b.region)) * 0x9e3779b97f4a7c15ULL));
    }
};

// One zone's mapped SRV RRsets: its candidates with their health and load, and a cache
// per RRset.
class PolicyZone {
public:
    // The zone `assignment` (whose tuples are `tuples`) under `account`'s rules.
    PolicyZone(const Zone& assignment, AccountPolicyPtr account, std::optional<std::string> template_name,
               const std::vector<Tuple>& tuples, const HealthMap& health, const LoadMap& load,
               const ClientViewSettings& view);

    const std::string& zone() const { return zone_; }
    const AccountPolicy& account() const { return *account_; }
    const std::optional<std::string>& template_name() const { return template_; }

    // The answer for the SRV RRset at `owner` (a lower-case wire name) to `querier`;
    // nullptr when no tuple is behind that name. `scope` gets the ECS scope.
    std::shared_ptr<const MappedRRset> answer(const knot_dname_t* owner, const Querier& querier,
                                              uint8_t& scope) const;
    // The same for a question asked as `explain` asks it: from `querier` at `at`, with
    // `department` forced when given. Never cached. nullptr: no tuple of that service.
    std::shared_ptr<const MappedRRset> explain(const std::string& service, const std::string& transport,
                                               const Querier& querier, std::chrono::system_clock::time_point at,
                                               const std::optional<std::string>& department,
                                               std::vector<std::string>& question_facts) const;

private:
    struct Owner {
        std::string service;
        std::string transport;
        std::vector<MappingCandidate> candidates;
        MappingInputs inputs;
        mutable std::mutex mu;
        mutable std::unordered_map<PolicyBucket, std::shared_ptr<const MappedRRset>, PolicyBucketHash> cache;
    };
    std::shared_ptr<const MappedRRset> make(const Owner& owner, const MappingQuestion& question) const;

    std::string zone_;
    AccountPolicyPtr account_;
    std::optional<std::string> template_;
    ClientViewSettings view_;
    std::unordered_map<std::string, std::unique_ptr<Owner>, WireNameHash, std::equal_to<>> owners_;
};

// Every zone with mapping rules, by zone name. Zones are shared between successive
// views, so a change rebuilds only the zones it touched.
class PolicyView {
public:
    PolicyView() = default;
    explicit PolicyView(std::vector<std::shared_ptr<const PolicyZone>> zones);

    const PolicyZone* zone(std::string_view name) const;
    const std::vector<std::shared_ptr<const PolicyZone>>& zones() const { return zones_; }
    bool empty() const { return zones_.empty(); }

private:
    std::vector<std::shared_ptr<const PolicyZone>> zones_;
    std::unordered_map<std::string, size_t, WireNameHash, std::equal_to<>> by_name_;
};

// `current` with the zones in `replace` swapped in (by name) and those named in `drop`
// left out; the others shared.
std::shared_ptr<const PolicyView> with_policy_zones(const PolicyView& current,
                                                    std::vector<std::shared_ptr<const PolicyZone>> replace,
                                                    const std::set<std::string>& drop);

// The RRset override resolve() asks, for one query of the client view.
class PolicyOverride : public RRsetOverride {
public:
    PolicyOverride(const PolicyView& view, const Querier& querier) : view_(view), querier_(querier) {}
    const knot_rrset_t* replace(const Zone& zone, const knot_rrset_t& found) const override;
    // Whether the answer was mapped, and the ECS scope it holds for (0 when not mapped).
    bool mapped() const { return kept_ != nullptr; }
    uint8_t scope() const { return scope_; }

private:
    const PolicyView& view_;
    const Querier& querier_;
    mutable std::shared_ptr<const MappedRRset> kept_;
    mutable uint8_t scope_ = 0;
};

}  // namespace patchbay
