// The agent's TOML configuration (DESIGN.md §3): which domains to follow, which resolvers
// to ask, and the catalog of services (SRV service label ⇒ systemd unit template).
// Every error names FILE:LINE:COLUMN and what is wrong; unknown keys are errors, so a
// typo never silently falls back to a default.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "address.h"
#include "log.h"
#include "reconcile.h"
#include "result.h"

namespace patchbay {

// [services.X.probe]: how the agent checks that an instance answers (docs/agent-health.md).
struct ProbeConfig {
    std::string kind;            // "tcp", "http", "https", "sip", "command"
    int interval_ms = 1000;      // from the start of one run to the start of the next
    int timeout_ms = 800;        // a run that takes longer fails (a command is killed)
    std::string path = "/";      // http(s): the path requested
    int expect_status = 200;     // http(s): the status that counts as healthy
    std::vector<std::string> command;  // command: absolute program path, then its arguments
};

struct ServiceConfig {
    std::string name;                     // "http" (SRV "_http"), normalized
    std::string unit_template;            // "patchbay-http@.service"
    std::vector<std::string> transports;  // default {"tcp", "udp"}
    std::optional<ProbeConfig> probe = std::nullopt;  // none: only the systemd state is reported
};

struct AgentConfig {
    std::string name;                  // default: the hostname
    std::vector<std::string> domains;  // normalized, no duplicates
    std::vector<Endpoint> resolvers;   // default: nameservers of /etc/resolv.conf, port 53
    int poll_seconds = 30;
    int idle_poll_seconds = 5;          // while no tuple matches this host
    std::string notify_listen = "0.0.0.0:5300";  // as configured; "" disables
    std::optional<Endpoint> notify_endpoint;      // parsed notify_listen
    std::optional<Endpoint> metrics_listen;       // GET /metrics here (docs/metrics.md); none = off
    std::string controller;             // URL; empty = no registration
    std::string token_file;
    std::string env_dir = "/run/patchbay/env";
    int query_timeout_ms = 1000;
    std::vector<ServiceConfig> services;
    // Health reports (issue 4, docs/agent-health.md).
    int report_seconds = 2;  // heartbeat: a report at least this often
    std::string spool_dir = "/var/lib/patchbay-agent/spool";  // undelivered reports
    int spool_max = 10000;   // reports kept while the controller is away; oldest dropped
    // The last-known-good snapshots (snapshot_file.h). nullopt: not set, so the default
    // path in daemon mode and none with --once or --dry-run; "": none.
    std::optional<std::string> state_file;
    LogLevel log_level = LogLevel::info;  // entries less severe are dropped; --log-level overrides

    std::vector<CatalogEntry> catalog() const;
};

// What the host supplies when the file leaves a key out.
struct ConfigDefaults {
    std::string hostname;
    std::vector<Endpoint> resolvers;  // from /etc/resolv.conf
};

// Parses configuration text; `source` names the file in messages.
// Errors: "FILE:LINE:COLUMN: what is wrong".
Result<AgentConfig> parse_config(std::string_view text, std::string_view source,
                                 const ConfigDefaults& defaults);

// Reads FILE, the hostname and /etc/resolv.conf, then parse_config.
Result<AgentConfig> load_config(const std::string& path);

// The "nameserver ADDR" lines of a resolv.conf, port 53; bad or scoped addresses skipped.
std::vector<Endpoint> parse_resolv_conf(std::string_view text);

}  // namespace patchbay
