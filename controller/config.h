// The controller's settings: TOML file, then command-line flags over it, then --dev
// defaults. Errors name file:line:column and the key.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "address.h"
#include "result.h"

namespace patchbay {

struct ControllerConfig {
    std::string state_dir = "/var/lib/patchbay";
    std::vector<Endpoint> dns_listen;  // default 0.0.0.0:53 (127.0.0.1:1053 with --dev)
    Endpoint api_listen;               // default 127.0.0.1:8080
    uint32_t ttl = 60;
    bool dev = false;
};

// Parses TOML text (`origin` names it in errors, e.g. the file path).
Result<ControllerConfig> parse_controller_config(const std::string& text, const std::string& origin);

struct ControllerFlags {
    std::optional<std::string> config;
    std::vector<std::string> dns_listen;
    std::optional<std::string> api_listen;
    std::optional<std::string> state;
    bool dev = false;
    bool help = false;
};

// argv ⇒ flags. Errors name the flag.
Result<ControllerFlags> parse_controller_flags(int argc, const char* const* argv);
// File (if any) + flags + defaults ⇒ the settings to run with.
Result<ControllerConfig> resolve_controller_config(const ControllerFlags& flags);

}  // namespace patchbay
