// http_stream: the body of a streaming HTTP answer (server-sent events), written by a
// producer thread while the server's event thread reads it. A handler creates one and
// sets HttpResponse::stream; the server then sends what is pushed, as it comes, until the
// producer ends it, the client goes away or the server stops.
//
// Nothing here knows libmicrohttpd: the server attaches two hooks, `park` (the reader
// found nothing: suspend the connection) and `unpark` (data came: resume it), so a
// stream with nothing to say costs no thread and no polling. Both hooks run with the
// stream's lock held, which orders every resume after its suspend (resuming a connection
// that is not suspended is undefined in libmicrohttpd).
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace patchbay {

class HttpStream {
public:
    // What may wait unread: a reader this far behind is dropped, never buffered further.
    static constexpr size_t kDefaultMaxBuffered = size_t{1} << 20;

    explicit HttpStream(size_t max_buffered = kDefaultMaxBuffered) : max_buffered_(max_buffered) {}
    HttpStream(const HttpStream&) = delete;
    HttpStream& operator=(const HttpStream&) = delete;

    enum class Push {
        queued,    // will be sent
        closed,    // the stream is over (ended, overflowed, or its connection gone): dropped
        overflow,  // this push would pass max_buffered: the stream is now over, its
                   // connection closed without sending what waited
    };
    // Queues `data` to send. Thread-safe; never blocks on the network.
    Push push(std::string_view data);
    // Ends the stream: what is queued is still sent, then the answer ends. Thread-safe;
    // pushes after it answer closed.
    void end();
    // Whether pushes are still taken.
    bool open() const;
    size_t buffered() const;

    // The server's side (http_server.cpp), not for handlers.
    enum class Read { data, parked, end, error };
    struct ReadResult {
        Read what;
        size_t bytes = 0;  // with data: how many were copied
    };
    // Binds the stream to the connection that sends it. `park` and `unpark` run with the
    // stream's lock held; `unpark` runs only after a `park`, once.
    void attach(std::function<void()> park, std::function<void()> unpark);
    // Copies up to `max` queued bytes into `out`. With nothing queued: end when ended,
    // error when overflowed, else `park` runs and parked is answered (the server then
    // returns 0 to libmicrohttpd, which waits, suspended, for `unpark`).
    ReadResult read(char* out, size_t max);
    // The connection is gone (closed by the client, or answered and freed): the hooks are
    // dropped, never called again, and pushes answer closed.
    void detach();

private:
    void wake();  // with mutex_ held

    const size_t max_buffered_;
    mutable std::mutex mutex_;
    std::string queued_;
    size_t sent_ = 0;  // of queued_, already read: compacted lazily, not per read
    bool ended_ = false;
    bool overflowed_ = false;
    bool detached_ = false;
    bool parked_ = false;
    std::function<void()> park_;
    std::function<void()> unpark_;
};

}  // namespace patchbay
