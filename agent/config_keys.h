// config_keys: every key of the agent's configuration file, table by table. The parser
// refuses any key not listed here (config.cpp), and
// tests/unit/agent/config_reference_test.cpp checks that docs/configuration.md documents
// exactly these, each with an example the parser accepts.
#pragma once

#include <string_view>

namespace patchbay::agent_keys {

inline constexpr std::string_view top[] = {"agent", "services"};
inline constexpr std::string_view agent[] = {"name",          "domains",          "resolvers",     "poll_seconds",
                                             "idle_poll_seconds", "notify_listen", "controller",   "token_file",
                                             "env_dir",       "query_timeout_ms", "report_seconds", "spool_dir",
                                             "spool_max",     "metrics_listen",   "state_file",     "log_level"};
// [services.NAME]
inline constexpr std::string_view service[] = {"unit", "transports", "probe"};
// [services.NAME.probe]
inline constexpr std::string_view probe[] = {"kind", "interval_ms", "timeout_ms", "path", "expect_status", "command"};

}  // namespace patchbay::agent_keys
