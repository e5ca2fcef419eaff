#include "wait.h"

#include <chrono>
#include <thread>

#include "api_client.h"
#include "command.h"

namespace patchbay {

namespace {

using nlohmann::json;

std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::string seconds(int64_t ms) {
    if (ms < 1000) return std::to_string(ms) + " ms";
    return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
}

}  // namespace

std::vector<int64_t> changes_to_wait_for(const json& answer) {
    std::vector<int64_t> out;
    if (!answer.is_object()) return out;
    auto take = [&out](const json& id) {
        if (id.is_number_integer() && id.get<int64_t>() > 0) out.push_back(id.get<int64_t>());
    };
    if (auto it = answer.find("change"); it != answer.end()) take(*it);
    if (auto it = answer.find("changes"); it != answer.end() && it->is_array())
        for (const auto& id : *it) take(id);
    return out;
}

WaitVerdict judge_wait(const json& change, int64_t waited_ms, bool timed_out, int64_t now_ms) {
    const std::string id = "change " + text_of(change.value("id", json(0)));
    const json hosts = change.value("hosts", json::array());
    size_t applied = 0, failed = 0, pending = 0;
    std::string names;
    for (const auto& h : hosts) {
        std::string status = h.value("status", "pending");
        applied += status == "applied";
        failed += status == "failed";
        pending += status != "applied" && status != "failed";
        names += (names.empty() ? "" : ", ") + text_of(h.value("server", json("?")));
    }
    if (pending > 0 && !timed_out) return {};
    WaitVerdict v{true, 0, ""};
    if (hosts.empty()) {
        v.text = id + ": no host serves " + text_of(change.value("zone", json("its zone"))) + "; nothing to wait for\n";
        return v;
    }
    if (failed == 0 && pending == 0) {
        v.text = id + " applied on " + std::to_string(applied) + (applied == 1 ? " host" : " hosts") + " (" + names +
                 ") in " + seconds(waited_ms) + "\n";
        return v;
    }
    v.exit_code = kExitNotConverged;
    v.text = id + (pending ? " did not converge within " + seconds(waited_ms) : std::string(" failed")) + " on " +
             std::to_string(failed + pending) + " of " + std::to_string(hosts.size()) + " hosts:\n";
    for (const auto& h : hosts) {
        std::string status = h.value("status", "pending");
        if (status == "applied") continue;
        std::string line = "  " + text_of(h.value("server", json("?"))) + ": ";
        int64_t last = h.value("last_report_ms", int64_t{0});
        std::string detail = h.value("detail", "");
        if (status == "failed")
            line += detail.empty() ? "failed" : detail;
        else if (last > 0 && now_ms - last > kSilentAfterMs)
            line += "did not answer (last report " + seconds(now_ms - last) + " ago" +
                    (detail.empty() ? "" : ", " + detail) + ")";
        else
            line += "pending" + (detail.empty() ? "" : ": " + detail);
        v.text += line + "\n";
    }
    return v;
}

WaitVerdict wait_for_drain(const ApiClient& client, const std::string& address, int64_t timeout_ms, json& drained) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    for (;;) {
        auto answer = client.call("GET", "/v1/drains/" + ApiClient::segment(address));
        if (!answer) return {true, kExitUnreachable, "drain " + address + ": " + answer.error() + "\n"};
        if (answer->status != 200)
            return {true, kExitNotConverged,
                    "drain " + address + ": the controller answered HTTP " + std::to_string(answer->status) +
                        (answer->body.is_object() ? ": " + answer->body.value("error", std::string()) : "") + "\n"};
        if (answer->body.value("state", "") == "drained") {
            drained = answer->body;
            return {};
        }
        int64_t waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
        if (waited >= timeout_ms)
            return {true, kExitNotConverged,
                    "drain " + address + ": still in its grace period after " + seconds(waited) + "\n"};
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(100, timeout_ms - waited + 1)));
    }
}

WaitVerdict wait_for_change(const ApiClient& client, int64_t id, int64_t timeout_ms, json& last) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const std::string path = "/v1/changes/" + std::to_string(id);
    for (;;) {
        auto answer = client.call("GET", path);
        int64_t waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
        if (!answer) return {true, kExitUnreachable, "change " + std::to_string(id) + ": " + answer.error() + "\n"};
        if (answer->status != 200)
            return {true, kExitNotConverged,
                    "change " + std::to_string(id) + ": the controller answered HTTP " + std::to_string(answer->status) +
                        (answer->body.is_object() ? ": " + answer->body.value("error", std::string()) : "") + "\n"};
        last = answer->body;
        auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
        WaitVerdict v = judge_wait(answer->body, waited, waited >= timeout_ms, now_ms);
        if (v.done) return v;
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(100, timeout_ms - waited + 1)));
    }
}

}  // namespace patchbay
