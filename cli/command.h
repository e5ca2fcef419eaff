// The CLI's grammar as pure functions: argv ⇒ an Invocation ⇒ the API request it
// stands for; an API answer ⇒ the text (or JSON) the operator sees and the exit code.
//
//   patchbay [--controller URL] [--token T] [--output text|json] NOUN VERB [ARGS]
//     zone add DOMAIN [--account A [--template T]] | zone rm DOMAIN | zone ls
//     zone import FILE [--zone DOMAIN] [--account A] | zone export DOMAIN
//     tuple add DOMAIN SERVICE TRANSPORT ADDRESS PORT [--priority N] [--weight N] [--target NAME]
//     tuple rm DOMAIN SERVICE TRANSPORT ADDRESS PORT | tuple ls [DOMAIN]
//     agent ls | status
//     servers ls | server show NAME
//     alert test [POLICY] [--account A]
//     account add NAME | account ls | account rm NAME
//     token create [--account NAME] --role ROLE [--name N] | token ls | token revoke ID
//     policy get|history ACCOUNT | policy set ACCOUNT FILE | policy check FILE
//     policy rollback ACCOUNT VERSION
//     explain DOMAIN SERVICE [--transport T] [--from ADDRESS] [--at TIME] [--department D]
//     changes ls [--zone DOMAIN] [--limit N] | changes show ID
//     timeline [--range 24h] [--period P] [--server NAME]…
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "result.h"

namespace patchbay {

// Exit codes (also in docs/cli.md).
enum ExitCode : int {
    kExitOk = 0,
    kExitFailed = 1,        // the controller failed (5xx) or answered unexpectedly
    kExitUsage = 2,         // bad command line or invalid input (also a 400 answer)
    kExitNotFound = 3,      // 404
    kExitConflict = 4,      // 409
    kExitUnauthorized = 5,  // 401
    kExitUnreachable = 6,   // no answer from the controller
    kExitNotConverged = 7,  // --wait: a host failed, or did not converge in time
};

struct Invocation {
    std::string controller;  // URL
    std::string token;
    bool json = false;
    std::string noun, verb;
    std::vector<std::string> args;
    // --priority, --weight, --target, --zone, --account, --role, --name, --limit, --range, --period
    std::map<std::string, std::string> options;
    std::vector<std::string> servers;            // --server, repeatable (timeline)
    bool wait = false;                           // --wait: follow the change to every host (wait.h)
    bool help = false;                           // --help, -h or `help NOUN VERB`: help_text()
    // How text is drawn (main.cpp decides: a terminal without NO_COLOR gets colour).
    bool color = false;
    size_t width = 80;
};

struct ApiRequest {
    std::string method;
    std::string path;
    std::optional<nlohmann::json> body;
};

// `env` looks up PATCHBAY_CONTROLLER / PATCHBAY_TOKEN. Errors say what is wrong.
Result<Invocation> parse_invocation(const std::vector<std::string>& argv,
                                    const std::function<std::optional<std::string>(const char*)>& env);
// Reads a whole file named on the command line; errors name it and the reason.
Result<std::string> read_whole_file(const std::string& path);

// Validates the arguments (offline) and builds the request. `escape` percent-encodes a
// path segment; `read_file` reads a file named in the arguments (zone import).
Result<ApiRequest> plan_request(const Invocation& inv, const std::function<std::string(const std::string&)>& escape,
                                const std::function<Result<std::string>(const std::string&)>& read_file =
                                    read_whole_file);
// What to print for a successful answer.
std::string render(const Invocation& inv, const nlohmann::json& body);
// What --help prints for the invocation's noun and verb (overview, a noun's commands, one
// command); an error for an unknown command.
Result<std::string> help_text(const Invocation& inv);
// The exit code for an HTTP status.
int exit_code_for(long status);
// The exit code for a successful (2xx) answer: kExitFailed when `alert test` reports a
// channel that failed, else kExitOk.
int exit_code_for_answer(const Invocation& inv, const nlohmann::json& body);

}  // namespace patchbay
