// The probe runs: each owns its socket or child process and its sources; dropping a run
// cancels it. `done` is always the last thing a run calls.
#include "probe_kinds.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "fd.h"
#include "log.h"
#include "socket_address.h"

extern char** environ;

namespace patchbay::probe_kinds {

namespace {

std::string host_of(const Address& a) { return a.family == Family::v6 ? "[" + a.str() + "]" : a.str(); }

std::string random_token() {
    std::random_device random;
    static const char* hex = "0123456789abcdef";
    std::string t;
    for (int i = 0; i < 16; ++i) t += hex[random() % 16];
    return t;
}

// The parts every socket or process run shares: its done callback, a timeout, and
// the rule that done is called once.
class TimedRun : public ProbeRun {
public:
    TimedRun(sd_event* event, ProbeRun::Done done) : event_(event), done_(std::move(done)) {}

protected:
    // Errors are returned as text for the caller to fail with.
    std::string arm_timeout(int timeout_ms) {
        sd_event_source* s = nullptr;
        int r = sd_event_add_time_relative(event_, &s, CLOCK_MONOTONIC, static_cast<uint64_t>(timeout_ms) * 1000, 0,
                                           &TimedRun::on_timeout, this);
        if (r < 0) return std::string("timer: ") + std::strerror(-r);
        timeout_.reset(s);
        timeout_ms_ = timeout_ms;
        return {};
    }
    // Calls done once; the run may be destroyed by it, so nothing may follow a finish().
    void finish(bool ok, std::string error) {
        if (!done_) return;
        timeout_.reset();
        auto done = std::move(done_);
        done_ = nullptr;
        done(ok, std::move(error));
    }
    virtual void timed_out() { finish(false, "no answer within " + std::to_string(timeout_ms_) + " ms"); }

    sd_event* event_;
    int timeout_ms_ = 0;

private:
    static int on_timeout(sd_event_source*, uint64_t, void* self) {
        static_cast<TimedRun*>(self)->timed_out();
        return 0;
    }
    ProbeRun::Done done_;
    EventSourcePtr timeout_;
};

// Fails on the next iteration (a run that could not even start).
class FailedRun : public TimedRun {
public:
    FailedRun(sd_event* event, std::string error, ProbeRun::Done done)
        : TimedRun(event, std::move(done)), error_(std::move(error)) {
        sd_event_source* s = nullptr;
        if (sd_event_add_defer(event, &s, &FailedRun::on_defer, this) >= 0) defer_.reset(s);
        else log_error("probe: " + error_ + " (and the loop refused to say so)");
    }

private:
    static int on_defer(sd_event_source*, void* self) {
        auto* run = static_cast<FailedRun*>(self);
        run->defer_.reset();
        run->finish(false, run->error_);
        return 0;
    }
    std::string error_;
    EventSourcePtr defer_;
};

// A socket and its io source; the source goes first when the run dies.
class SocketRun : public TimedRun {
protected:
    using TimedRun::TimedRun;
    ~SocketRun() override { io_.reset(); }

    // A non-blocking socket connecting to `to`. Errors as text.
    std::string connect_to(const Endpoint& to, int type) {
        SocketAddress sa = to_socket_address(to);
        fd_.reset(::socket(sa.storage.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!fd_) return std::string("socket: ") + std::strerror(errno);
        if (::connect(fd_.get(), sa.get(), sa.len) != 0 && errno != EINPROGRESS)
            return std::string("connect: ") + std::strerror(errno);
        return {};
    }
    std::string watch(uint32_t events) {
        if (io_) {
            sd_event_source_set_io_events(io_.get(), events);
            return {};
        }
        sd_event_source* s = nullptr;
        int r = sd_event_add_io(event_, &s, fd_.get(), events, &SocketRun::on_io_event, this);
        if (r < 0) return std::string("io source: ") + std::strerror(-r);
        // Ahead of other work: the latency measured is the service's, not the loop's.
        sd_event_source_set_priority(s, SD_EVENT_PRIORITY_IMPORTANT);
        io_.reset(s);
        return {};
    }
    // The pending error of a connecting socket; empty when connected.
    std::string socket_error() {
        int error = 0;
        socklen_t len = sizeof error;
        if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
        return error ? std::string(std::strerror(error)) : std::string();
    }
    virtual void on_io(uint32_t revents) = 0;

    UniqueFd fd_;
    EventSourcePtr io_;

private:
    static int on_io_event(sd_event_source*, int, uint32_t revents, void* self) {
        try {
            static_cast<SocketRun*>(self)->on_io(revents);
        } catch (const std::exception& e) {
            log_error(std::string("internal error in a probe: ") + e.what());
        }
        return 0;
    }
};

class TcpRun : public SocketRun {
public:
    using SocketRun::SocketRun;
    std::string start(const ProbeConfig& config, const ProbeTarget& target) {
        if (auto e = connect_to({target.key.address, target.key.port}, SOCK_STREAM); !e.empty()) return e;
        if (auto e = watch(EPOLLOUT); !e.empty()) return e;
        return arm_timeout(config.timeout_ms);
    }

private:
    void on_io(uint32_t) override {
        std::string error = socket_error();
        io_.reset();
        fd_.reset();
        if (error.empty()) return finish(true, {});
        finish(false, "connect: " + error);
    }
    void timed_out() override { finish(false, "no connection within " + std::to_string(timeout_ms_) + " ms"); }
};

class SipRun : public SocketRun {
public:
    using SocketRun::SocketRun;
    std::string start(const ProbeConfig& config, const ProbeTarget& target) {
        target_ = target;
        const std::string& t = target.key.transport;
        if (t != "udp" && t != "tcp") return "sip probes speak udp or tcp, not " + t;
        udp_ = t == "udp";
        if (auto e = connect_to({target.key.address, target.key.port}, udp_ ? SOCK_DGRAM : SOCK_STREAM); !e.empty())
            return e;
        if (udp_) {
            // A connected UDP socket: an ICMP port unreachable comes back as ECONNREFUSED.
            if (auto e = send_request(); !e.empty()) return e;
            if (auto e = watch(EPOLLIN); !e.empty()) return e;
        } else if (auto e = watch(EPOLLOUT); !e.empty()) {
            return e;
        }
        return arm_timeout(config.timeout_ms);
    }

private:
    std::string send_request() {
        auto local = local_endpoint(fd_.get());
        if (!local) return local.error();
        std::string request = sip_options_request(target_, *local, random_token());
        ssize_t n = ::send(fd_.get(), request.data(), request.size(), MSG_NOSIGNAL);
        if (n < 0) return std::string("send: ") + std::strerror(errno);
        if (static_cast<size_t>(n) != request.size()) return "send: short write";
        return {};
    }
    void on_io(uint32_t revents) override {
        if (!udp_ && !connected_) {
            if (std::string error = socket_error(); !error.empty()) return finish(false, "connect: " + error);
            connected_ = true;
            if (auto e = send_request(); !e.empty()) return finish(false, e);
            if (auto e = watch(EPOLLIN); !e.empty()) return finish(false, e);
            return;
        }
        (void)revents;
        char buffer[4096];
        ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (n < 0) return finish(false, std::string("recv: ") + std::strerror(errno));
        if (n == 0) return finish(false, "connection closed before an answer");
        answer_.append(buffer, static_cast<size_t>(n));
        while (true) {
            // TCP: wait for the whole status line; UDP: one datagram is one message.
            if (!udp_ && answer_.find("\r\n") == std::string::npos) {
                if (answer_.size() > 8192) return finish(false, "no status line in 8 KiB");
                return;
            }
            auto status = sip_status(answer_);
            if (!status) return finish(false, status.error());
            if (*status >= 200 && *status <= 299) return finish(true, {});
            if (*status >= 200) return finish(false, first_line(answer_));
            // 1xx: provisional, the final answer follows (RFC 3261 §17.1.2).
            if (udp_) {
                answer_.clear();
                return;
            }
            size_t end = answer_.find("\r\n\r\n");
            if (end == std::string::npos) return;  // the rest of the 1xx comes later
            answer_.erase(0, end + 4);
            if (answer_.empty()) return;
        }
    }

    ProbeTarget target_;
    bool udp_ = true;
    bool connected_ = false;
    std::string answer_;
};

class HttpRun : public TimedRun {
public:
    HttpRun(sd_event* event, CurlLoop& curl, ProbeRun::Done done) : TimedRun(event, std::move(done)), curl_(curl) {}
    ~HttpRun() override {
        if (easy_) curl_.cancel(easy_.get());
    }
    std::string start(const ProbeConfig& config, const ProbeTarget& target) {
        expect_ = config.expect_status;
        easy_.reset(curl_easy_init());
        if (!easy_) return "curl_easy_init failed";
        url_ = config.kind + "://" + host_of(target.key.address) + ":" + std::to_string(target.key.port) + config.path;
        CURL* c = easy_.get();
        curl_easy_setopt(c, CURLOPT_URL, url_.c_str());
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config.timeout_ms));
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        // Each probe opens its own connection: a kept-alive one says little about the listener.
        curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "patchbay-agent probe");
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, +[](char*, size_t size, size_t count, void*) { return size * count; });
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_);
        error_[0] = 0;
        auto ok = curl_.start(c, [this](CURLcode code) { on_done(code); });
        if (!ok) return ok.error();
        return {};
    }

private:
    void on_done(CURLcode code) {
        if (code != CURLE_OK) return finish(false, error_[0] ? std::string(error_) : curl_easy_strerror(code));
        long status = 0;
        curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
        if (status == expect_) return finish(true, {});
        finish(false, "HTTP " + std::to_string(status) + ", expected " + std::to_string(expect_));
    }

    CurlLoop& curl_;
    CurlEasyPtr easy_;
    std::string url_;
    long expect_ = 200;
    char error_[CURL_ERROR_SIZE] = {};
};

class CommandRun : public TimedRun {
public:
    using TimedRun::TimedRun;
    ~CommandRun() override {
        // The source owns the process: freeing it kills (SIGKILL) and reaps it.
        child_.reset();
    }
    std::string start(const ProbeConfig& config, const ProbeTarget& target) {
        // sd-event hears children through SIGCHLD, which must be blocked (sd_event_add_child(3)).
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        sigprocmask(SIG_BLOCK, &chld, nullptr);

        std::vector<std::string> env;
        for (char** e = environ; e && *e; ++e)
            if (!std::string_view(*e).starts_with("PATCHBAY_")) env.emplace_back(*e);
        env.push_back("PATCHBAY_ADDRESS=" + target.key.address.str());
        env.push_back("PATCHBAY_PORT=" + std::to_string(target.key.port));
        env.push_back("PATCHBAY_TRANSPORT=" + target.key.transport);
        env.push_back("PATCHBAY_DOMAIN=" + target.domain);
        std::vector<char*> envp, argv;
        for (auto& e : env) envp.push_back(e.data());
        envp.push_back(nullptr);
        std::vector<std::string> args = config.command;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);

        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        sigset_t none;
        sigemptyset(&none);
        posix_spawnattr_setsigmask(&attr, &none);  // the agent's blocked signals are its own
        sigset_t defaults;
        sigemptyset(&defaults);
        for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGPIPE}) sigaddset(&defaults, sig);
        posix_spawnattr_setsigdefault(&attr, &defaults);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        posix_spawn_file_actions_t files;
        posix_spawn_file_actions_init(&files);
        posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&files, 1, "/dev/null", O_WRONLY, 0);
        pid_t pid = 0;
        int r = posix_spawn(&pid, argv[0], &files, &attr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&files);
        posix_spawnattr_destroy(&attr);
        if (r != 0) return std::string("cannot run ") + config.command[0] + ": " + std::strerror(r);
        sd_event_source* s = nullptr;
        if (int e = sd_event_add_child(event_, &s, pid, WEXITED, &CommandRun::on_exit, this); e < 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
            return std::string("child source: ") + std::strerror(-e);
        }
        sd_event_source_set_child_process_own(s, true);
        child_.reset(s);
        program_ = config.command[0];
        return arm_timeout(config.timeout_ms);
    }

private:
    void timed_out() override {
        killed_ = true;
        sd_event_source_send_child_signal(child_.get(), SIGKILL, nullptr, 0);
        // on_exit reports it once the process is gone.
    }
    static int on_exit(sd_event_source*, const siginfo_t* si, void* self) {
        auto* run = static_cast<CommandRun*>(self);
        int code = si->si_status;
        bool exited = si->si_code == CLD_EXITED;
        bool killed = run->killed_;
        std::string program = run->program_;
        int timeout = run->timeout_ms_;
        if (killed) {
            run->finish(false, program + " killed after the " + std::to_string(timeout) + " ms timeout");
        } else if (exited && code == 0) {
            run->finish(true, {});
        } else if (exited) {
            run->finish(false, program + " exited with status " + std::to_string(code));
        } else {
            run->finish(false, program + " killed by signal " + std::to_string(code));
        }
        return 0;
    }

    EventSourcePtr child_;
    std::string program_;
    bool killed_ = false;
};

template <class Run, class... Extra>
std::unique_ptr<ProbeRun> begin(sd_event* event, const ProbeConfig& config, const ProbeTarget& target,
                                ProbeRun::Done done, Extra&... extra) {
    auto run = std::make_unique<Run>(event, extra..., done);
    if (std::string error = run->start(config, target); !error.empty()) {
        run.reset();  // closes what it opened before the failure is told
        return failed(event, std::move(error), std::move(done));
    }
    return run;
}

}  // namespace

std::unique_ptr<ProbeRun> tcp(sd_event* event, const ProbeConfig& config, const ProbeTarget& target,
                              ProbeRun::Done done) {
    return begin<TcpRun>(event, config, target, std::move(done));
}

std::unique_ptr<ProbeRun> http(sd_event* event, CurlLoop& curl, const ProbeConfig& config, const ProbeTarget& target,
                               ProbeRun::Done done) {
    return begin<HttpRun>(event, config, target, std::move(done), curl);
}

std::unique_ptr<ProbeRun> sip(sd_event* event, const ProbeConfig& config, const ProbeTarget& target,
                              ProbeRun::Done done) {
    return begin<SipRun>(event, config, target, std::move(done));
}

std::unique_ptr<ProbeRun> command(sd_event* event, const ProbeConfig& config, const ProbeTarget& target,
                                  ProbeRun::Done done) {
    return begin<CommandRun>(event, config, target, std::move(done));
}

std::unique_ptr<ProbeRun> failed(sd_event* event, std::string error, ProbeRun::Done done) {
    return std::make_unique<FailedRun>(event, std::move(error), std::move(done));
}

}  // namespace patchbay::probe_kinds
