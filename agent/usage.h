// The agent's command line, as --help prints it and patchbay-docgen writes patchbay-agent(8)
// from it (one text, so the two never differ).
#pragma once

namespace patchbay {

inline constexpr const char* kAgentUsage =
    "usage: patchbay-agent --config FILE [--once] [--dry-run] [--output json] [--log-level LEVEL]\n"
    "  --config FILE   the agent's TOML configuration\n"
    "  --once          one refresh and reconcile, then exit (3 if a domain was incomplete)\n"
    "  --dry-run       compute the actions without starting or stopping units\n"
    "  --output json   print the actions as {\"start\":[...],\"stop\":[...],\"keep\":[...]}\n"
    "  --log-level LEVEL  error, warning, notice, info or debug: less severe entries are\n"
    "                  dropped (overrides log_level of [agent]; default info)\n";

}  // namespace patchbay
