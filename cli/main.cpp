// patchbay: the operators' CLI (grammar in command.h, exit codes in docs/cli.md).
#include <curl/curl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "api_client.h"
#include "command.h"
#include "move.h"
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

// --wait: the mutation's own output, then its changes followed to every host (wait.h);
// a drain first waits out its grace. With --output json one object: the answer with the
// changes as they ended under "wait".
int render_and_wait(const Invocation& inv, const ApiClient& client, nlohmann::json body) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    int64_t timeout_ms = kDefaultWaitMs;
    if (inv.noun == "drain") timeout_ms += body.value("grace_ms", int64_t{0});
    if (auto it = inv.options.find("timeout"); it != inv.options.end()) timeout_ms = *parse_span(it->second, "--timeout");
    auto left = [&] {
        return timeout_ms - std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    };
    if (!inv.json) std::cout << render(inv, body) << std::flush;
    std::vector<int64_t> ids = changes_to_wait_for(body);
    if (inv.noun == "drain") {
        nlohmann::json drained;
        WaitVerdict grace = wait_for_drain(client, body.value("address", ""), left(), drained);
        if (grace.done) {
            std::cerr << grace.text;
            return grace.exit_code;
        }
        ids = changes_to_wait_for(drained);
        if (!inv.json)
            std::cout << "drained " << drained.value("address", "") << ": " << ids.size()
                      << (ids.size() == 1 ? " tuple" : " tuples") << " removed\n";
    }
    if (ids.empty() && body.is_object() && body.value("changed", true) == false && body.contains("zone")) {
        // Nothing changed: wait for the zone's newest change, which this one repeats.
        auto newest = client.call("GET", "/v1/changes?limit=1&zone=" + ApiClient::segment(body["zone"].get<std::string>()));
        if (newest && newest->status == 200 && newest->body.is_array() && !newest->body.empty())
            ids.push_back(newest->body[0].value("id", int64_t{0}));
    }
    if (ids.empty()) {
        if (inv.json) std::cout << body.dump(2) << "\n";
        std::cerr << "patchbay: nothing to wait for: this change reaches no host\n";
        return exit_code_for_answer(inv, body);
    }
    int code = kExitOk;
    nlohmann::json ended = nlohmann::json::array();
    for (int64_t id : ids) {
        nlohmann::json last;
        WaitVerdict verdict = wait_for_change(client, id, std::max<int64_t>(left(), 0), last);
        ended.push_back(last);
        if (verdict.exit_code != kExitOk) code = verdict.exit_code;
        if (!inv.json || verdict.exit_code != kExitOk) (verdict.exit_code == kExitOk ? std::cout : std::cerr) << verdict.text;
    }
    if (inv.json) {
        body["wait"] = ended.size() == 1 ? ended[0] : ended;
        std::cout << body.dump(2) << "\n";
    }
    return code;
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
    if (inv->help) {
        auto text = help_text(*inv);
        if (!text) {
            std::cerr << "patchbay: " << text.error() << "\n";
            return kExitUsage;
        }
        std::cout << *text;
        return kExitOk;
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
    if (inv->noun == "tuple" && inv->verb == "move") return run_move(*inv, client, answer->body);
    if (inv->wait) return render_and_wait(*inv, client, answer->body);
    std::cout << render(*inv, answer->body);
    return exit_code_for_answer(*inv, answer->body);
}
