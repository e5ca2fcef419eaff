// patchbay: the operators' CLI (grammar in command.h, exit codes in docs/cli.md).
#include <curl/curl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "api_client.h"
#include "command.h"
#include "timeline.h"

using namespace patchbay;

namespace {

// The facts of the terminal; choose_style (timeline.h) decides.
void terminal_style(Invocation& inv) {
    const bool terminal = isatty(STDOUT_FILENO) == 1;
    winsize size{};
    const int columns = terminal && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 ? size.ws_col : 0;
    TimelineStyle style = choose_style(terminal, std::getenv("NO_COLOR"), columns, std::getenv("COLUMNS"));
    inv.color = style.color;
    inv.width = style.width;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    auto env = [](const char* name) -> std::optional<std::string> {
        const char* v = std::getenv(name);
        if (!v || !*v) return std::nullopt;
        return std::string(v);
    };
    auto inv = parse_invocation(args, env);
    if (!inv) {
        std::cerr << "patchbay: " << inv.error() << "\n";
        return kExitUsage;
    }
    terminal_style(*inv);
    auto request = plan_request(*inv, ApiClient::segment);
    if (!request) {
        std::cerr << "patchbay: " << request.error() << "\n";
        return kExitUsage;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    ApiClient client(inv->controller, inv->token, ApiClient::Timeouts{});
    auto answer = client.call(request->method, request->path, request->body ? &*request->body : nullptr);
    curl_global_cleanup();
    if (!answer) {
        std::cerr << "patchbay: " << answer.error() << "\n";
        return kExitUnreachable;
    }
    int code = exit_code_for(answer->status);
    if (code != kExitOk) {
        std::string message = answer->body.is_object() && answer->body.contains("error")
                                  ? answer->body["error"].get<std::string>()
                                  : "HTTP " + std::to_string(answer->status);
        if (inv->json) std::cout << answer->body.dump(2) << "\n";
        std::cerr << "patchbay: " << message << "\n";
        return code;
    }
    std::cout << render(*inv, answer->body);
    return exit_code_for_answer(*inv, answer->body);
}
