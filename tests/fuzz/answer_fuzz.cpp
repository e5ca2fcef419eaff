// Fuzzes the controller's DNS query path (controller/answer.h) with the seed zone of
// DESIGN.md §1 and example.com, a zone of CNAMEs, cuts and wildcards
// (tests/unit/shared/example_zone.h): any bytes a client sends, over UDP and TCP. Beyond the sanitizers it
// checks what every response must hold: a header with the query's id and QR set, no
// more than the transport allows, and wire that libknot itself parses back.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

extern "C" {
#include <libknot/libknot.h>
}

#include "answer.h"
#include "example_zone.h"
#include "response_check.h"
#include "seed.h"
#include "zone.h"
#include "zone_text.h"

namespace {

using namespace patchbay;

std::shared_ptr<const ZoneSet> make_zones() {
    auto seed = build_zone_set({{"hostdomain.com", 1}}, test::seed_tuples(),
                               DnsSettings{60, {*Address::parse("10.10.10.1")}});
    auto zones = seed->zones();
    auto example = zone_from_text("example.com", test::example_zone);
    if (!example) std::abort();  // the fixture itself is broken
    zones.push_back(*example);
    return std::make_shared<const ZoneSet>(std::move(zones));
}

const ZoneSet& seed_zones() {
    // Built once: the zones are the fixed part, the query the fuzzed one.
    static const std::shared_ptr<const ZoneSet> zones = make_zones();
    return *zones;
}

void check(const uint8_t* query, size_t size, Transport transport, std::vector<uint8_t>& out) {
    if (answer(seed_zones(), query, size, transport, out)) fuzz::check_response(query, out, transport);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<uint8_t> out;
    check(data, size, Transport::udp, out);
    check(data, size, Transport::tcp, out);
    return 0;
}
