// man_page: the manual pages in roff (man(7)), written from the texts --help prints:
// patchbay(1) from cli_commands() (commands.h), the daemons' pages from their usage
// texts. patchbay-docgen writes them at build time; the packages install them.
#pragma once

#include <string>
#include <string_view>

namespace patchbay {

// Text safe as roff: backslashes and hyphens escaped, no line starting with '.' or '\''.
std::string roff_escape(std::string_view text);

// patchbay(1).
std::string cli_man_page(std::string_view version, std::string_view date);

// A daemon's page: NAME, SYNOPSIS and OPTIONS from `usage` (the usage lines, then the
// option lines, as --help prints them), then DESCRIPTION, FILES and SEE ALSO.
struct DaemonPage {
    std::string_view name;         // "patchbay-agent"
    std::string_view summary;      // for NAME: "places services on this host from DNS SRV tuples"
    std::string_view usage;        // kAgentUsage
    std::string_view more_usage;   // a second usage text (backup/restore), or ""
    std::string_view description;  // paragraphs, separated by blank lines
    std::string_view files;        // "PATH: what" lines
};
std::string daemon_man_page(const DaemonPage& page, std::string_view version, std::string_view date);

}  // namespace patchbay
