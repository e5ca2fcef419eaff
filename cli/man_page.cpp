#include "man_page.h"

#include <sstream>
#include <vector>

#include "commands.h"

namespace patchbay {

namespace {

std::vector<std::string> lines_of(std::string_view text) {
    std::vector<std::string> out;
    std::istringstream in{std::string(text)};
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::string header(std::string_view name, int section, std::string_view version, std::string_view date) {
    std::string upper;
    for (char c : name) upper += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    return ".TH " + roff_escape(upper) + " " + std::to_string(section) + " \"" + std::string(date) + "\" \"patchbay " +
           std::string(version) + "\" \"patchbay manual\"\n";
}

// Preformatted lines (.nf/.fi), as --help prints them.
std::string verbatim(std::string_view text) {
    std::string out = ".nf\n";
    for (const auto& line : lines_of(text)) out += roff_escape(line) + "\n";
    return out + ".fi\n";
}

}  // namespace

std::string roff_escape(std::string_view text) {
    std::string out;
    bool line_start = true;
    for (char c : text) {
        if (line_start && (c == '.' || c == '\'')) out += "\\&";
        if (c == '\\') out += "\\e";
        else if (c == '-') out += "\\-";
        else out += c;
        line_start = c == '\n';
    }
    return out;
}

std::string cli_man_page(std::string_view version, std::string_view date) {
    std::string out = header("patchbay", 1, version, date);
    out += ".SH NAME\npatchbay \\- the operators' command line of patchbay\n";
    out += ".SH SYNOPSIS\n.B patchbay\n" +
           roff_escape("[--controller URL] [--token T] [--output text|json] NOUN VERB [ARGS] [--wait [--timeout D]]") +
           "\n.br\n.B patchbay help\n" + roff_escape("[NOUN [VERB]]") + "\n";
    out += ".SH DESCRIPTION\n" +
           roff_escape("patchbay edits the tuples (service, transport, address, port) the patchbay controller "
                       "serves in DNS, and shows what the fleet runs: servers, their states and history, the "
                       "change log and which hosts applied each change. Every argument is checked before "
                       "anything is sent. Options may stand anywhere; --name=value works too.") +
           "\n";
    out += ".SH COMMANDS\n";
    for (const auto& c : cli_commands()) {
        out += ".TP\n.B " + roff_escape(c.synopsis) + "\n" + roff_escape(plain_text(c.description)) + "\n";
        if (c.changes) out += ".br\n" + roff_escape("Takes --wait [--timeout D].") + "\n";
    }
    out += ".SH OPTIONS\n";
    const std::pair<const char*, const char*> options[] = {
        {"--controller URL", "the controller's API (default $PATCHBAY_CONTROLLER, then http://127.0.0.1:8080)"},
        {"--token T", "the API token (default $PATCHBAY_TOKEN)"},
        {"--output text|json", "text tables (default) or the API's JSON"},
        {"--wait", "with a command that changes something: return once every host serving the zone has applied "
                   "the change (the serial reached, the placed units active, the removed ones gone); exit 7 "
                   "naming the hosts that failed, with systemd's reason, or did not converge in time"},
        {"--timeout D", "how long --wait waits (default 60s; 500ms, 30s, 5m, 1h)"},
        {"--help, -h", "the help of the command it follows, or of every command"},
    };
    for (const auto& [name, what] : options) out += ".TP\n.B " + roff_escape(name) + "\n" + roff_escape(what) + "\n";
    out += ".SH ENVIRONMENT\n.TP\n.B PATCHBAY_CONTROLLER\nthe default of \\-\\-controller\n"
           ".TP\n.B PATCHBAY_TOKEN\nthe default of \\-\\-token\n.TP\n.B NO_COLOR\nset: no colour in timelines\n";
    out += ".SH EXIT STATUS\n";
    const std::pair<int, const char*> codes[] = {
        {0, "done"},
        {1, "the controller failed (or alert test: a channel failed)"},
        {2, "bad command line or invalid input"},
        {3, "not found"},
        {4, "already exists (account rm: the account still has zones)"},
        {5, "missing or unknown token, or a role that may not"},
        {6, "the controller did not answer"},
        {7, "--wait: a host failed or did not converge in time"},
    };
    for (const auto& [code, what] : codes) out += ".TP\n.B " + std::to_string(code) + "\n" + roff_escape(what) + "\n";
    out += ".SH SEE ALSO\n.BR patchbay-controller (8),\n.BR patchbay-agent (8),\n" +
           roff_escape("/usr/share/doc/patchbay-controller/") + "\n";
    return out;
}

std::string daemon_man_page(const DaemonPage& page, std::string_view version, std::string_view date) {
    std::string out = header(page.name, 8, version, date);
    out += ".SH NAME\n" + roff_escape(page.name) + " \\- " + roff_escape(page.summary) + "\n";
    // Usage lines ("usage: …" and its continuations) are the synopsis; the rest the options.
    std::string synopsis, options;
    for (std::string_view text : {page.usage, page.more_usage}) {
        for (const auto& line : lines_of(text)) {
            bool usage_line = line.starts_with("usage: ") ||
                              (line.starts_with("       ") && line.substr(7).starts_with(page.name));
            if (usage_line) synopsis += line.substr(7) + "\n";
            else options += line + "\n";
        }
    }
    out += ".SH SYNOPSIS\n" + verbatim(synopsis);
    out += ".SH DESCRIPTION\n";
    bool first = true;
    for (const auto& paragraph : lines_of(page.description)) {
        if (paragraph.empty()) continue;
        out += (first ? "" : ".PP\n") + roff_escape(paragraph) + "\n";
        first = false;
    }
    out += ".SH OPTIONS\n" + verbatim(options);
    out += ".SH FILES\n";
    for (const auto& line : lines_of(page.files)) {
        size_t colon = line.find(": ");
        if (colon == std::string::npos) continue;
        out += ".TP\n.I " + roff_escape(line.substr(0, colon)) + "\n" + roff_escape(line.substr(colon + 2)) + "\n";
    }
    out += ".SH SEE ALSO\n.BR patchbay (1),\n.BR systemd.service (5),\n.BR journalctl (1)\n";
    return out;
}

}  // namespace patchbay
