// dns_server: the worker threads and their poll(2) loops around answer(). Each worker
// owns its fds (its UDP sockets; worker 0 also the TCP listeners and connections); the
// only state shared between threads is the atomic zone snapshot and the stop flag,
// announced through an eventfd. TCP follows RFC 7766: 2-byte length framing, several
// queries per connection (answered in order), idle connections closed. A zone transfer
// is streamed: its messages are made as the connection's output drains, so a large zone
// never sits whole in memory and other connections are served in between. Every socket
// carries the view its listener serves; a worker keeps both views' snapshots and counts
// its responses by view and rcode in counters only it writes.
#include "dns_server.h"

#include "policy_view.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "answer.h"
#include "dns_dispatch.h"
#include "dns_listeners.h"
#include "fd.h"
#include "log.h"
#include "socket_address.h"

namespace patchbay {

namespace {

using Clock = std::chrono::steady_clock;

// The control data of a reply: the packet info of the query turned around, so the reply
// leaves from the address the query was sent to. Returns its length (0: none).
size_t reply_control(const char* query_control, size_t query_len, char* out) {
    msghdr in{};
    in.msg_control = const_cast<char*>(query_control);
    in.msg_controllen = query_len;
    for (cmsghdr* c = CMSG_FIRSTHDR(&in); c != nullptr; c = CMSG_NXTHDR(&in, c)) {
        auto* reply = reinterpret_cast<cmsghdr*>(out);
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            in_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            info.ipi_spec_dst = info.ipi_addr;
            info.ipi_ifindex = 0;  // let routing pick the interface
            *reply = {CMSG_LEN(sizeof info), IPPROTO_IP, IP_PKTINFO};
            std::memcpy(CMSG_DATA(reply), &info, sizeof info);
            return CMSG_SPACE(sizeof info);
        }
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            *reply = {CMSG_LEN(sizeof(in6_pktinfo)), IPPROTO_IPV6, IPV6_PKTINFO};
            std::memcpy(CMSG_DATA(reply), CMSG_DATA(c), sizeof(in6_pktinfo));
            return CMSG_SPACE(sizeof(in6_pktinfo));
        }
    }
    return 0;
}

// Datagrams in and out in batches (recvmmsg/sendmmsg): under load one system call moves
// many queries, as Knot's UDP workers do. Owned by one worker.
class UdpBatch {
public:
    static constexpr unsigned size = 16;

    UdpBatch() {
        for (auto& q : queries_) q.resize(65535);
    }

    // Receives up to `size` datagrams waiting on `fd`; how many (0: none, or an error).
    unsigned receive(int fd) {
        for (unsigned i = 0; i < size; ++i) {
            in_iov_[i] = {queries_[i].data(), queries_[i].size()};
            msghdr& m = in_[i].msg_hdr;
            m = {};
            m.msg_name = &peers_[i].storage;
            m.msg_namelen = sizeof peers_[i].storage;
            m.msg_iov = &in_iov_[i];
            m.msg_iovlen = 1;
            m.msg_control = in_control_[i].data();
            m.msg_controllen = in_control_[i].size();
        }
        int n = ::recvmmsg(fd, in_.data(), size, 0, nullptr);
        return n > 0 ? static_cast<unsigned>(n) : 0;
    }

    // Query i of the last receive; empty when it was cut short (answer() drops it).
    const uint8_t* query(unsigned i) const { return queries_[i].data(); }
    size_t query_size(unsigned i) const {
        return (in_[i].msg_hdr.msg_flags & MSG_TRUNC) ? 0 : in_[i].msg_len;
    }
    const sockaddr_storage& peer(unsigned i) const { return peers_[i].storage; }
    // Where query i's response goes to be written.
    std::vector<uint8_t>& response(unsigned i) { return responses_[i]; }

    // Queues the response to query i (written into response(i)).
    void reply(unsigned i) {
        out_iov_[pending_] = {responses_[i].data(), responses_[i].size()};
        msghdr& m = out_[pending_].msg_hdr;
        m = {};
        m.msg_name = &peers_[i].storage;
        m.msg_namelen = in_[i].msg_hdr.msg_namelen;
        m.msg_iov = &out_iov_[pending_];
        m.msg_iovlen = 1;
        size_t len = reply_control(in_control_[i].data(), in_[i].msg_hdr.msg_controllen, out_control_[pending_].data());
        m.msg_control = len ? out_control_[pending_].data() : nullptr;
        m.msg_controllen = len;
        ++pending_;
    }

    // Sends the queued responses. UDP is best effort: what the socket buffer refuses is
    // dropped, as one sendmsg would drop it.
    void send(int fd) {
        unsigned sent = 0;
        while (sent < pending_) {
            int n = ::sendmmsg(fd, out_.data() + sent, pending_ - sent, 0);
            if (n <= 0) break;
            sent += static_cast<unsigned>(n);
        }
        pending_ = 0;
    }

private:
    using Control = std::array<char, CMSG_SPACE(sizeof(in6_pktinfo))>;
    std::array<std::vector<uint8_t>, size> queries_;
    std::array<std::vector<uint8_t>, size> responses_;
    std::array<SocketAddress, size> peers_;
    std::array<iovec, size> in_iov_{}, out_iov_{};
    std::array<mmsghdr, size> in_{}, out_{};
    alignas(cmsghdr) std::array<Control, size> in_control_{};
    alignas(cmsghdr) std::array<Control, size> out_control_{};
    unsigned pending_ = 0;
};

constexpr size_t max_connections = 256;
constexpr auto idle_timeout = std::chrono::seconds(10);  // RFC 7766 §6.2.3: "seconds"
constexpr unsigned datagrams_per_wakeup = 128;           // fairness between sockets
constexpr size_t max_pending_output = 256 * 1024;        // stop reading a slow reader
constexpr size_t stream_high_water = 128 * 1024;         // transfer messages made ahead

// Responses sent by one worker, by view and header rcode. Written by that worker only
// (a relaxed load and store, no locked add); read by counts(). On cache lines of their
// own, so workers never write the same line.
struct alignas(64) ResponseCounts {
    static constexpr size_t rcodes = 16;
    std::array<std::atomic<uint64_t>, dns_view_count * rcodes> n{};

    void count(DnsView view, const std::vector<uint8_t>& response) {
        if (response.size() < KNOT_WIRE_HEADER_SIZE) return;
        auto& c = n[static_cast<size_t>(view) * rcodes + knot_wire_get_rcode(response.data())];
        c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
};

struct Connection {
    UniqueFd fd;
    DnsView view = DnsView::assignment;  // of its listener and peer
    Endpoint peer;  // for the transfer ACL
    std::unique_ptr<TransferStream> stream;  // a transfer being sent: later queries wait
    std::vector<uint8_t> in;
    std::vector<uint8_t> out;
    size_t sent = 0;
    Clock::time_point last_activity;
    bool peer_done = false;  // EOF read: close once the output is flushed
    bool closed = false;
};

}  // namespace

struct DnsServer::Shared {
    std::shared_ptr<const ZoneSet> empty = build_zone_set({}, {}, {});
    std::array<std::atomic<std::shared_ptr<const ZoneSet>>, dns_view_count> views;  // by DnsView
    std::atomic<uint64_t> version{0};  // moved by every publish, after `views`
    std::atomic<std::shared_ptr<const Journal>> journal;
    std::atomic<std::shared_ptr<const PolicyView>> mappings;  // the client view's; moves `version` too
    DnsPolicy policy;  // fixed before the workers start
    std::vector<Prefix> assignment_networks;  // likewise

    // The view a query gets: its listener's, unless it came to a client listener from
    // one of the assignment networks.
    DnsView view_for(DnsView listener, const Endpoint& source) const {
        if (listener == DnsView::assignment || assignment_networks.empty()) return listener;
        for (const auto& p : assignment_networks)
            if (p.contains(source.address)) return DnsView::assignment;
        return listener;
    }
    std::atomic<bool> stopping{false};
    // Written once, on stop, and never read: it stays readable, so it wakes every
    // worker's poll, now and at every later call.
    UniqueFd wake;
};

class DnsServer::Loop {
public:
    // A socket and the view its listener serves.
    struct Socket {
        UniqueFd fd;
        DnsView view = DnsView::assignment;
    };

    Loop(const Shared& shared, std::vector<Socket> udp, std::vector<Socket> tcp)
        : shared_(shared), udp_(std::move(udp)), tcp_(std::move(tcp)),
          journal_([this] { return shared_.journal.load(); }) {}

    const ResponseCounts& counts() const { return counts_; }

    void start() { thread_ = std::thread([this] { run(); }); }

    void join() {
        if (thread_.joinable()) thread_.join();
    }

private:
    void run() {
        while (!shared_.stopping.load()) {
            try {
                iterate();
            } catch (const std::exception& e) {
                log_error(std::string("dns: ") + e.what());
            }
        }
    }

    // One poll and everything it reported. Connections only ever get appended while
    // iterating, so the indices recorded for poll stay valid until the sweep at the end.
    void iterate() {
        fds_.clear();
        fds_.push_back({shared_.wake.get(), POLLIN, 0});
        for (const auto& s : udp_) fds_.push_back({s.fd.get(), POLLIN, 0});
        for (const auto& s : tcp_) fds_.push_back({s.fd.get(), POLLIN, 0});
        size_t first_connection = fds_.size();
        for (const auto& c : connections_) {
            short events = 0;
            // A transfer with nothing queued asks for POLLOUT too: its next messages are
            // made when the socket can take them, one batch per wakeup (fair to the rest).
            if (c.sent < c.out.size() || c.stream) events |= POLLOUT;
            if (!c.peer_done && !c.stream && c.out.size() - c.sent < max_pending_output) events |= POLLIN;
            fds_.push_back({c.fd.get(), events, 0});
        }

        int n = ::poll(fds_.data(), fds_.size(), poll_timeout_ms());
        if (n < 0) {
            if (errno == EINTR) return;
            throw std::system_error(errno, std::generic_category(), "poll");
        }
        if (shared_.stopping.load()) return;

        for (size_t i = 0; i < connections_.size(); ++i) {
            serve_connection(connections_[i], fds_[first_connection + i].revents);
        }
        for (size_t i = 0; i < udp_.size(); ++i) {
            if (fds_[1 + i].revents & POLLIN) serve_udp(udp_[i]);
        }
        for (size_t i = 0; i < tcp_.size(); ++i) {
            if (fds_[1 + udp_.size() + i].revents & POLLIN) accept_connections(tcp_[i]);
        }
        expire_idle();
        std::erase_if(connections_, [](const Connection& c) { return c.closed; });
    }

    int poll_timeout_ms() const {
        if (connections_.empty()) return -1;
        auto earliest = connections_.front().last_activity;
        for (const auto& c : connections_) earliest = std::min(earliest, c.last_activity);
        auto left = earliest + idle_timeout - Clock::now();
        auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
        return static_cast<int>(std::clamp<decltype(ms)>(ms, 0, 10000));
    }

    void serve_udp(const Socket& socket) {
        int fd = socket.fd.get();
        for (unsigned round = 0; round < datagrams_per_wakeup / UdpBatch::size; ++round) {
            unsigned n = udp_batch_.receive(fd);
            if (n == 0) return;  // nothing more, or an error not worth stopping for
            for (unsigned i = 0; i < n; ++i) {
                DnsRequest request{udp_batch_.query(i), udp_batch_.query_size(i), Transport::udp, {}};
                if (auto peer = to_endpoint(udp_batch_.peer(i))) request.source = *peer;
                DnsView view = shared_.view_for(socket.view, request.source);
                // Per query, so a query that arrives after publish() returned sees the new zones.
                const ZoneSet& zones = current_zones(view);
                std::unique_ptr<TransferStream> more;  // never set over UDP
                if (respond(shared_.policy, zones, journal_, request, view, udp_batch_.response(i), more,
                            mappings_.get())) {
                    counts_.count(view, udp_batch_.response(i));
                    udp_batch_.reply(i);
                }
            }
            udp_batch_.send(fd);
            // Not back to poll() after a short batch: under load more queries have come
            // in meanwhile, and a read that finds none costs less than sleeping and waking.
        }
    }

    // The zones of `view` to answer from: both views reloaded only when publish() has
    // moved the version, so workers do not all write the shared snapshots' reference
    // counts on every query.
    const ZoneSet& current_zones(DnsView view) {
        uint64_t version = shared_.version.load(std::memory_order_acquire);
        if (version != zones_version_ || !zones_[0]) {
            for (size_t v = 0; v < dns_view_count; ++v) zones_[v] = shared_.views[v].load();
            mappings_ = shared_.mappings.load();
            zones_version_ = version;
        }
        return *zones_[static_cast<size_t>(view)];
    }

    void accept_connections(const Socket& listener) {
        for (int i = 0; i < 16; ++i) {
            SocketAddress peer;
            UniqueFd fd(::accept4(listener.fd.get(), peer.get(), &peer.len, SOCK_NONBLOCK | SOCK_CLOEXEC));
            if (!fd) return;
            // Full: close at once, so the client tries elsewhere instead of waiting.
            if (connections_.size() >= max_connections) continue;
            Connection c;
            c.fd = std::move(fd);
            if (auto ep = to_endpoint(peer.storage)) c.peer = *ep;
            c.view = shared_.view_for(listener.view, c.peer);
            c.last_activity = Clock::now();
            connections_.push_back(std::move(c));
        }
    }

    void serve_connection(Connection& c, short revents) {
        if (revents & (POLLERR | POLLNVAL)) {
            c.closed = true;
            return;
        }
        if (revents & (POLLIN | POLLHUP)) read_queries(c);
        if (!c.closed) flush(c);
        if (!c.closed && c.stream) {
            pump(c);
            flush(c);
        }
        if (c.peer_done && c.sent == c.out.size()) c.closed = true;
    }

    void read_queries(Connection& c) {
        ssize_t n = ::recv(c.fd.get(), query_.data(), query_.size(), 0);
        if (n == 0) {
            c.peer_done = true;
        } else if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) c.closed = true;
            return;
        }
        c.last_activity = Clock::now();
        c.in.insert(c.in.end(), query_.begin(), query_.begin() + n);
        answer_queued(c);
    }

    // Answers the complete queries in c.in, in order, until one starts a transfer: the
    // rest wait until it is sent (RFC 7766 §6.2.1.1 allows answering in order).
    void answer_queued(Connection& c) {
        size_t used = 0;
        while (!c.stream && c.in.size() - used >= 2) {
            size_t len = (size_t{c.in[used]} << 8) | c.in[used + 1];
            if (c.in.size() - used - 2 < len) break;
            DnsRequest request{c.in.data() + used + 2, len, Transport::tcp, c.peer};
            // A query we cannot even answer with FORMERR ends the connection (RFC 7766 §6.2.3).
            const ZoneSet& zones = current_zones(c.view);
            if (!respond(shared_.policy, zones, journal_, request, c.view, response_, c.stream, mappings_.get())) {
                c.closed = true;
                return;
            }
            counts_.count(c.view, response_);  // a transfer counts once, by its first message
            append_message(c);
            used += 2 + len;
        }
        c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(used));
    }

    void append_message(Connection& c) {
        c.out.push_back(static_cast<uint8_t>(response_.size() >> 8));
        c.out.push_back(static_cast<uint8_t>(response_.size() & 0xff));
        c.out.insert(c.out.end(), response_.begin(), response_.end());
    }

    // Makes the next messages of the transfer being sent, as far as the high-water mark;
    // at its end, answers the queries that waited behind it.
    void pump(Connection& c) {
        if (c.sent > 0) {  // drop what was sent, so a slow reader does not grow the buffer
            c.out.erase(c.out.begin(), c.out.begin() + static_cast<std::ptrdiff_t>(c.sent));
            c.sent = 0;
        }
        while (c.stream && c.out.size() < stream_high_water) {
            if (c.stream->next(response_)) append_message(c);
            if (c.stream->done()) {
                c.stream.reset();
                answer_queued(c);
            }
        }
    }

    void flush(Connection& c) {
        while (c.sent < c.out.size()) {
            ssize_t n = ::send(c.fd.get(), c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) c.closed = true;
                return;
            }
            c.sent += static_cast<size_t>(n);
            c.last_activity = Clock::now();
        }
        c.out.clear();
        c.sent = 0;
    }

    void expire_idle() {
        auto now = Clock::now();
        for (auto& c : connections_) {
            if (now - c.last_activity >= idle_timeout) c.closed = true;
        }
    }

    const Shared& shared_;
    std::vector<Socket> udp_;  // one per listen endpoint
    std::vector<Socket> tcp_;  // worker 0: one per listen endpoint; the others: none
    std::thread thread_;
    ResponseCounts counts_;

    // Owned by the loop thread only.
    std::vector<Connection> connections_;
    std::vector<pollfd> fds_;
    std::vector<uint8_t> query_ = std::vector<uint8_t>(65535);
    std::vector<uint8_t> response_;
    UdpBatch udp_batch_;
    std::array<std::shared_ptr<const ZoneSet>, dns_view_count> zones_;  // as of zones_version_, by DnsView
    std::shared_ptr<const PolicyView> mappings_;  // as of zones_version_
    uint64_t zones_version_ = 0;
    JournalSource journal_;
};

Result<std::unique_ptr<DnsServer>> DnsServer::start(const std::vector<Endpoint>& listen,
                                                    std::shared_ptr<const ZoneSet> initial,
                                                    unsigned workers) {
    DnsServerOptions options;
    options.workers = workers;
    return start(listen, std::move(initial), std::move(options));
}

Result<std::unique_ptr<DnsServer>> DnsServer::start(const std::vector<Endpoint>& listen,
                                                    std::shared_ptr<const ZoneSet> initial,
                                                    DnsServerOptions options) {
    unsigned workers = options.workers;
    if (listen.empty() && options.client_listen.empty()) return fail("no DNS listen address");
    if (workers == 0) workers = std::max(std::thread::hardware_concurrency(), 1u);
    std::vector<std::pair<Listener, DnsView>> listeners;
    std::vector<Endpoint> bound, client_bound;
    for (DnsView view : {DnsView::assignment, DnsView::client}) {
        for (const auto& endpoint : view == DnsView::client ? options.client_listen : listen) {
            auto listener = open_listener(endpoint, workers);
            if (!listener) return fail(listener.error());  // the ones opened so far close here
            (view == DnsView::client ? client_bound : bound).push_back(listener->endpoint);
            listeners.emplace_back(std::move(*listener), view);
        }
    }
    auto shared = std::make_unique<Shared>();
    shared->policy = std::move(options.policy);
    shared->assignment_networks = std::move(options.assignment_networks);
    shared->wake = UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!shared->wake) return fail("cannot create eventfd: " + std::system_category().message(errno));
    std::unique_ptr<DnsServer> server(new DnsServer(std::move(shared), std::move(bound), std::move(client_bound)));
    auto client_initial = options.client_initial ? std::move(options.client_initial) : initial;
    server->publish(DnsView::client, std::move(client_initial));
    server->publish(DnsView::assignment, std::move(initial));
    for (unsigned w = 0; w < workers; ++w) {
        std::vector<Loop::Socket> udp;
        std::vector<Loop::Socket> tcp;
        for (auto& [l, view] : listeners) {
            udp.push_back({std::move(l.udp[w]), view});
            if (w == 0) tcp.push_back({std::move(l.tcp), view});
        }
        server->loops_.push_back(std::make_unique<Loop>(*server->shared_, std::move(udp), std::move(tcp)));
    }
    try {
        for (auto& loop : server->loops_) loop->start();
    } catch (const std::system_error& e) {
        return fail(std::string("cannot start a DNS worker thread: ") + e.what());  // ~DnsServer joins
    }
    return server;
}

DnsServer::DnsServer(std::unique_ptr<Shared> shared, std::vector<Endpoint> bound, std::vector<Endpoint> client_bound)
    : shared_(std::move(shared)), bound_(std::move(bound)), client_bound_(std::move(client_bound)) {}

DnsServer::~DnsServer() {
    shared_->stopping.store(true);
    uint64_t one = 1;
    if (::write(shared_->wake.get(), &one, sizeof one) < 0)
        log_error(std::string("dns: cannot wake the workers: ") + std::strerror(errno));
    for (auto& loop : loops_) loop->join();
}

void DnsServer::publish(std::shared_ptr<const ZoneSet> zones) { publish(DnsView::assignment, std::move(zones)); }

void DnsServer::publish(DnsView view, std::shared_ptr<const ZoneSet> zones) {
    shared_->views[static_cast<size_t>(view)].store(zones ? std::move(zones) : shared_->empty);
    shared_->version.fetch_add(1, std::memory_order_release);
}

void DnsServer::publish_mappings(std::shared_ptr<const PolicyView> mappings) {
    shared_->mappings.store(std::move(mappings));
    shared_->version.fetch_add(1, std::memory_order_release);
}

void DnsServer::publish_journal(std::shared_ptr<const Journal> journal) { shared_->journal.store(std::move(journal)); }

std::vector<Endpoint> DnsServer::bound() const { return bound_; }

std::vector<Endpoint> DnsServer::client_bound() const { return client_bound_; }

std::vector<DnsCount> DnsServer::counts() const {
    std::array<uint64_t, dns_view_count * ResponseCounts::rcodes> sum{};
    for (const auto& loop : loops_)
        for (size_t i = 0; i < sum.size(); ++i) sum[i] += loop->counts().n[i].load(std::memory_order_relaxed);
    std::vector<DnsCount> out;
    for (size_t i = 0; i < sum.size(); ++i)
        if (sum[i] > 0)
            out.push_back({static_cast<DnsView>(i / ResponseCounts::rcodes),
                           static_cast<uint16_t>(i % ResponseCounts::rcodes), sum[i]});
    return out;
}

}  // namespace patchbay
