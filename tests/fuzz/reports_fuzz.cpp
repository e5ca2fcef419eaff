// Fuzzes the health reports agents POST (shared/report.h, POST /v1/reports): the body as
// sent. Beyond the sanitizers: every error must survive the API's JSON reply (nlohmann
// throws on invalid UTF-8), and a parsed batch must parse again, equal, from its own JSON.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using nlohmann::json;
    using namespace patchbay;
    json body = json::parse(reinterpret_cast<const char*>(data), reinterpret_cast<const char*>(data) + size, nullptr,
                            false);
    if (body.is_discarded()) return 0;  // parse_body's job, fuzzed by api_body
    auto reports = reports_from(body);
    if (!reports) {
        (void)json{{"error", reports.error()}}.dump();
        return 0;
    }
    auto again = reports_from(json::parse(reports_body(*reports).dump()));
    if (!again || *again != *reports) std::abort();
    return 0;
}
