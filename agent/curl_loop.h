// libcurl's multi interface driven by the agent's sd-event loop: curl tells us which
// sockets to watch and when to wake it (CURLMOPT_SOCKETFUNCTION/TIMERFUNCTION), we turn
// those into sd-event io and time sources. No transfer ever blocks the loop. One CurlLoop
// is shared by the HTTP probes and the reporter; curl keeps finished connections in the
// multi handle's pool, so the next request to the same host reuses them (keep-alive).
#pragma once

#include <curl/curl.h>

#include <functional>
#include <map>
#include <memory>

#include "handles.h"
#include "result.h"

namespace patchbay {

struct CurlEasyDeleter {
    void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyDeleter>;

class CurlLoop {
public:
    // Called once per transfer, on the loop, with curl's result (CURLE_OK: an answer
    // came, whatever its status). It may start new transfers.
    using Done = std::function<void(CURLcode)>;

    // Errors: curl_multi_init or the timer source failed.
    static Result<std::unique_ptr<CurlLoop>> create(sd_event* event);
    CurlLoop(const CurlLoop&) = delete;
    CurlLoop& operator=(const CurlLoop&) = delete;
    ~CurlLoop();

    // Starts the transfer `easy` (configured by the caller, who keeps owning it and must
    // keep it alive until `done` runs or cancel()). Errors: curl refused the handle.
    Result<void> start(CURL* easy, Done done);
    // Stops a transfer without calling its `done`; nothing if it is not running.
    void cancel(CURL* easy);
    size_t running() const { return done_.size(); }

private:
    explicit CurlLoop(sd_event* event) : event_(event) {}
    static int on_socket(CURL* easy, curl_socket_t s, int what, void* self, void* socket_data);
    static int on_timer_request(CURLM* multi, long timeout_ms, void* self);
    static int on_io(sd_event_source* source, int fd, uint32_t revents, void* self);
    static int on_timer(sd_event_source* source, uint64_t usec, void* self);
    void act(curl_socket_t s, int flags);
    void finish_done();

    struct MultiDeleter {
        void operator()(CURLM* m) const noexcept { curl_multi_cleanup(m); }
    };

    sd_event* event_;
    std::map<curl_socket_t, EventSourcePtr> sockets_;
    EventSourcePtr timer_;
    std::map<CURL*, Done> done_;
    // Last: cleaned up first, while the sources above still exist for its callbacks.
    std::unique_ptr<CURLM, MultiDeleter> multi_;
};

}  // namespace patchbay
