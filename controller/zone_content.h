// zone_content: what a zone holds in the user's terms — tuples, and the other records —
// recovered from plain DNS records. Zone files and dynamic updates arrive as records;
// the SRV records that place a service on addresses of this zone become tuples again,
// so the agents and the API see them as if they had been added one by one.
#pragma once

#include <string_view>
#include <vector>

#include "record.h"
#include "result.h"
#include "tuple.h"
#include "zone.h"

namespace patchbay {

struct ZoneContent {
    std::vector<Tuple> tuples;    // sorted
    std::vector<Record> records;  // the rest, sorted, one per RR
};

// Splits the records of `zone` (without its SOA):
// - an SRV at _SERVICE._TRANSPORT.<zone> whose target is a name of the zone with A/AAAA
//   records becomes one tuple per address (target left empty when it is the derived
//   ip4-…/ip6-… name); those A/AAAA records are the tuples' then;
// - the NS ns.<zone> at the apex and its glue from `settings` are the controller's own
//   and are dropped;
// - everything else is kept as a record (an RRset's records take its lowest TTL, as it
//   is served; tuples take settings.ttl).
// Errors (kind invalid) name the record: an owner outside the zone, an SOA, a class
// other than IN is the caller's to refuse. Duplicates collapse.
Result<ZoneContent> split_records(std::string_view zone, std::vector<Record> records, const DnsSettings& settings);

// Every record a built zone serves except its SOA, in the form split_records takes.
std::vector<Record> zone_records(const Zone& zone);

}  // namespace patchbay
