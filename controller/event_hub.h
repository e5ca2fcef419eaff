// event_hub: live updates for GET /v1/events (docs/plan/issue-6.md) — what happened
// (a state change, a block closed, a change applied) published once, sent as server-sent
// events to every subscriber allowed to see it, with a keep-alive comment every so often
// so proxies and clients keep an idle stream open and a gone client is noticed.
//
// A subscriber is an HttpStream the hub holds weakly: when the connection ends, the server
// frees the stream and the hub forgets it at its next publish or keep-alive.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "http_stream.h"
#include "principal.h"

namespace patchbay {

struct Event {
    std::string name;     // "state", "block", "change"; no CR or LF
    nlohmann::json data;  // sent on one line
    // The accounts it concerns; empty = the platform's only (admins see it).
    std::vector<std::string> accounts;
};

// "event: NAME\ndata: JSON\n\n", the JSON compact, so on one line (a newline in a string
// is escaped); bad UTF-8 becomes U+FFFD, never a throw.
std::string sse_frame(std::string_view name, const nlohmann::json& data);
// ": TEXT\n\n", a comment clients ignore (TEXT without CR or LF).
std::string sse_comment(std::string_view text);
// Whether `p` may see `event`: admins all, account roles those naming their account.
bool may_see(const Principal& p, const Event& event);

struct EventHubOptions {
    std::chrono::milliseconds keep_alive{15000};
    // Unsent bytes a subscriber may fall behind by before it is dropped (a slow reader).
    size_t max_buffered = HttpStream::kDefaultMaxBuffered;
    // Default: stderr. Runs with the hub's lock held, so it must not call the hub.
    std::function<void(std::string_view)> log;
};

class EventHub {
public:
    // Starts the keep-alive thread.
    explicit EventHub(EventHubOptions options = {});
    // Stops the keep-alive thread and ends every subscriber's stream (each is sent what it
    // has queued, then ends).
    ~EventHub();
    EventHub(const EventHub&) = delete;
    EventHub& operator=(const EventHub&) = delete;

    // A new subscriber for `who`: the stream to answer with (HttpResponse::stream). It
    // starts with a ": connected" comment: once a client has read it, whatever is
    // published reaches it (and a proxy that buffers until the first bytes lets go).
    std::shared_ptr<HttpStream> subscribe(Principal who);
    // Sends `event` to every subscriber that may see it, in publish order. Thread-safe.
    // A subscriber too far behind is dropped, with a log line.
    void publish(const Event& event);
    // The subscribers still connected (gone ones are pruned first).
    size_t subscribers();

private:
    struct Subscriber {
        Principal who;
        std::weak_ptr<HttpStream> stream;
    };
    // Pushes `frame` to those `wanted` says yes to; prunes the gone. With mutex_ held.
    void send(const std::string& frame, const std::function<bool(const Principal&)>& wanted);
    void keep_alive_loop();
    void log(std::string_view line) const;

    const EventHubOptions options_;
    std::mutex mutex_;
    std::vector<Subscriber> subscribers_;
    bool stopping_ = false;
    std::condition_variable wake_;
    std::thread timer_;  // last: started once the rest is built
};

}  // namespace patchbay
