// The controller's command lines, as --help prints them and patchbay-docgen writes
// patchbay-controller(8) from them (one text, so the two never differ).
#pragma once

namespace patchbay {

inline constexpr const char* kControllerUsage =
    "usage: patchbay-controller [--config FILE] [--dev] [--dns-listen ADDR:PORT]... "
    "[--api-listen ADDR:PORT] [--state DIR] [--log-level LEVEL]\n"
    "       patchbay-controller backup|restore FILE ...   (patchbay-controller backup --help)\n"
    "  --dev  embedded defaults: state in a temporary directory, DNS on 127.0.0.1:1053,\n"
    "         API on 127.0.0.1:8080, an admin token printed as export lines, and zone\n"
    "         transfers (AXFR/IXFR) allowed from 127.0.0.0/8 and ::1 without a key, and a\n"
    "         new TSIG key for dynamic updates, printed as PATCHBAY_TSIG (nsupdate -y)\n"
    "  --client-listen ADDR:PORT  (repeatable) DNS for clients: the client view, health\n"
    "         applied (docs/views.md); none unless given here or in [client_view]\n"
    "  --log-level LEVEL  error, warning, notice, info or debug: less severe entries are\n"
    "         dropped (overrides log_level of [controller]; default info; docs/logs.md)\n";

// `patchbay-controller backup|restore` (backup_command.h).
inline constexpr const char* kStateCommandUsage =
    "usage: patchbay-controller backup FILE [--config FILE | --state DIR]\n"
    "       patchbay-controller restore FILE [--config FILE | --state DIR] [--serial-step N]\n"
    "  backup   copies the controller's database to FILE while it serves (one consistent\n"
    "           moment; FILE mode 0600, replaced atomically)\n"
    "  restore  puts FILE back as the database; the controller must be stopped. Every zone's\n"
    "           serial moves past the newer of the backup's and the live one's, so agents\n"
    "           and secondaries take the restored zones; a zone the live database does not\n"
    "           know moves by --serial-step (default 1000000)\n"
    "  The state directory: --state, else `state` in --config FILE (default\n"
    "  /etc/patchbay/controller.toml when it exists), else /var/lib/patchbay.\n";

}  // namespace patchbay
