// Fuzzes an account's settings file (controller/settings.h `parse_settings`): the TOML
// an account stores through the API, so outside input. Files are not checked (no
// file system access from the fuzzer).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "settings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto settings = patchbay::parse_settings(text, "fuzz", false);
    if (!settings && settings.error().rfind("fuzz:", 0) != 0) std::abort();  // every error says where
    if (settings) {
        // What passes is whole: every name used is defined.
        for (const auto& rule : settings->rules)
            if (rule.name.empty()) std::abort();
    }
    return 0;
}
