// patchbay-demo-listener — the service the demo templates (patchbay-http@, patchbay-smtp@)
// run for a placed tuple. It binds exactly the tuple's address, port and transport, tells
// systemd READY=1, and answers with a one-line banner naming the tuple and the host, so a
// test or a person can see *which* placement answered:
//   http/tcp: one HTTP/1.0 200 per connection, body "patchbay demo http on A:P (host H)\n"
//   smtp/tcp: "220 H patchbay demo SMTP on A:P\r\n", "250 ok" per line, "221 bye" on QUIT
//   */udp:    the banner as the reply to each datagram
// Arguments default to the environment the agent writes (PATCHBAY_ADDRESS, _PORT,
// _TRANSPORT). One thread, poll(2), a bounded number of connections, each with an idle
// deadline and a bounded input buffer; SIGTERM/SIGINT end it cleanly (exit 0).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "address.h"
#include "tuple.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxClients = 64;                 // beyond this, new connections wait in the backlog
constexpr size_t kMaxInput = 8192;                 // per connection; a longer request/line is cut off
constexpr auto kIdle = std::chrono::seconds(30);   // a silent connection is closed after this

struct Options {
    std::string kind;       // http | smtp
    std::string address;
    std::string port;
    std::string transport;  // tcp | udp
};

struct Client {
    int fd = -1;
    std::string in;
    std::string out;
    bool closing = false;   // close once `out` is flushed
    Clock::time_point deadline;
};

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "patchbay-demo-listener: %s\n", message.c_str());
    std::exit(1);
}

void usage_and_exit(int code) {
    std::fprintf(code ? stderr : stdout,
                 "usage: patchbay-demo-listener --kind http|smtp [--address A] [--port P] "
                 "[--transport tcp|udp]\n"
                 "  defaults: $PATCHBAY_ADDRESS, $PATCHBAY_PORT, $PATCHBAY_TRANSPORT (tcp)\n");
    std::exit(code);
}

std::string env_or(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}

Options parse_args(int argc, char** argv) {
    Options o{"", env_or("PATCHBAY_ADDRESS", ""), env_or("PATCHBAY_PORT", ""),
              env_or("PATCHBAY_TRANSPORT", "tcp")};
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "-h" || a == "--help") usage_and_exit(0);
        auto value = [&](std::string& into) {
            if (i + 1 >= argc) die("option " + std::string(a) + " needs a value");
            into = argv[++i];
        };
        if (a == "--kind") value(o.kind);
        else if (a == "--address") value(o.address);
        else if (a == "--port") value(o.port);
        else if (a == "--transport") value(o.transport);
        else {
            std::fprintf(stderr, "patchbay-demo-listener: unknown argument: %s\n", argv[i]);
            usage_and_exit(2);
        }
    }
    if (o.kind != "http" && o.kind != "smtp") die("--kind must be http or smtp, got '" + o.kind + "'");
    if (o.transport != "tcp" && o.transport != "udp")
        die("--transport must be tcp or udp, got '" + o.transport + "'");
    if (o.address.empty()) die("no address: give --address or set PATCHBAY_ADDRESS");
    if (o.port.empty()) die("no port: give --port or set PATCHBAY_PORT");
    return o;
}

// Binds exactly `ep` (no wildcard, no freebind: an address that is not on this host is
// an error, which is what the agent's placement relies on).
int bind_socket(const patchbay::Endpoint& ep, bool tcp) {
    int family = ep.address.family == patchbay::Family::v4 ? AF_INET : AF_INET6;
    int fd = socket(family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) die(std::string("socket: ") + std::strerror(errno));
    int one = 1;
    if (tcp) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // restart despite TIME_WAIT
    sockaddr_storage ss{};
    socklen_t len;
    if (family == AF_INET) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(ep.port);
        std::memcpy(&sin->sin_addr, ep.address.bytes.data(), 4);
        len = sizeof *sin;
    } else {
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(ep.port);
        std::memcpy(&sin6->sin6_addr, ep.address.bytes.data(), 16);
        len = sizeof *sin6;
    }
    if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0)
        die("cannot bind " + std::string(tcp ? "tcp " : "udp ") + ep.str() + ": " + std::strerror(errno));
    if (tcp && listen(fd, 128) != 0) die("listen on " + ep.str() + ": " + std::strerror(errno));
    return fd;
}

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
    return buf;
}

class Listener {
public:
    Listener(const Options& o, const patchbay::Endpoint& ep, int sock, int sigfd)
        : kind_(o.kind), tcp_(o.transport == "tcp"), sock_(sock), sigfd_(sigfd) {
        std::string host = host_name();
        if (kind_ == "http")
            banner_ = "patchbay demo http on " + ep.str() + " (host " + host + ")\n";
        else
            banner_ = "220 " + host + " patchbay demo SMTP on " + ep.str() + "\r\n";
    }

    // Runs until SIGTERM/SIGINT; returns the exit code.
    int run() {
        std::vector<pollfd> fds;
        for (;;) {
            fds.clear();
            fds.push_back({sigfd_, POLLIN, 0});
            // Full ⇒ stop accepting: the kernel backlog holds the rest (bounded memory).
            bool accepting = !tcp_ || clients_.size() < kMaxClients;
            fds.push_back({sock_, static_cast<short>(accepting ? POLLIN : 0), 0});
            for (auto& c : clients_)
                fds.push_back({c.fd, static_cast<short>(c.out.empty() ? POLLIN : POLLOUT), 0});

            if (poll(fds.data(), fds.size(), poll_timeout_ms()) < 0) {
                if (errno == EINTR) continue;
                std::fprintf(stderr, "patchbay-demo-listener: poll: %s\n", std::strerror(errno));
                return 1;
            }
            if (fds[0].revents & POLLIN) {
                signalfd_siginfo si{};
                if (read(sigfd_, &si, sizeof si) > 0) {
                    sd_notify(0, "STOPPING=1");
                    for (auto& c : clients_) close(c.fd);
                    return 0;
                }
            }
            // Clients first (indices match fds[2..]), then new connections.
            for (size_t i = 0; i < clients_.size(); ++i) {
                if (fds[i + 2].revents) service(clients_[i], fds[i + 2].revents);
            }
            expire();
            if (fds[1].revents & POLLIN) tcp_ ? accept_all() : answer_datagrams();
        }
    }

private:
    int poll_timeout_ms() const {
        if (clients_.empty()) return -1;
        auto next = clients_.front().deadline;
        for (auto& c : clients_) next = std::min(next, c.deadline);
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
        return ms < 0 ? 0 : static_cast<int>(ms) + 1;
    }

    void accept_all() {
        while (clients_.size() < kMaxClients) {
            int fd = accept4(sock_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) return;  // EAGAIN, or a transient error (EMFILE, ECONNABORTED)
            Client c{fd, {}, {}, false, Clock::now() + kIdle};
            if (kind_ == "smtp") c.out = banner_;  // SMTP: the server speaks first
            clients_.push_back(std::move(c));
        }
    }

    void answer_datagrams() {
        for (int i = 0; i < 64; ++i) {  // bounded per wake-up
            char buf[2048];
            sockaddr_storage from{};
            socklen_t flen = sizeof from;
            ssize_t n = recvfrom(sock_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &flen);
            if (n < 0) return;
            sendto(sock_, banner_.data(), banner_.size(), 0, reinterpret_cast<sockaddr*>(&from), flen);
        }
    }

    void service(Client& c, short revents) {
        if (revents & POLLOUT) {
            ssize_t n = write(c.fd, c.out.data(), c.out.size());
            if (n < 0 && errno != EAGAIN && errno != EINTR) return drop(c);
            if (n > 0) c.out.erase(0, static_cast<size_t>(n));
            if (c.out.empty() && c.closing) {
                shutdown(c.fd, SHUT_WR);  // FIN after the reply; the peer then closes
                return drop(c);
            }
            return;
        }
        if (revents & (POLLERR | POLLNVAL)) return drop(c);
        char buf[2048];
        ssize_t n = read(c.fd, buf, sizeof buf);
        if (n == 0) return drop(c);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) drop(c);
            return;
        }
        c.deadline = Clock::now() + kIdle;
        c.in.append(buf, static_cast<size_t>(n));
        kind_ == "http" ? http_input(c) : smtp_input(c);
    }

    void http_input(Client& c) {
        // Reply once the request head is complete (or too long to wait for): reading the
        // request first keeps close() from resetting the connection under the client.
        if (c.in.find("\r\n\r\n") == std::string::npos && c.in.find("\n\n") == std::string::npos &&
            c.in.size() < kMaxInput)
            return;
        c.out = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                std::to_string(banner_.size()) + "\r\nConnection: close\r\n\r\n" + banner_;
        c.closing = true;
        c.in.clear();
    }

    void smtp_input(Client& c) {
        size_t eol;
        while (!c.closing && (eol = c.in.find('\n')) != std::string::npos) {
            std::string line = c.in.substr(0, eol);
            c.in.erase(0, eol + 1);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            std::string verb = line.substr(0, 4);
            for (auto& ch : verb) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            if (verb == "QUIT" && (line.size() == 4 || line[4] == ' ')) {
                c.out += "221 bye\r\n";
                c.closing = true;
            } else {
                c.out += "250 ok\r\n";
            }
        }
        if (c.in.size() >= kMaxInput) {
            c.out += "500 line too long\r\n";
            c.closing = true;
        }
    }

    void drop(Client& c) {
        close(c.fd);
        c.fd = -1;  // removed by expire() below; indices into fds stay valid until then
    }

    void expire() {
        auto now = Clock::now();
        std::vector<Client> keep;
        keep.reserve(clients_.size());
        for (auto& c : clients_) {
            if (c.fd >= 0 && c.deadline <= now) drop(c);
            if (c.fd >= 0) keep.push_back(std::move(c));
        }
        clients_.swap(keep);
    }

    std::string kind_;
    bool tcp_;
    int sock_;
    int sigfd_;
    std::string banner_;
    std::vector<Client> clients_;
};

}  // namespace

int main(int argc, char** argv) {
    Options o = parse_args(argc, argv);
    auto address = patchbay::Address::parse(o.address);
    if (!address) die(address.error());
    auto port = patchbay::parse_u16(o.port, "port");
    if (!port) die(port.error());
    if (*port == 0) die("port must be 1..65535, got 0");
    patchbay::Endpoint ep{*address, *port};

    // Signals arrive as poll events, so shutdown never races a half-written reply.
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    signal(SIGPIPE, SIG_IGN);  // a peer that went away is a write error, not a death
    int sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sigfd < 0) die(std::string("signalfd: ") + std::strerror(errno));

    int sock = bind_socket(ep, o.transport == "tcp");
    std::string status = "STATUS=" + o.kind + " on " + ep.str() + "/" + o.transport;
    sd_notify(0, ("READY=1\n" + status).c_str());
    std::fprintf(stderr, "patchbay-demo-listener: %s %s on %s\n", o.kind.c_str(), o.transport.c_str(),
                 ep.str().c_str());

    Listener listener(o, ep, sock, sigfd);
    int rc = listener.run();
    close(sock);
    close(sigfd);
    return rc;
}
