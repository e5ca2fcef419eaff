// Fuzzes the agent's reader of DNS responses (agent/dns_answer.h `parse_answer`): what
// any resolver, or anyone spoofing one, can send back to a refresh.
#include <cstdint>

#include "dns_answer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto parsed = patchbay::parse_answer(data, size);
    if (parsed) {
        // Touch every value so the sanitizers see any bad byte that went into one.
        size_t n = 0;
        for (const auto& s : parsed->soa) n += s.owner.size();
        for (const auto& a : parsed->addresses) n += a.str().size();
        (void)n;
    }
    return 0;
}
