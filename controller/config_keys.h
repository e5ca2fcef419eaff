// config_keys: every key of the controller's configuration file, table by table. The
// parsers refuse any key not listed here (only_known_keys, toml_read.h), and
// tests/unit/controller/config_reference_test.cpp checks that docs/configuration.md
// documents exactly these, each with an example the parser accepts: a key cannot be added,
// renamed or dropped without the reference following.
#pragma once

#include <string_view>

namespace patchbay::controller_keys {

inline constexpr std::string_view sections[] = {"controller", "dns",       "api", "health", "client_view",
                                                "tsig_key",   "secondary", "acl", "alert"};
inline constexpr std::string_view controller[] = {"state", "log_level"};
inline constexpr std::string_view dns[] = {"listen", "ttl"};
inline constexpr std::string_view api[] = {"listen"};
inline constexpr std::string_view client_view[] = {"listen", "assignment_networks", "ttl", "warning_weight_percent",
                                                   "all_down"};
// [health] and [[alert]] are the same in an account's settings file (settings.h).
inline constexpr std::string_view health[] = {"down_after",         "up_after",      "heartbeat_timeout_seconds",
                                              "latency_warning_ms", "load_warning",  "cpu_warning",
                                              "memory_warning",     "unit_memory_warning_bytes",
                                              "unit_cpu_warning",   "period_seconds", "retention_days"};
inline constexpr std::string_view tsig_key[] = {"name", "algorithm", "secret", "account"};
inline constexpr std::string_view secondary[] = {"address", "key"};
inline constexpr std::string_view acl[] = {"action", "address", "key", "zones"};
inline constexpr std::string_view alert[] = {"name",    "states",  "servers", "services", "for_seconds",
                                             "recovery", "webhook", "email",   "command"};
inline constexpr std::string_view alert_email[] = {"smtp", "from", "to", "username", "password_file"};

}  // namespace patchbay::controller_keys
