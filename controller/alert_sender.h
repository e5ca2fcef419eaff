// Delivering alert messages (issue 4): webhook (JSON POST over libcurl), e-mail (SMTP
// over libcurl, an RFC 5322 message) and a command (posix_spawn, the JSON on stdin and
// PATCHBAY_ALERT_* in its environment). `deliver` tries one channel once, on the calling
// thread; AlertSender runs deliveries on a worker thread of its own behind a bounded
// queue, with retries and backoff, so the watchdog never waits for a mail server.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alert.h"
#include "result.h"

namespace patchbay {

struct SenderOptions {
    std::chrono::milliseconds timeout{10000};        // one attempt (webhook, SMTP) or one command run
    int attempts = 3;                                // per channel and message, the first included
    std::chrono::milliseconds first_backoff{1000};   // before the second attempt; doubles after
    size_t queue_limit = 1000;                       // deliveries (message × channel) waiting; more are dropped
};

// --- pure helpers --------------------------------------------------------------------

// The whole RFC 5322 message for `message`, CRLF line ends: Date (from `now_ms`, UTC),
// From, To, Subject (RFC 2047 encoded when not ASCII), Message-ID, MIME headers, then a
// text body with the summary, the reason and the alert JSON.
std::string email_text(const EmailChannel& email, const AlertMessage& message, int64_t now_ms,
                       const std::string& message_id);
// "<NOW.RANDOM@DOMAIN-OF-FROM>"
std::string new_message_id(const EmailChannel& email, int64_t now_ms);
// "PATCHBAY_ALERT_KIND=alert", … for the command channel: KIND, POLICY, SERVER, STATE,
// SINCE, SINCE_MS, REASON, SUMMARY, and for an instance DOMAIN, SERVICE, TRANSPORT,
// ADDRESS, PORT.
std::vector<std::string> command_environment(const AlertMessage& message);

// --- one attempt, on the calling thread ----------------------------------------------

// Errors: "HTTP 500", "Couldn't connect to server", "timed out after 10000 ms", …
Result<void> post_webhook(const std::string& url, const std::string& body, std::chrono::milliseconds timeout);
// Errors: curl's reason (e.g. "Login denied"), "cannot read PASSWORD_FILE: …".
Result<void> send_email(const EmailChannel& email, const AlertMessage& message, std::chrono::milliseconds timeout);
// Runs argv[0] (absolute path) with the alert JSON on stdin and stdout to /dev/null.
// Errors: "cannot start …", "exit status N", "killed by signal N", "timed out after N ms".
Result<void> run_command(const std::vector<std::string>& argv, const AlertMessage& message,
                         std::chrono::milliseconds timeout);

// Sends `message` through the channel of `policy` named `channel` ("webhook", "email",
// "command"), once. Errors: as above, or "no channel 'X' in policy 'P'".
Result<void> deliver(const AlertPolicy& policy, const std::string& channel, const AlertMessage& message,
                     std::chrono::milliseconds timeout);

// --- the worker ----------------------------------------------------------------------

struct ChannelCounts {
    uint64_t sent = 0;
    uint64_t failed = 0;  // after the last attempt
};

class AlertSender {
public:
    explicit AlertSender(SenderOptions options = {});
    // Stops the worker after the delivery in progress; what is still queued is dropped.
    ~AlertSender();
    AlertSender(const AlertSender&) = delete;
    AlertSender& operator=(const AlertSender&) = delete;

    // Queues `message` for every channel of `policy`; never blocks. False (and one line on
    // stderr) when the queue is full.
    bool enqueue(const AlertPolicy& policy, const AlertMessage& message);

    // Counts a delivery done elsewhere (the synchronous `alert test`).
    void count(const std::string& channel, bool ok);

    std::map<std::string, ChannelCounts> counts() const;  // by channel name
    uint64_t dropped() const;
    // Waits until nothing is queued or in progress (tests, shutdown). False on timeout.
    bool wait_idle(std::chrono::milliseconds limit) const;

private:
    struct Job {
        AlertPolicy policy;
        std::string channel;
        AlertMessage message;
    };
    void run();
    void send_with_retries(const Job& job);

    const SenderOptions options_;
    mutable std::mutex mutex_;  // guards what follows
    mutable std::condition_variable changed_;
    std::deque<Job> queue_;
    bool busy_ = false;
    bool stopping_ = false;
    std::map<std::string, ChannelCounts> counts_;
    uint64_t dropped_ = 0;
    std::thread worker_;  // last: starts after everything it reads
};

}  // namespace patchbay
