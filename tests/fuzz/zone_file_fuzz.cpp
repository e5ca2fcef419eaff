// Fuzzes zone import (controller/zonefile.h, zone_content.h): the input is a zone file
// for x.org. Beyond the sanitizers: whatever imports must export and import back to the
// same tuples and records (the round trip `patchbay zone export` ⇒ `import` promises),
// and every error must survive the API's JSON reply.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "zone_content.h"
#include "zonefile.h"

namespace {

using namespace patchbay;

DnsSettings settings() {
    DnsSettings s;
    s.ns_addresses = {*Address::parse("192.0.2.1")};
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto file = parse_zone_file(text, std::string("x.org"), "fuzz.zone");
    if (!file) {
        (void)nlohmann::json{{"error", file.error()}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return 0;
    }
    auto content = split_records(file->zone, file->records, settings());
    if (!content) return 0;
    auto zone = build_zone({file->zone, file->serial, content->records}, content->tuples, settings());
    if (!zone) std::abort();
    auto again = parse_zone_file(format_zone_file(*zone), std::nullopt, "exported.zone");
    if (!again || again->zone != file->zone || again->serial != file->serial) std::abort();
    auto content2 = split_records(again->zone, again->records, settings());
    if (!content2 || content2->tuples != content->tuples || content2->records != content->records) std::abort();
    return 0;
}
