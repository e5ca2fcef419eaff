// Fuzzes the agent's TOML configuration (agent/config.h `parse_config`): whatever an
// operator, or a configuration tool, writes into agent.toml.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace patchbay;
    static const ConfigDefaults defaults{"host1", {*Endpoint::parse("192.0.2.53:53")}};
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto config = parse_config(text, "fuzz.toml", defaults);
    if (config) {
        auto catalog = config->catalog();
        (void)catalog;
    } else if (config.error().empty()) {
        std::abort();  // every error says what is wrong
    }
    return 0;
}
