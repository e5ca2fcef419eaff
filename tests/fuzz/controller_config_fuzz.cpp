// Fuzzes the controller's TOML configuration (controller/config.h
// `parse_controller_config`): whatever is in the file given to --config.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto config = patchbay::parse_controller_config(text, "fuzz.toml");
    if (!config && config.error().empty()) std::abort();  // every error says what is wrong
    return 0;
}
