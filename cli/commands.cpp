#include "commands.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace patchbay {

namespace {

// docs/cli.md's command table, row by row (reference_test.cpp compares them).
constexpr CommandSpec kCommands[] = {
    {"zone add DOMAIN [--account A [--template T]]",
     "creates a zone (serial 1); an admin puts it in account A (default: the platform's), an "
         "account-admin always in its own ([accounts.md](accounts.md)); with `--template`, with the tuples "
         "of the account's `[templates.T]` (exit 3 when it has none) ([policies.md](policies.md))",
     true},
    {"zone rm DOMAIN",
     "removes a zone and its tuples",
     true},
    {"zone ls",
     "zones, their serials and accounts (`-` = the platform's)",
     false},
    {"zone import FILE [--zone DOMAIN] [--account A]",
     "makes a zone file (RFC 1035 master format) the whole content of its zone, creating the zone (in "
         "account A, as `zone add`), as one change (details: [cli.md](cli.md#zone-files))",
     true},
    {"zone export DOMAIN",
     "prints the zone as a zone file, which `zone import` reads back to the same zone",
     false},
    {"tuple add DOMAIN SERVICE TRANSPORT ADDRESS PORT [--priority N] [--weight N] [--target NAME]",
     "places a tuple, or changes the priority/weight/target of the same placement (defaults: priority "
         "1, weight 100, derived target)",
     true},
    {"tuple rm DOMAIN SERVICE TRANSPORT ADDRESS PORT",
     "removes a tuple",
     true},
    {"tuple move DOMAIN SERVICE TRANSPORT FROM TO [--timeout 60s]",
     "places the tuples on FROM (ADDRESS, or ADDRESS:PORT for one) on TO as well, waits until the new "
         "instance is up and healthy, then removes the old ones; if it does not come up in time the new "
         "tuple is taken back (exit 7) ([drain.md](drain.md))",
     true},
    {"tuple ls [DOMAIN]",
     "tuples, all or of one zone",
     false},
    {"agent ls",
     "registered agents and where they get NOTIFY",
     false},
    {"status",
     "zones, serials, counts",
     false},
    {"servers ls",
     "every server that reports: state, since when, last report, instances "
         "([watchdog.md](watchdog.md))",
     false},
    {"server show NAME",
     "one server: state and reason, host metrics, each instance's state and probe, what **should run "
         "and does**, **should run and does not** (with systemd's reason when it failed), **runs and "
         "should not** (the tuples of the zones it follows, on the addresses it has bound, of the services "
         "its catalog places, against what its agent last reported), recent state changes and history "
         "blocks",
     false},
    {"account add NAME",
     "creates an account (admins only); NAME is 1–63 of `a-z 0-9 -`",
     true},
    {"account ls",
     "accounts (admins only)",
     false},
    {"account rm NAME",
     "removes an account and its tokens; refused (exit 4) while it has zones",
     true},
    {"token create [--account NAME] --role ROLE [--name N]",
     "makes an API token and prints it — the token alone on stdout, so `T=$(patchbay token create …)` "
         "captures it; it is shown this once and never stored. ROLE: admin (no account), account-admin, "
         "account-viewer, agent (an account's, or without `--account` the platform's)",
     true},
    {"token ls",
     "tokens: id (first 12 hex digits of the digest), name, account, role, created",
     false},
    {"token revoke ID",
     "revokes a token by id (or by name when only one has it); it fails at once",
     true},
    {"policy get ACCOUNT",
     "prints the account's settings file in force (exit 3 when it has none) "
         "([policies.md](policies.md))",
     false},
    {"policy set ACCOUNT FILE",
     "checks FILE and, when it passes, stores it as the account's newest version and applies it at "
         "once; prints `account A: settings version N`. A file with an error is refused (exit 2, "
         "`FILE:LINE:COLUMN: what`) and changes nothing",
     true},
    {"policy check FILE",
     "checks FILE as `policy set` would, storing nothing; prints `FILE: ok (N rules, …)`. "
         "Account-viewers may",
     false},
    {"policy history ACCOUNT",
     "every stored version, newest first: version, when, author (the token's name), file, note",
     false},
    {"policy rollback ACCOUNT VERSION",
     "makes VERSION the newest again, as a new version noting `rollback to version N` (checked again "
         "first)",
     true},
    {"explain DOMAIN SERVICE [--transport tcp] [--from ADDRESS] [--at TIME] [--department D]",
     "why the client view answers the SRV question as it does: the question's facts (department, "
         "region, windows in force), the rule that answered and where it is written, the rules passed over "
         "and why, each candidate's facts (health, load, region, weight), and the records. `--from` is the "
         "querier's address (default none: no region or department by network), `--at` a time (unix "
         "seconds or RFC 3339, default now), `--department` forces one",
     false},
    {"changes ls [--zone DOMAIN] [--limit N]",
     "the change log, newest first ([changes.md](changes.md)): id, when, zone, serial after it, "
         "action, author (`token:NAME`, `tsig:KEY`; `-` before authors were kept) and how many of the "
         "hosts serving the zone have applied it (`2/3`; `-` when none reports the zone). `--limit` "
         "1–1000, default 100",
     false},
    {"changes show ID",
     "one change: what, when, who, its status, and each host serving its zone with the serial it "
         "reports, `applied`, `pending` (and on what) or `failed` (and why) ([changes.md](changes.md))",
     false},
    {"drain ADDRESS [--grace 30s]",
     "takes ADDRESS out of the client view at once; when the grace ends its tuples are removed so its "
         "agent stops the units (admins only; [drain.md](drain.md))",
     true},
    {"undrain ADDRESS",
     "puts back what the drain removed; the address is in the client view again",
     true},
    {"drains ls",
     "every drain: address, draining or drained, since, until, tuples removed, author",
     false},
    {"timeline [--range 24h] [--period P] [--server NAME]…",
     "every server's up/warning/down history as rows of blocks, one per period, lined up across "
         "servers, with the network and server events under their periods ([timelines.md](timelines.md), "
         "[cli.md](cli.md#timelines))",
     false},
    {"alert test [POLICY] [--account A]",
     "sends a test message through every channel of the alert policy (every policy when none is named) "
         "— the controller config's, or with `--account` account A's (an account-admin's: always its own "
         "account's; admins only for the controller's) and prints one line per channel, `ok` or `failed: "
         "REASON`; exits 1 if any channel failed, 3 for an unknown policy or none configured "
         "([alerts.md](alerts.md))",
     false},
};

constexpr std::string_view kGlobalUsage =
    "usage: patchbay [--controller URL] [--token T] [--output text|json] NOUN VERB [ARGS]\n";

std::vector<std::string> words_of(std::string_view text) {
    std::vector<std::string> words;
    std::istringstream in{std::string(text)};
    for (std::string w; in >> w;) words.push_back(w);
    return words;
}

bool is_verb(const std::string& word) {
    return !word.empty() && std::all_of(word.begin(), word.end(), [](unsigned char c) { return std::islower(c); });
}

// "--wait [--timeout D]" and the globals, as every command's help ends.
std::string common_options(const CommandSpec& command) {
    std::string out;
    if (command.changes)
        out += wrap("--wait [--timeout D]: returns once every host serving the zone has applied the change "
                    "(the serial reached, the placed units active, the removed ones gone), or exits 7 naming "
                    "the hosts that failed or did not converge in time (default 60s).",
                    80) +
               "\n";
    out += wrap("Global options: --controller URL (default $PATCHBAY_CONTROLLER, then http://127.0.0.1:8080), "
                "--token T (default $PATCHBAY_TOKEN), --output text|json. Exit codes: patchbay --help.",
                80);
    return out;
}

}  // namespace

std::span<const CommandSpec> cli_commands() { return kCommands; }

std::string noun_of(const CommandSpec& command) { return words_of(command.synopsis).front(); }

std::string verb_of(const CommandSpec& command) {
    auto words = words_of(command.synopsis);
    return words.size() > 1 && is_verb(words[1]) ? words[1] : "";
}

std::string name_of(const CommandSpec& command) {
    std::string verb = verb_of(command);
    return noun_of(command) + (verb.empty() ? "" : " " + verb);
}

std::vector<std::string> options_of(const CommandSpec& command) {
    std::vector<std::string> out;
    std::string_view s = command.synopsis;
    for (size_t at = s.find("--"); at != std::string_view::npos; at = s.find("--", at + 2)) {
        size_t end = at + 2;
        while (end < s.size() && (std::islower(static_cast<unsigned char>(s[end])) || s[end] == '-')) ++end;
        out.emplace_back(s.substr(at + 2, end - at - 2));
    }
    return out;
}

const CommandSpec* find_command(std::string_view noun, std::string_view verb) {
    for (const auto& c : kCommands)
        if (noun_of(c) == noun && verb_of(c) == verb) return &c;
    return nullptr;
}

std::vector<std::string> cli_nouns() {
    std::vector<std::string> out;
    for (const auto& c : kCommands)
        if (std::find(out.begin(), out.end(), noun_of(c)) == out.end()) out.push_back(noun_of(c));
    return out;
}

std::string plain_text(std::string_view markdown) {
    std::string out;
    for (size_t i = 0; i < markdown.size(); ++i) {
        char c = markdown[i];
        if (c == '`') continue;
        if (c == '[') {
            // [text](target) ⇒ docs/target when the target is a page of docs/; a bracket
            // of other text ("[templates.T]") stays as it is.
            size_t close = markdown.find(']', i);
            if (close != std::string_view::npos && close + 1 < markdown.size() && markdown[close + 1] == '(') {
                size_t end = markdown.find(')', close);
                std::string_view target = markdown.substr(close + 2, end - close - 2);
                if (end != std::string_view::npos && target.find(".md") != std::string_view::npos) {
                    out += "docs/";
                    out += target;
                    i = end;
                    continue;
                }
            }
        }
        out += c;
    }
    return out;
}

std::string wrap(std::string_view text, size_t width, std::string_view indent) {
    std::string out, line(indent);
    bool empty = true;
    for (const auto& word : words_of(text)) {
        if (!empty && line.size() + 1 + word.size() > width) {
            out += line + "\n";
            line = std::string(indent);
            empty = true;
        }
        if (!empty) line += ' ';
        line += word;
        empty = false;
    }
    if (!empty) out += line;
    return out;
}

std::string overview_help() {
    std::string out(kGlobalUsage);
    for (const auto& c : kCommands) out += "  " + std::string(c.synopsis) + "\n";
    out += "A command that changes something takes --wait [--timeout 60s]: it returns once every host\n"
           "  serving the zone runs the change (exit 7 naming the hosts that failed or did not answer).\n"
           "Roles: admin, account-admin, account-viewer, agent (docs/accounts.md).\n"
           "Environment: PATCHBAY_CONTROLLER (default http://127.0.0.1:8080), PATCHBAY_TOKEN.\n"
           "Exit codes: 0 done, 1 the controller failed, 2 bad command line or input, 3 not found,\n"
           "  4 already exists, 5 no or unknown token or not allowed, 6 controller unreachable,\n"
           "  7 (--wait) a host failed or did not converge in time.\n"
           "One command: patchbay help NOUN [VERB], or NOUN VERB --help. Reference: man patchbay.\n";
    return out;
}

std::string noun_help(std::string_view noun) {
    std::string out;
    for (const auto& c : kCommands)
        if (noun_of(c) == noun)
            out += (out.empty() ? "usage: patchbay " : "       patchbay ") + std::string(c.synopsis) + "\n";
    if (out.empty()) return out;
    out += "\n";
    for (const auto& c : kCommands)
        if (noun_of(c) == noun) out += wrap(name_of(c) + ": " + plain_text(c.description), 80) + "\n";
    return out + "One command in full: patchbay help " + std::string(noun) + " VERB.\n";
}

std::string command_help(const CommandSpec& command) {
    std::string out = "usage: patchbay " + std::string(command.synopsis);
    if (command.changes) out += " [--wait [--timeout D]]";
    out += "\n\n" + wrap(plain_text(command.description), 80) + "\n\n";
    return out + common_options(command) + "\n";
}

std::string reference_table() {
    std::string out = "| command | does |\n| --- | --- |\n";
    for (const auto& c : kCommands) out += "| `" + std::string(c.synopsis) + "` | " + std::string(c.description) + " |\n";
    return out;
}

}  // namespace patchbay
