// client_view: the zones clients are answered from (DESIGN.md §2 "Two views"): the
// assignment zones with health applied. Pure: zone snapshot + tuples + health in, zone
// snapshot out. Agents keep reading the assignment view, where a down server keeps its
// tuples (else its agent would stop the service and it could never come back).
//
// The rules, per SRV RRset (one service, transport and domain), docs/views.md:
// - a record whose tuples are all down is left out, so clients go on to the next
//   priority (RFC 2782);
// - a warning record keeps its place, its weight scaled by warning_weight_percent (at
//   least 1; a weight of 0 stays 0);
// - when every record of the RRset is down, `all_down` decides: least_bad keeps them all
//   as they are (each is as bad as the others, so none is preferred), empty leaves the
//   RRset out (NODATA);
// - the SRV RRsets that hold tuples carry `ttl` (low, so clients re-ask soon), and the
//   SOA's TTL and negative-caching minimum are lowered to it too (an empty answer is
//   re-asked as soon); every other record is served as in the assignment view.
// An instance absent from the health map, or unknown, counts as up. A record shared by
// several tuples (an explicit target with several addresses) counts as the best of them:
// clients reach it while one address answers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "health_state.h"
#include "tuple.h"
#include "zone.h"

namespace patchbay {

// What the client view answers when every record of an SRV RRset is down.
enum class AllDown : uint8_t { least_bad, empty };

// "least-bad" / "empty", as the config writes them.
std::string_view all_down_name(AllDown rule);
std::optional<AllDown> parse_all_down(std::string_view text);

struct ClientViewSettings {
    uint32_t ttl = 5;                     // of the SRV RRsets of tuples, and the SOA's
    unsigned warning_weight_percent = 10;  // 1..100
    AllDown all_down = AllDown::least_bad;
};

// A zone's tuples, by zone name (normalized).
using ZoneTuples = std::map<std::string, std::vector<Tuple>>;

// The health clients go by: absent and unknown are up.
Health effective_health(const HealthMap& health, const InstanceRef& instance);

// The weight a warning record gets: weight × percent / 100, at least 1; 0 stays 0.
uint16_t warning_weight(uint16_t weight, unsigned percent);

// The client view of `assignment`, whose tuples are `tuples` (those of other zones are
// ignored): same name and serial. Never fails; the result is a new immutable snapshot.
std::shared_ptr<const Zone> build_client_zone(const Zone& assignment, const std::vector<Tuple>& tuples,
                                              const HealthMap& health, const ClientViewSettings& settings);

// The client view of every zone of `assignment`.
std::shared_ptr<const ZoneSet> build_client_view(const ZoneSet& assignment, const ZoneTuples& tuples,
                                                 const HealthMap& health, const ClientViewSettings& settings);

// `client` with the zones named in `zones` rebuilt from `assignment` (dropped when the
// assignment view no longer has them); the other zones are shared, not copied. Costs
// the size of the zones rebuilt plus the number of zones.
std::shared_ptr<const ZoneSet> with_client_zones(const ZoneSet& client, const ZoneSet& assignment,
                                                 const std::set<std::string>& zones, const ZoneTuples& tuples,
                                                 const HealthMap& health, const ClientViewSettings& settings);

// The zones (InstanceRef::domain) where some instance's effective health differs between
// `before` and `after`: the client zones a health change must rebuild.
std::set<std::string> zones_with_changed_health(const HealthMap& before, const HealthMap& after);

}  // namespace patchbay
