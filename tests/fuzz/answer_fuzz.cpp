// Fuzzes the controller's DNS query path (controller/answer.h) with the seed zone of
// DESIGN.md §1 and example.com, a zone of CNAMEs, cuts and wildcards
// (tests/unit/shared/example_zone.h): any bytes a client sends, over UDP and TCP. Beyond the sanitizers it
// checks what every response must hold: a header with the query's id and QR set, no
// more than the transport allows, and wire that libknot itself parses back. Each query
// is also answered as the client view answers it, under mapping rules (geo, a
// department, a window), so ECS options and the per-query mapping path are fuzzed too.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

extern "C" {
#include <libknot/libknot.h>
}

#include "answer.h"
#include "example_zone.h"
#include "policy_view.h"
#include "response_check.h"
#include "seed.h"
#include "settings.h"
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

constexpr const char* rules = R"(
[regions.eu]
networks = ["192.0.2.0/24", "2001:db8:1::/48"]
near = ["us"]
[regions.us]
networks = ["198.51.100.0/24"]
[departments.ops]
networks = ["10.1.0.0/16"]
[windows.night]
from = "22:00"
to = "06:00"
[servers."10.10.10.121"]
region = "eu"
[servers."10.10.10.122"]
region = "us"
[[rule]]
service = "http"
strategy = "geo"
count = 1
[[rule]]
service = "http"
department = "ops"
strategy = "failover"
[[rule]]
service = "smtp"
window = "night"
strategy = "weighted"
)";

std::shared_ptr<const PolicyView> make_policies() {
    auto settings = parse_settings(rules, "fuzz-rules", false);
    if (!settings) std::abort();
    auto account = AccountPolicy::compile("fuzz", std::move(*settings), {});
    if (!account) std::abort();
    auto zone = std::make_shared<const PolicyZone>(*seed_zones().zone("hostdomain.com"), *account, std::nullopt,
                                                   test::seed_tuples(), HealthMap{}, LoadMap{}, ClientViewSettings{});
    return std::make_shared<const PolicyView>(std::vector<std::shared_ptr<const PolicyZone>>{zone});
}

const ClientQuery& client_query() {
    static const std::shared_ptr<const PolicyView> policies = make_policies();
    static const ClientQuery client{policies.get(), *Address::parse("192.0.2.7"), std::nullopt};
    return client;
}

void check(const uint8_t* query, size_t size, Transport transport, std::vector<uint8_t>& out) {
    if (answer(seed_zones(), query, size, transport, out)) fuzz::check_response(query, out, transport);
    if (answer(seed_zones(), query, size, transport, out, 0, &client_query()))
        fuzz::check_response(query, out, transport);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<uint8_t> out;
    check(data, size, Transport::udp, out);
    check(data, size, Transport::tcp, out);
    return 0;
}
