// Fuzzes an account's settings file (controller/settings.h `parse_settings`): the TOML
// an account stores through the API, so outside input. Files are not checked (no
// file system access from the fuzzer). Beyond the sanitizers: every error says where, and
// what passes refers only to what it defines.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "settings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto settings = patchbay::parse_settings(text, "fuzz", false);
    if (!settings && settings.error().rfind("fuzz:", 0) != 0) std::abort();  // every error says where
    if (!settings) return 0;
    // What passes can be applied: every name used is defined.
    const auto& s = *settings;
    auto defined = [](const auto& list, const std::string& name) {
        for (const auto& item : list)
            if (item.name == name) return true;
        return false;
    };
    for (const auto& region : s.regions)
        for (const auto& near : region.near)
            if (near == region.name || !defined(s.regions, near)) std::abort();
    if (!s.geo.default_region.empty() && !defined(s.regions, s.geo.default_region)) std::abort();
    for (const auto& server : s.servers)
        if (!server.region.empty() && !defined(s.regions, server.region)) std::abort();
    for (const auto& window : s.windows)
        if (window.from_minute == window.to_minute || window.to_minute > 1440 || window.days == 0) std::abort();
    for (size_t i = 0; i < s.rules.size(); ++i) {
        const auto& rule = s.rules[i];
        if (rule.name.empty()) std::abort();
        if (rule.when.department && !defined(s.departments, *rule.when.department)) std::abort();
        if (rule.when.window && !defined(s.windows, *rule.when.window)) std::abort();
        if (rule.when.template_name && !defined(s.templates, *rule.when.template_name)) std::abort();
        if (rule.when.transport && !rule.when.service) std::abort();
        if (!rule.weights.empty() && rule.strategy != patchbay::Strategy::weighted) std::abort();
        if (rule.strategy == patchbay::Strategy::geo && s.regions.empty()) std::abort();
        for (size_t j = 0; j < i; ++j)
            if (s.rules[j].when == rule.when || s.rules[j].name == rule.name) std::abort();
    }
    return 0;
}
