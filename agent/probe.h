// Protocol probes of one running instance (docs/agent-health.md), each a one-shot run on
// the agent's sd-event loop that never blocks it:
//   tcp      a non-blocking connect, healthy when it completes;
//   http(s)  GET PATH through the shared CurlLoop, healthy on expect_status (the
//            certificate is not verified: the probe asks "does it answer", not "who");
//   sip      OPTIONS (RFC 3261 §11) over the tuple's transport (udp or tcp), healthy on
//            a 2xx answer; any other answer fails with its status line;
//   command  the configured program with PATCHBAY_ADDRESS/PORT/TRANSPORT/DOMAIN in its
//            environment, healthy on exit 0, killed (SIGKILL) on timeout.
// A Prober runs one kind every interval_ms for one instance and keeps the last
// ProbeResult, counting its streak.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config.h"
#include "curl_loop.h"
#include "handles.h"
#include "report.h"
#include "tuple.h"

namespace patchbay {

struct ProbeTarget {
    std::string domain;
    TupleKey key;
};

// The streak of a new result after `previous` (none: the first run). Pure.
uint32_t next_streak(const std::optional<ProbeResult>& previous, bool ok);
// The result an instance has once systemd says its unit fell (`state`: failed, inactive,
// deactivating, or activating again after Restart=): a failure, whatever the probe said
// before. A unit restarted before the next probe run must earn up_after fresh successes;
// a streak of successes from before the fall would otherwise bring it back at once,
// untested. Pure.
ProbeResult fallen_result(const std::optional<ProbeResult>& previous, const std::string& kind,
                          const std::string& state);

// One SIP OPTIONS request to `target` from `local` (RFC 3261 §8.1.1: Via with a
// "z9hG4bK" branch, Max-Forwards, From with a tag, To, Call-ID, CSeq, Content-Length).
// `token` makes branch, tag and Call-ID unique per run. Pure.
std::string sip_options_request(const ProbeTarget& target, const Endpoint& local, const std::string& token);
// The status code of a SIP answer's status line ("SIP/2.0 200 OK"). Errors: not a
// SIP status line (the error quotes it).
Result<int> sip_status(std::string_view answer);
// The first line of `text`, at most 200 bytes (for error messages).
std::string first_line(std::string_view text);
// `text` cut to `max` bytes with every byte outside printable ASCII made '?': error texts
// quote what remote peers sent, and a report must stay valid JSON (UTF-8). Pure.
std::string printable(std::string_view text, size_t max = 1000);

// One probe run in progress; dropping it cancels the run (a command is killed).
class ProbeRun {
public:
    // ok, and why not.
    using Done = std::function<void(bool ok, std::string error)>;
    virtual ~ProbeRun() = default;
};

// Starts one run of `config.kind` against `target`; `done` is called once, from the
// loop (never from inside this call). Errors are runs that fail at once, through `done`.
std::unique_ptr<ProbeRun> start_probe(sd_event* event, CurlLoop& curl, const ProbeConfig& config,
                                      const ProbeTarget& target, ProbeRun::Done done);

class Prober {
public:
    using OnResult = std::function<void(const ProbeResult&)>;

    // The first run starts at once, then one every interval_ms (from start to start; a
    // run never overlaps the next). Errors: the loop refused a timer.
    static Result<std::unique_ptr<Prober>> create(sd_event* event, CurlLoop& curl, ProbeConfig config,
                                                  ProbeTarget target, OnResult on_result);
    Prober(const Prober&) = delete;
    Prober& operator=(const Prober&) = delete;
    ~Prober();

    const std::optional<ProbeResult>& last() const { return last_; }
    // systemd says the unit fell: the run in flight (if any) is dropped, the last result
    // becomes fallen_result(), and the next run keeps its time.
    void unit_fell(const std::string& state);
    const ProbeTarget& target() const { return target_; }

private:
    Prober(sd_event* event, CurlLoop& curl, ProbeConfig config, ProbeTarget target, OnResult on_result);
    void run();
    void finish(bool ok, std::string error);
    static int on_timer(sd_event_source* s, uint64_t usec, void* self);

    sd_event* event_;
    CurlLoop& curl_;
    ProbeConfig config_;
    ProbeTarget target_;
    OnResult on_result_;
    std::optional<ProbeResult> last_;
    uint64_t started_usec_ = 0;
    EventSourcePtr timer_;
    std::unique_ptr<ProbeRun> run_;
    std::unique_ptr<ProbeRun> finished_;  // kept until the next run: never freed inside its own callback
};

}  // namespace patchbay
