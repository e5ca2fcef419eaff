// Convergence (issue 7): whether a change has taken effect on each host that serves its
// zone, from what the hosts' agents last reported. A host has applied a change when it
// reports the change's serial (or a later one, RFC 1982) for the zone, every unit of a
// tuple the change placed that the host runs is active, and it no longer runs one the
// change removed. A unit of a placed tuple that systemd calls failed makes the host
// failed, with systemd's reason; anything else still moving is pending. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store.h"
#include "watchdog.h"

namespace patchbay {

enum class Progress { pending, applied, failed };
const char* progress_name(Progress p);

// One host's progress on a change.
struct ChangeHost {
    std::string server;
    uint32_t serial = 0;  // the serial it reported applying for the change's zone
    Progress progress = Progress::pending;
    std::string detail;   // what it waits for, or why it failed ("patchbay-http@….service failed: exit-code: status 1")
    int64_t last_report_ms = 0;

    bool operator==(const ChangeHost&) const = default;
};

// The servers of `servers` that report a serial for the change's zone, sorted by name.
std::vector<ChangeHost> change_hosts(const ChangeRow& change, const std::vector<ServerStatus>& servers);

// The change as a whole: applied when every host has (or none serves the zone), failed
// when none is pending and one failed, else pending.
Progress change_progress(const std::vector<ChangeHost>& hosts);

// {id, at_ms, zone, account, serial, action, detail, author, status,
//  placed: ["http/tcp 10.0.0.1:80", …], removed: […],
//  hosts: [{server, serial, applied, status, detail, last_report_ms}]}
nlohmann::json change_json(const ChangeRow& change, const std::vector<ChangeHost>& hosts);

}  // namespace patchbay
