// `patchbay-controller backup FILE` and `patchbay-controller restore FILE`: the command
// line around backup.h. The state directory is --state DIR, else the `state` of the
// config (--config FILE, or /etc/patchbay/controller.toml when it exists, as on an
// installed server), else the default /var/lib/patchbay.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "result.h"

namespace patchbay {

struct StateCommand {
    std::string verb;  // "backup" or "restore"
    std::string file;
    std::optional<std::string> config;
    std::optional<std::string> state;
    std::optional<uint32_t> serial_step;  // restore only
    bool help = false;
};

bool is_state_command(std::string_view word);

// argv (argv[1] is the verb) ⇒ the command. Errors name the argument.
Result<StateCommand> parse_state_command(int argc, const char* const* argv);

// Runs it, printing what it did on stdout and errors on stderr; the exit code.
int run_state_command(const StateCommand& command);

}  // namespace patchbay
