// patchbay: the operators' CLI (grammar in command.h, exit codes in docs/cli.md).
#include <curl/curl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "api_client.h"
#include "command.h"
#include "span.h"
#include "timeline.h"
#include "wait.h"

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

// --wait: the mutation's own output, then the change followed to every host (wait.h).
// With --output json one object: the answer with the change as it ended under "wait".
int render_and_wait(const Invocation& inv, const ApiClient& client, nlohmann::json body) {
    auto id = change_to_wait_for(body);
    if (!id && body.is_object() && body.value("changed", true) == false && body.contains("zone")) {
        // Nothing changed: wait for the zone's newest change, which this one repeats.
        auto newest = client.call("GET", "/v1/changes?limit=1&zone=" + ApiClient::segment(body["zone"].get<std::string>()));
        if (newest && newest->status == 200 && newest->body.is_array() && !newest->body.empty())
            id = newest->body[0].value("id", int64_t{0});
    }
    if (!inv.json) std::cout << render(inv, body) << std::flush;
    if (!id) {
        if (inv.json) std::cout << body.dump(2) << "\n";
        std::cerr << "patchbay: nothing to wait for: this change reaches no host\n";
        return exit_code_for_answer(inv, body);
    }
    int64_t timeout_ms = kDefaultWaitMs;
    if (auto it = inv.options.find("timeout"); it != inv.options.end()) timeout_ms = *parse_span(it->second, "--timeout");
    nlohmann::json last;
    WaitVerdict verdict = wait_for_change(client, *id, timeout_ms, last);
    if (inv.json) {
        body["wait"] = last;
        std::cout << body.dump(2) << "\n";
        if (verdict.exit_code != kExitOk) std::cerr << verdict.text;
    } else {
        (verdict.exit_code == kExitOk ? std::cout : std::cerr) << verdict.text;
    }
    return verdict.exit_code;
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
    struct CurlGlobal {
        ~CurlGlobal() { curl_global_cleanup(); }
    } curl_global;
    ApiClient client(inv->controller, inv->token, ApiClient::Timeouts{});
    auto answer = client.call(request->method, request->path, request->body ? &*request->body : nullptr);
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
    if (inv->wait) return render_and_wait(*inv, client, answer->body);
    std::cout << render(*inv, answer->body);
    return exit_code_for_answer(*inv, answer->body);
}
