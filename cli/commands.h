// commands: every CLI command, once. Its synopsis is the grammar of its options (which
// --options it takes) and its usage line; its description is what `--help`, the man page
// and docs/cli.md's command table say of it. parse_invocation and plan_request
// (command.h) check options against it, patchbay-docgen writes the man page and the
// bash completion from it, and tests/unit/cli/reference_test.cpp checks docs/cli.md's
// table is the one generated from it: the help, the man page, the completion and the
// reference cannot disagree.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace patchbay {

struct CommandSpec {
    // "tuple add DOMAIN SERVICE TRANSPORT ADDRESS PORT [--priority N] [--weight N] [--target NAME]"
    std::string_view synopsis;
    // Markdown: `code` and [links](file.md), as docs/cli.md shows it; plain_text() for a terminal.
    std::string_view description;
    bool changes = false;  // changes something: takes --wait [--timeout D]
};

// In docs/cli.md's order.
std::span<const CommandSpec> cli_commands();

// "tuple", "add"; a command of one word ("status", "drain ADDRESS") has verb "".
std::string noun_of(const CommandSpec& command);
std::string verb_of(const CommandSpec& command);
// "tuple add"
std::string name_of(const CommandSpec& command);
// The --options its synopsis names, without "--", in order ("priority", "weight", "target").
std::vector<std::string> options_of(const CommandSpec& command);
// The command, or nullptr.
const CommandSpec* find_command(std::string_view noun, std::string_view verb);
// Every noun, in order, once.
std::vector<std::string> cli_nouns();

// Markdown as a terminal shows it: `code` ⇒ code, [text](file.md) ⇒ file.md.
std::string plain_text(std::string_view markdown);
// `text` broken into lines of at most `width` columns, each starting with `indent`.
std::string wrap(std::string_view text, size_t width, std::string_view indent = "");

// `patchbay --help`: every command's synopsis, the global options, the environment.
std::string overview_help();
// `patchbay tuple --help`: the noun's commands.
std::string noun_help(std::string_view noun);
// `patchbay tuple add --help`.
std::string command_help(const CommandSpec& command);
// docs/cli.md's command table.
std::string reference_table();

}  // namespace patchbay
