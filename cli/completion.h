// completion: the bash completion of patchbay, written from cli_commands() (commands.h)
// by patchbay-docgen and installed as /usr/share/bash-completion/completions/patchbay.
// It completes nouns, verbs, each command's options and the values of the options that
// have few (--output, --role, --transport), and file names where a command takes a FILE.
#pragma once

#include <string>
#include <vector>

#include "commands.h"

namespace patchbay {

// The positional arguments of a command's synopsis, in order, brackets and option values
// left out: "policy set ACCOUNT FILE" ⇒ {"ACCOUNT", "FILE"}.
std::vector<std::string> positionals_of(const CommandSpec& command);

std::string bash_completion();

}  // namespace patchbay
