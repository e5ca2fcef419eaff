// GET /v1/events on a real HttpServer on loopback: raw-socket clients read the chunked
// event stream as it comes (the server suspends idle streams and resumes them on a push).
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "api_events.h"
#include "event_hub.h"
#include "fd.h"
#include "http_server.h"

using namespace patchbay;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// A token per test principal: "admin", "a" (viewer of account a), "b" (account-admin of b).
HttpRouter events_router(EventHub& hub) {
    HttpRouter r;
    r.set_auth([](HttpRequest& req, HttpResponse&) {
        auto token = req.header("Authorization");
        if (token == "Bearer admin") req.auth = Principal{Role::admin, "", "admin"};
        if (token == "Bearer a") req.auth = Principal{Role::account_viewer, "a", "a"};
        if (token == "Bearer b") req.auth = Principal{Role::account_admin, "b", "b"};
        return true;
    });
    r.set_log([](std::string_view) {});
    event_routes(r, hub);
    return r;
}

EventHubOptions hub_options(std::chrono::milliseconds keep_alive = std::chrono::hours(1)) {
    EventHubOptions o;
    o.keep_alive = keep_alive;
    o.log = [](std::string_view) {};
    return o;
}

// GET /v1/events with a token, then the answer's headers and its body, de-chunked.
class EventClient {
public:
    EventClient(uint16_t port, const std::string& token) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) throw std::runtime_error("connect");
        std::string request = "GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n";
        if (::send(fd_.get(), request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
            throw std::runtime_error("send");
    }

    // Reads until the body contains `text` (true) or `limit` passes or the connection ends.
    bool wait_for(const std::string& text, std::chrono::milliseconds limit = 3s) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (body_.find(text) == std::string::npos) {
            if (!receive(deadline)) return false;
        }
        return true;
    }
    // Reads until the server closes or ends the answer; false on timeout.
    bool wait_end(std::chrono::milliseconds limit = 3s) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (!ended_ && !closed_)
            if (!receive(deadline) && !ended_ && !closed_) return false;
        return true;
    }
    void close() { fd_.reset(); }

    const std::string& headers() const { return headers_; }
    const std::string& body() const { return body_; }

private:
    // One recv (waiting at most until `deadline`), then de-chunks what it can.
    bool receive(std::chrono::steady_clock::time_point deadline) {
        if (closed_) return false;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd_.get(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        char buf[4096];
        ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
        if (n <= 0) {
            closed_ = true;
            return false;
        }
        raw_.append(buf, static_cast<size_t>(n));
        parse();
        return true;
    }
    void parse() {
        if (headers_.empty()) {
            auto end = raw_.find("\r\n\r\n");
            if (end == std::string::npos) return;
            headers_ = raw_.substr(0, end + 2);
            raw_.erase(0, end + 4);
        }
        while (!ended_) {
            auto line = raw_.find("\r\n");
            if (line == std::string::npos) return;
            size_t size = std::stoul(raw_.substr(0, line), nullptr, 16);
            if (raw_.size() < line + 2 + size + 2) return;
            body_ += raw_.substr(line + 2, size);
            raw_.erase(0, line + 2 + size + 2);
            if (size == 0) ended_ = true;
        }
    }

    UniqueFd fd_;
    std::string raw_;
    std::string headers_;
    std::string body_;
    bool ended_ = false;
    bool closed_ = false;
};

std::unique_ptr<HttpServer> serve(EventHub& hub) {
    auto server = HttpServer::start(events_router(hub), *Endpoint::parse("127.0.0.1:0"));
    REQUIRE(server);
    return std::move(*server);
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 3s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

// CPU time this process used so far (all threads: the server's included).
std::chrono::microseconds cpu_used() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto us = [](const timeval& t) { return std::chrono::seconds(t.tv_sec) + std::chrono::microseconds(t.tv_usec); };
    return us(u.ru_utime) + us(u.ru_stime);
}

}  // namespace

TEST_CASE("events API: a stream with nothing to send costs no CPU (suspended, not polled)") {
    EventHub hub(hub_options());
    auto server = serve(hub);
    EventClient client(server->bound().port, "admin");
    REQUIRE(client.wait_for(": connected"));
    auto before = cpu_used();
    std::this_thread::sleep_for(500ms);
    // A reader that answered "nothing yet" without suspending would spin a thread: ~500 ms.
    CHECK(cpu_used() - before < 100ms);
    hub.publish({"state", json{{"n", 1}}, {}});
    CHECK(client.wait_for("\"n\":1"));
}

TEST_CASE("events API: a subscriber receives what is published after, in order, as it comes") {
    EventHub hub(hub_options());
    auto server = serve(hub);
    EventClient client(server->bound().port, "admin");
    REQUIRE(client.wait_for(": connected\n\n"));
    CHECK(client.headers().rfind("HTTP/1.1 200", 0) == 0);
    CHECK(client.headers().find("Content-Type: text/event-stream\r\n") != std::string::npos);
    CHECK(client.headers().find("Cache-Control: no-cache\r\n") != std::string::npos);
    CHECK(client.headers().find("Transfer-Encoding: chunked\r\n") != std::string::npos);
    // One at a time, each read before the next is published: the connection parks in
    // between and every push must resume it.
    for (int i = 0; i < 5; ++i) {
        hub.publish({"state", json{{"n", i}}, {}});
        CHECK(client.wait_for(sse_frame("state", json{{"n", i}})));
    }
    // Then a burst, which must arrive whole and in order.
    std::string expected;
    for (int i = 0; i < 200; ++i) {
        hub.publish({"block", json{{"n", i}}, {"a"}});
        expected += sse_frame("block", json{{"n", i}});
    }
    REQUIRE(client.wait_for(sse_frame("block", json{{"n", 199}})));
    CHECK(client.body().substr(client.body().find("event: block")) == expected);
}

TEST_CASE("events API: an account's subscriber gets its account's events, never another's") {
    EventHub hub(hub_options());
    auto server = serve(hub);
    EventClient a(server->bound().port, "a");
    EventClient b(server->bound().port, "b");
    EventClient root(server->bound().port, "admin");
    REQUIRE(a.wait_for(": connected"));
    REQUIRE(b.wait_for(": connected"));
    REQUIRE(root.wait_for(": connected"));
    hub.publish({"state", json{{"for", "b"}}, {"b"}});
    hub.publish({"state", json{{"for", "platform"}}, {}});
    hub.publish({"state", json{{"for", "a"}}, {"a"}});
    hub.publish({"change", json{{"for", "a and b"}}, {"a", "b"}});
    REQUIRE(a.wait_for("a and b"));
    REQUIRE(b.wait_for("a and b"));
    REQUIRE(root.wait_for("a and b"));
    // Per stream the order is kept, so what a was not sent before the last one never comes.
    CHECK(a.body() == ": connected\n\n" + sse_frame("state", {{"for", "a"}}) + sse_frame("change", {{"for", "a and b"}}));
    CHECK(b.body() == ": connected\n\n" + sse_frame("state", {{"for", "b"}}) + sse_frame("change", {{"for", "a and b"}}));
    CHECK(root.body().find("platform") != std::string::npos);
    CHECK(root.body().find("\"for\":\"b\"") != std::string::npos);
}

TEST_CASE("events API: a client that disconnects is pruned; publishing on is harmless") {
    EventHub hub(hub_options());
    auto server = serve(hub);
    EventClient stays(server->bound().port, "admin");
    {
        EventClient leaves(server->bound().port, "admin");
        REQUIRE(leaves.wait_for(": connected"));
        REQUIRE(stays.wait_for(": connected"));
        CHECK(hub.subscribers() == 2);
        leaves.close();
    }
    // A suspended connection's close is seen when a push resumes it.
    int n = 0;
    CHECK(eventually([&] {
        hub.publish({"state", json{{"n", n++}}, {}});
        return hub.subscribers() == 1;
    }));
    hub.publish({"state", json{{"n", "after"}}, {}});
    CHECK(stays.wait_for(sse_frame("state", json{{"n", "after"}})));
}

TEST_CASE("events API: the server stops promptly with streams open, and they end") {
    EventHub hub(hub_options());
    auto server = serve(hub);
    EventClient idle(server->bound().port, "admin");  // parked: nothing published
    EventClient busy(server->bound().port, "a");
    REQUIRE(idle.wait_for(": connected"));
    REQUIRE(busy.wait_for(": connected"));
    hub.publish({"state", json{{"n", 1}}, {"a"}});
    REQUIRE(busy.wait_for("\"n\":1"));
    auto began = std::chrono::steady_clock::now();
    server.reset();
    CHECK(std::chrono::steady_clock::now() - began < 2s);
    CHECK(idle.wait_end());
    CHECK(busy.wait_end());
    hub.publish({"state", json{{"n", 2}}, {}});  // to streams that are gone
    CHECK(hub.subscribers() == 0);
}

TEST_CASE("events API: a keep-alive comment comes when nothing else does") {
    EventHub hub(hub_options(50ms));
    auto server = serve(hub);
    EventClient client(server->bound().port, "a");
    CHECK(client.wait_for(": connected\n\n: keep-alive\n\n: keep-alive\n\n", 2s));
}

TEST_CASE("events API: the hub destroyed first ends the streams it served") {
    auto hub = std::make_unique<EventHub>(hub_options());
    auto server = serve(*hub);
    EventClient client(server->bound().port, "admin");
    REQUIRE(client.wait_for(": connected"));
    hub->publish({"state", json{{"n", 1}}, {}});
    hub.reset();
    CHECK(client.wait_end());
    CHECK(client.body() == ": connected\n\n" + sse_frame("state", json{{"n", 1}}));
}

TEST_CASE("events API: a subscriber too far behind is dropped: logged, its connection closed") {
    auto lines = std::make_shared<std::vector<std::string>>();
    auto mutex = std::make_shared<std::mutex>();
    auto options = hub_options();
    options.max_buffered = 100;
    options.log = [lines, mutex](std::string_view line) {
        std::lock_guard lock(*mutex);
        lines->emplace_back(line);
    };
    EventHub hub(options);
    auto server = serve(hub);
    EventClient client(server->bound().port, "a");
    REQUIRE(client.wait_for(": connected"));
    // More than may wait at once: the stream overflows even though the client reads.
    hub.publish({"state", json{{"pad", std::string(200, 'x')}}, {"a"}});
    CHECK(client.wait_end());
    CHECK(client.body() == ": connected\n\n");
    CHECK(hub.subscribers() == 0);
    std::lock_guard lock(*mutex);
    CHECK(*lines == std::vector<std::string>{"events: dropped a subscriber (token a, account-viewer) more than 100 bytes behind"});
}
