// The sockets on which primaries NOTIFY the agent (RFC 1996): each message is answered with
// answer_notify() and, when it names one of our domains, that domain is refreshed now.
// UDP as RFC 1996 §3.1 describes, and TCP too (RFC 1035 §4.2.2 length-prefixed), because
// Knot DNS sends its NOTIFYs over TCP.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "address.h"
#include "fd.h"
#include "handles.h"
#include "result.h"

namespace patchbay {

class NotifyListener {
public:
    using Refresh = std::function<void(const std::string& domain)>;

    // Errors name the endpoint and the system error (e.g. address in use).
    static Result<std::unique_ptr<NotifyListener>> create(sd_event* event, const Endpoint& at,
                                                          std::vector<std::string> domains,
                                                          Refresh refresh);
    ~NotifyListener();
    NotifyListener(const NotifyListener&) = delete;
    NotifyListener& operator=(const NotifyListener&) = delete;

private:
    NotifyListener(std::vector<std::string> domains, Refresh refresh)
        : domains_(std::move(domains)), refresh_(std::move(refresh)) {}
    // One TCP client. Members are destroyed in reverse order: the sources before the fd.
    struct Connection {
        std::string peer;
        std::vector<uint8_t> in;
        UniqueFd fd;
        EventSourcePtr io;
        EventSourcePtr idle;
    };
    static int on_readable(sd_event_source* source, int fd, uint32_t revents, void* data);
    static int on_accept(sd_event_source* source, int fd, uint32_t revents, void* data);
    static int on_stream(sd_event_source* source, int fd, uint32_t revents, void* data);
    static int on_stream_timeout(sd_event_source* source, uint64_t usec, void* data);
    // Answers one message; empty = nothing to send.
    std::vector<uint8_t> handle(const uint8_t* wire, size_t size, const std::string& peer);
    // Answers every complete message buffered on `c`; false when `c` must be closed.
    bool serve(Connection& c);

    sd_event* event_ = nullptr;
    std::vector<std::string> domains_;
    Refresh refresh_;
    UniqueFd socket_;
    EventSourcePtr io_;
    UniqueFd tcp_socket_;
    EventSourcePtr tcp_io_;
    std::map<int, std::unique_ptr<Connection>> connections_;  // by fd
};

}  // namespace patchbay
