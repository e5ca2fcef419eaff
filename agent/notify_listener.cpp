#include "notify_listener.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "bound_socket.h"
#include "log.h"
#include "notify.h"
#include "socket_address.h"

namespace patchbay {

namespace {

constexpr int kMaxDatagramsPerWakeup = 64;       // bounded: a flood cannot starve the loop
constexpr size_t kMaxConnections = 16;           // a primary needs one; more is abuse
constexpr uint64_t kConnectionIdleUsec = 10'000'000;
constexpr size_t kMaxBuffered = 2 + 65535;

std::string peer_text(const sockaddr_storage& peer) {
    auto e = to_endpoint(peer);
    return e ? e->str() : "?";
}

}  // namespace

Result<std::unique_ptr<NotifyListener>> NotifyListener::create(sd_event* event, const Endpoint& at,
                                                               std::vector<std::string> domains,
                                                               Refresh refresh) {
    std::unique_ptr<NotifyListener> l(new NotifyListener(std::move(domains), std::move(refresh)));
    l->event_ = event;
    // Backlog 16: a primary needs one connection at a time (see kMaxConnections).
    const SocketOptions options{.backlog = 16};
    auto udp = open_bound_socket(at, SocketType::udp, options);
    if (!udp) return fail("notify_listen: " + udp.error());
    l->socket_ = std::move(*udp);
    auto tcp = open_bound_socket(at, SocketType::tcp, options);
    if (!tcp) return fail("notify_listen: " + tcp.error());
    l->tcp_socket_ = std::move(*tcp);
    sd_event_source* s = nullptr;
    if (int e = sd_event_add_io(event, &s, l->socket_.get(), EPOLLIN, &NotifyListener::on_readable, l.get()); e < 0)
        return fail("notify_listen " + at.str() + ": " + std::strerror(-e));
    l->io_.reset(s);
    if (int e = sd_event_add_io(event, &s, l->tcp_socket_.get(), EPOLLIN, &NotifyListener::on_accept, l.get());
        e < 0)
        return fail("notify_listen " + at.str() + ": " + std::strerror(-e));
    l->tcp_io_.reset(s);
    return l;
}

NotifyListener::~NotifyListener() = default;

std::vector<uint8_t> NotifyListener::handle(const uint8_t* wire, size_t size, const std::string& peer) {
    NotifyOutcome out = answer_notify(wire, size, domains_);
    LogFields fields;
    if (out.refresh) fields.push_back({LogKey::zone, *out.refresh});
    log_info("notify from " + peer + ": " + out.note, fields);
    if (out.refresh) refresh_(*out.refresh);
    return std::move(out.reply);
}

int NotifyListener::on_readable(sd_event_source*, int fd, uint32_t, void* data) {
    auto* self = static_cast<NotifyListener*>(data);
    uint8_t buf[65535];
    for (int n = 0; n < kMaxDatagramsPerWakeup; ++n) {
        SocketAddress peer;
        ssize_t len = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, peer.get(), &peer.len);
        if (len < 0) {
            if (errno == EINTR) continue;
            break;  // EAGAIN: drained
        }
        try {
            auto reply = self->handle(buf, static_cast<size_t>(len), peer_text(peer.storage));
            if (!reply.empty()) sendto(fd, reply.data(), reply.size(), MSG_DONTWAIT, peer.get(), peer.len);
        } catch (const std::exception& e) {
            log_error(std::string("internal error on a NOTIFY: ") + e.what());
        }
    }
    return 0;
}

int NotifyListener::on_accept(sd_event_source*, int fd, uint32_t, void* data) {
    auto* self = static_cast<NotifyListener*>(data);
    try {
        for (int n = 0; n < kMaxDatagramsPerWakeup; ++n) {
            SocketAddress peer;
            UniqueFd client(accept4(fd, peer.get(), &peer.len, SOCK_CLOEXEC | SOCK_NONBLOCK));
            if (!client) break;
            if (self->connections_.size() >= kMaxConnections) continue;  // closed at once
            auto c = std::make_unique<Connection>();
            c->peer = peer_text(peer.storage) + " (tcp)";
            c->fd = std::move(client);
            sd_event_source* s = nullptr;
            if (sd_event_add_io(self->event_, &s, c->fd.get(), EPOLLIN, &NotifyListener::on_stream, self) < 0) continue;
            c->io.reset(s);
            if (sd_event_add_time_relative(self->event_, &s, CLOCK_MONOTONIC, kConnectionIdleUsec, 100'000,
                                           &NotifyListener::on_stream_timeout, self) < 0)
                continue;
            c->idle.reset(s);
            self->connections_.emplace(c->fd.get(), std::move(c));
        }
    } catch (const std::exception& e) {
        log_error(std::string("internal error accepting a NOTIFY connection: ") + e.what());
    }
    return 0;
}

bool NotifyListener::serve(Connection& c) {
    // RFC 1035 §4.2.2: each message is preceded by its two-byte length.
    while (c.in.size() >= 2) {
        size_t len = static_cast<size_t>(c.in[0]) << 8 | c.in[1];
        if (c.in.size() < 2 + len) break;
        auto reply = handle(c.in.data() + 2, len, c.peer);
        c.in.erase(c.in.begin(), c.in.begin() + static_cast<long>(2 + len));
        if (reply.empty()) return false;  // nothing to say: hang up
        std::vector<uint8_t> framed{static_cast<uint8_t>(reply.size() >> 8), static_cast<uint8_t>(reply.size())};
        framed.insert(framed.end(), reply.begin(), reply.end());
        // Replies are a header and a question: they fit the socket buffer in one send.
        if (send(c.fd.get(), framed.data(), framed.size(), MSG_DONTWAIT | MSG_NOSIGNAL) !=
            static_cast<ssize_t>(framed.size()))
            return false;
    }
    return true;
}

int NotifyListener::on_stream(sd_event_source*, int fd, uint32_t, void* data) {
    auto* self = static_cast<NotifyListener*>(data);
    auto found = self->connections_.find(fd);
    if (found == self->connections_.end()) return 0;
    Connection& c = *found->second;
    bool keep = true;
    try {
        uint8_t buf[4096];
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            keep = false;
        } else if (n > 0) {
            c.in.insert(c.in.end(), buf, buf + n);
            keep = c.in.size() <= kMaxBuffered && self->serve(c);
            sd_event_source_set_time_relative(c.idle.get(), kConnectionIdleUsec);
        }
    } catch (const std::exception& e) {
        log_error(std::string("internal error on a NOTIFY connection: ") + e.what());
        keep = false;
    }
    if (!keep) self->connections_.erase(found);  // sd-event defers freeing a dispatching source
    return 0;
}

int NotifyListener::on_stream_timeout(sd_event_source* source, uint64_t, void* data) {
    auto* self = static_cast<NotifyListener*>(data);
    for (auto it = self->connections_.begin(); it != self->connections_.end(); ++it) {
        if (it->second->idle.get() == source) {
            self->connections_.erase(it);
            break;
        }
    }
    return 0;
}

}  // namespace patchbay
