// Fuzzes the controller's zone transfer and TSIG path (controller/dns_dispatch.h respond)
// with the seed zone, a journal of two changes, an ACL that lets loopback transfer and a
// TSIG key: any bytes a client sends, over UDP and TCP, every message of a transfer drained.
// Beyond the sanitizers: each message echoes the id with QR set, fits its transport, and
// parses back with libknot. The second half of the input also goes to the journal decoder
// (rows read back from SQLite).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

extern "C" {
#include <libknot/libknot.h>
}

#include "dns_dispatch.h"
#include "response_check.h"
#include "seed.h"
#include "zone_diff.h"

namespace {

using namespace patchbay;

struct World {
    std::shared_ptr<const ZoneSet> zones;
    std::shared_ptr<const Journal> journal;
    DnsPolicy policy;
    JournalSource source;
};

const World& world() {
    // Built once: the zones, journal and policy are the fixed part, the request the fuzzed one.
    static const World w = [] {
        World w;
        DnsSettings settings{60, {*Address::parse("10.10.10.1")}};
        auto tuples = test::seed_tuples();
        auto v1 = build_zone({"hostdomain.com", 1}, tuples, settings);
        tuples.push_back(test::tuple_of("http", "10.10.10.125", "80", "1"));
        auto v2 = build_zone({"hostdomain.com", 2}, tuples, settings);
        tuples.erase(tuples.begin());
        auto v3 = build_zone({"hostdomain.com", 3}, tuples, settings);
        w.zones = std::make_shared<const ZoneSet>(std::vector<std::shared_ptr<const Zone>>{v3});
        w.journal = std::make_shared<const Journal>()
                        ->with_diff("hostdomain.com", diff_zones(*v1, *v2), {})
                        ->with_diff("hostdomain.com", diff_zones(*v2, *v3), {});
        w.policy.keys = {*TsigKey::make("transfer", "hmac-sha256", "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=")};
        AclEntry local;
        local.addresses = {*Prefix::parse("127.0.0.0/8")};
        w.policy.acl = {local};
        auto journal = w.journal;
        w.source = [journal] { return journal; };
        return w;
    }();
    return w;
}

void run(const uint8_t* data, size_t size, Transport transport) {
    const World& w = world();
    DnsRequest request{data, size, transport, {*Address::parse("127.0.0.1"), 5300}};
    std::vector<uint8_t> out;
    std::unique_ptr<TransferStream> more;
    if (!respond(w.policy, *w.zones, w.source, request, out, more)) return;
    fuzz::check_response(data, out, transport);
    if (transport == Transport::udp && more) std::abort();  // no streams over UDP
    for (int i = 0; more && i < 1000 && more->next(out); ++i) fuzz::check_response(data, out, transport);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    run(data, size, Transport::udp);
    run(data, size, Transport::tcp);
    auto rrsets = decode_rrsets(std::string_view(reinterpret_cast<const char*>(data) + size / 2, size - size / 2));
    (void)rrsets;
    return 0;
}
