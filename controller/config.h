// The controller's settings: TOML file, then command-line flags over it, then --dev
// defaults. Errors name file:line:column and the key.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "acl.h"
#include "address.h"
#include "alert.h"
#include "client_view.h"
#include "health.h"
#include "log.h"
#include "result.h"
#include "tsig.h"

namespace patchbay {

// A secondary server: NOTIFYed on every serial change and allowed to transfer.
struct SecondaryConfig {
    Endpoint address;                     // where NOTIFY goes (port default 53)
    std::shared_ptr<const TsigKey> key;   // set: its transfers must be signed with it,
                                          // and our NOTIFYs to it are
};

struct ControllerConfig {
    std::string state_dir = "/var/lib/patchbay";
    std::vector<Endpoint> dns_listen;  // default 0.0.0.0:53 (127.0.0.1:1053 with --dev)
    Endpoint api_listen;               // default 127.0.0.1:8080
    uint32_t ttl = 60;
    bool dev = false;
    Keyring tsig_keys;                        // [[tsig_key]]
    // [[tsig_key]] account = "name": the key may update only that account's zones
    // (key name as TsigKey::name() ⇒ account); keys not here are the platform's.
    std::map<std::string, std::string> tsig_key_accounts;
    // [client_view] (docs/views.md): listeners that answer with health applied; none by
    // default, so every query gets the assignment view. --client-listen overrides.
    std::vector<Endpoint> client_listen;
    std::vector<Prefix> assignment_networks;  // get the assignment view on them too
    ClientViewSettings client_view;           // ttl 5, warning_weight_percent 10, least-bad
    std::vector<SecondaryConfig> secondaries; // [[secondary]]
    std::vector<AclEntry> acl;                // [[acl]]; --dev adds loopback transfers
    HealthCriteria health;                    // [health] (docs/watchdog.md)
    std::vector<AlertPolicy> alerts;          // [[alert]] (docs/alerts.md)
    LogLevel log_level = LogLevel::info;      // [controller] log_level, --log-level (docs/logs.md)
};

// Who may transfer: the [[acl]] entries plus one per secondary (its address, its key).
std::vector<AclEntry> effective_acl(const ControllerConfig& cfg);

// Parses TOML text (`origin` names it in errors, e.g. the file path).
Result<ControllerConfig> parse_controller_config(const std::string& text, const std::string& origin);

struct ControllerFlags {
    std::optional<std::string> config;
    std::vector<std::string> dns_listen;
    std::vector<std::string> client_listen;  // --client-listen, repeatable
    std::optional<std::string> api_listen;
    std::optional<std::string> state;
    std::optional<std::string> log_level;    // --log-level, over the file's
    bool dev = false;
    bool help = false;
};

// argv ⇒ flags. Errors name the flag.
Result<ControllerFlags> parse_controller_flags(int argc, const char* const* argv);
// File (if any) + flags + defaults ⇒ the settings to run with.
Result<ControllerConfig> resolve_controller_config(const ControllerFlags& flags);

}  // namespace patchbay
