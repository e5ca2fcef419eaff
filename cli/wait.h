// `--wait [--timeout D]`: after a mutation, follow its change (GET /v1/changes/ID) until
// every host serving its zone has applied it or failed, or the time is up. The verdict on
// one answer of the controller is a pure function; main.cpp polls.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace patchbay {

// A pending host whose last report is older than this "did not answer".
constexpr int64_t kSilentAfterMs = 10'000;
constexpr int64_t kDefaultWaitMs = 60'000;

// Which changes a mutation's answer asks to wait for: its "change" id, or the ids of its
// "changes" (undrain, a finished drain); none when nothing changed or no host is reached.
std::vector<int64_t> changes_to_wait_for(const nlohmann::json& answer);

struct WaitVerdict {
    bool done = false;      // stop polling
    int exit_code = 0;      // when done
    std::string text;       // when done: what to print (a line per failed or late host)
};

// Judges one GET /v1/changes/ID answer `change` after `waited_ms`; `timed_out` once the
// deadline has passed (pending hosts then did not converge). `now_ms`: the controller's
// clock as far as we know it, to say how long ago a silent host last reported.
WaitVerdict judge_wait(const nlohmann::json& change, int64_t waited_ms, bool timed_out, int64_t now_ms);

class ApiClient;
// Polls GET /v1/changes/ID every 100 ms until judge_wait says done or `timeout_ms` has
// passed. The final change JSON goes to `last` (for --output json). Errors: the
// controller could not be asked (the verdict's exit code is then kExitUnreachable).
WaitVerdict wait_for_change(const ApiClient& client, int64_t id, int64_t timeout_ms, nlohmann::json& last);
// `patchbay drain --wait`: polls GET /v1/drains/ADDRESS until its grace has run out and
// its tuples are removed; the drain as it then is goes to `drained`. Not done: went on
// polling. The verdict is done (with an error) only when the wait failed.
WaitVerdict wait_for_drain(const ApiClient& client, const std::string& address, int64_t timeout_ms,
                           nlohmann::json& drained);

}  // namespace patchbay
