// patchbay-docgen: writes, at build time, what the packages install beside the programs
// from the texts the programs print themselves: the man pages patchbay(1),
// patchbay-controller(8), patchbay-agent(8), and the bash completion of patchbay.
//   patchbay-docgen man|man-controller|man-agent|bash-completion|cli-table VERSION DATE
#include <iostream>
#include <string>

#include "../agent/usage.h"
#include "../controller/usage.h"
#include "commands.h"
#include "completion.h"
#include "man_page.h"

using namespace patchbay;

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: patchbay-docgen man|man-controller|man-agent|bash-completion|cli-table VERSION DATE\n";
        return 2;
    }
    const std::string what = argv[1], version = argv[2], date = argv[3];
    if (what == "man") {
        std::cout << cli_man_page(version, date);
    } else if (what == "man-controller") {
        std::cout << daemon_man_page(
            DaemonPage{"patchbay-controller",
                       "the zone of patchbay's tuples: authoritative DNS, REST API, health watchdog, alerts",
                       kControllerUsage, kStateCommandUsage,
                       "patchbay-controller keeps the tuples (service, transport, address, port) of its zones in "
                       "SQLite and serves them as authoritative DNS: SRV records and the A/AAAA of their targets. "
                       "Agents read the assignment view; clients get the client view, where servers that are "
                       "down are left out and each account's mapping rules apply.\n"
                       "Every change is one transaction that bumps the zone's serial and appends to the change "
                       "log; then the agents and secondaries are NOTIFYed. Agents report the units they run and "
                       "their probes; the controller classifies every server up, warning or down, keeps the "
                       "history, alerts, and shows it at http://API/ui/.\n"
                       "Run under systemd as patchbay-controller.service (Type=notify, watchdog, a dynamic user). "
                       "Operate it with patchbay(1). backup copies the database while it serves; restore puts a "
                       "backup back while it is stopped.",
                       "/etc/patchbay/controller.toml: the configuration (every key: configuration.md)\n"
                       "/var/lib/patchbay-controller/patchbay.db: the store (as packaged; default /var/lib/patchbay)\n"
                       "/var/lib/patchbay-controller/admin.token: the first admin token, written at the first start\n"
                       "/usr/share/doc/patchbay-controller/: the guides"},
            version, date);
    } else if (what == "man-agent") {
        std::cout << daemon_man_page(
            DaemonPage{"patchbay-agent", "runs on this host what the DNS zone places on its addresses", kAgentUsage,
                       "",
                       "patchbay-agent follows the SRV tuples of its domains: one SOA query per domain per poll, "
                       "the full fetch when the serial moved, at once on a DNS NOTIFY or when an address is bound "
                       "or unbound. For each tuple whose address is bound here it starts one instance of the "
                       "service's systemd template (the instance is the escaped ADDR:PORT/TRANSPORT) after "
                       "writing its environment file; it stops the instances whose tuples are gone.\n"
                       "It acts only on a complete snapshot, every query answered at one serial: a DNS outage, "
                       "SERVFAIL or an older serial keeps what runs. Restarted, it adopts what runs and restarts "
                       "nothing; its last snapshot (state_file) lets it start what it places while DNS is away.\n"
                       "It probes every instance and reports to the controller, spooling reports on disk while "
                       "the controller is away.",
                       "/etc/patchbay/agent.toml: the configuration (every key: configuration.md)\n"
                       "/etc/patchbay/agent.token: the agent's API token\n"
                       "/run/patchbay/env/UNIT.env: the environment file of each instance started\n"
                       "/var/lib/patchbay-agent/: the report spool and the last snapshot"},
            version, date);
    } else if (what == "bash-completion") {
        std::cout << bash_completion();
    } else if (what == "cli-table") {
        std::cout << reference_table();
    } else {
        std::cerr << "patchbay-docgen: unknown output '" << what << "'\n";
        return 2;
    }
    return 0;
}
