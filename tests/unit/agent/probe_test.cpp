// Each probe kind against real listeners on loopback (TCP, an HTTP server, a SIP
// responder on UDP and TCP, commands), and the Prober's streak.
#include <catch2/catch.hpp>

#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "event_loop.h"
#include "fd.h"
#include "probe.h"
#include "socket_address.h"

using namespace patchbay;
using patchbay::test::Loop;

namespace {

ProbeTarget target(const std::string& transport, uint16_t port) {
    return {"hostdomain.com", TupleKey{"svc", transport, *Address::parse("127.0.0.1"), port}};
}

ProbeConfig config(const std::string& kind, int timeout_ms = 800) {
    ProbeConfig c;
    c.kind = kind;
    c.timeout_ms = timeout_ms;
    return c;
}

struct Outcome {
    bool ok = false;
    std::string error;
    int ms = 0;
};

Outcome run(const ProbeConfig& c, const ProbeTarget& t) {
    Loop loop;
    auto curl = CurlLoop::create(loop.get()).value();
    std::optional<Outcome> out;
    auto start = std::chrono::steady_clock::now();
    auto probe = start_probe(loop.get(), *curl, c, t, [&](bool ok, std::string error) {
        out = Outcome{ok, std::move(error), 0};
    });
    REQUIRE(!out);  // never from inside start_probe
    REQUIRE(loop.run_until([&] { return out.has_value(); }, 10000));
    out->ms = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
    return *out;
}

// A listening TCP socket on a free loopback port (or bound, not listening: a closed port).
struct Listener {
    UniqueFd fd;
    uint16_t port = 0;
    explicit Listener(int type = SOCK_STREAM, bool listening = true) {
        fd.reset(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
        SocketAddress sa = to_socket_address(*Endpoint::parse("127.0.0.1:0"));
        REQUIRE(::bind(fd.get(), sa.get(), sa.len) == 0);
        if (type == SOCK_STREAM && listening) REQUIRE(::listen(fd.get(), 16) == 0);
        port = local_endpoint(fd.get())->port;
    }
};

uint16_t closed_port() {
    Listener l(SOCK_STREAM, false);  // bound, never listening: connections are refused
    return l.port;
}

}  // namespace

TEST_CASE("probe: streak counts runs in a row with the same ok") {
    std::optional<ProbeResult> last;
    CHECK(next_streak(last, true) == 1);
    last = ProbeResult{"tcp", true, 1, "", 4};
    CHECK(next_streak(last, true) == 5);
    CHECK(next_streak(last, false) == 1);
    last->streak = UINT32_MAX;
    CHECK(next_streak(last, true) == UINT32_MAX);
}

TEST_CASE("probe: error texts stay printable ASCII and bounded") {
    CHECK(printable("SIP/2.0 503 Busy") == "SIP/2.0 503 Busy");
    CHECK(printable("SIP/2.0 503 \xff\xfe\tx") == "SIP/2.0 503 ???x");
    CHECK(printable(std::string(2000, 'a')).size() == 1000);
    CHECK(printable("abcdef", 3) == "abc");
}

TEST_CASE("probe: SIP OPTIONS request and status lines") {
    auto t = target("udp", 5060);
    std::string r = sip_options_request(t, *Endpoint::parse("127.0.0.2:40000"), "abc123");
    CHECK(r.starts_with("OPTIONS sip:127.0.0.1:5060;transport=udp SIP/2.0\r\n"));
    for (const char* line :
         {"\r\nVia: SIP/2.0/UDP 127.0.0.2:40000;branch=z9hG4bKabc123;rport\r\n", "\r\nMax-Forwards: 70\r\n",
          "\r\nFrom: <sip:patchbay@127.0.0.2>;tag=abc123\r\n", "\r\nTo: <sip:127.0.0.1:5060>\r\n",
          "\r\nCall-ID: abc123@127.0.0.2\r\n", "\r\nCSeq: 1 OPTIONS\r\n"}) {
        INFO(line);
        CHECK(r.find(line) != std::string::npos);
    }
    CHECK(r.ends_with("\r\nContent-Length: 0\r\n\r\n"));
    ProbeTarget v6{"d.example", TupleKey{"sip", "tcp", *Address::parse("2001:db8::1"), 5060}};
    std::string r6 = sip_options_request(v6, *Endpoint::parse("[2001:db8::2]:5000"), "x");
    CHECK(r6.starts_with("OPTIONS sip:[2001:db8::1]:5060;transport=tcp SIP/2.0\r\n"));
    CHECK(r6.find("Via: SIP/2.0/TCP [2001:db8::2]:5000;branch=z9hG4bKx") != std::string::npos);

    struct Case {
        const char* answer;
        int status;  // 0: an error
    };
    const Case cases[] = {
        {"SIP/2.0 200 OK\r\nVia: x\r\n\r\n", 200},
        {"SIP/2.0 503 Service Unavailable\r\n", 503},
        {"SIP/2.0 100 Trying\r\n", 100},
        {"SIP/2.0 200\r\n", 200},
        {"HTTP/1.1 200 OK\r\n", 0},
        {"SIP/2.0 2x0 OK\r\n", 0},
        {"SIP/2.0 2000 OK\r\n", 0},
        {"SIP/2.0 099 Low\r\n", 0},
        {"", 0},
    };
    for (const auto& c : cases) {
        INFO(c.answer);
        auto s = sip_status(c.answer);
        REQUIRE(s.ok() == (c.status != 0));
        if (c.status) CHECK(*s == c.status);
    }
    CHECK(sip_status("HTTP/1.1 200 OK\r\n").error() == "not a SIP answer: 'HTTP/1.1 200 OK'");
}

TEST_CASE("probe: tcp") {
    Listener listening;
    auto ok = run(config("tcp"), target("tcp", listening.port));
    CHECK(ok.ok);
    CHECK(ok.error.empty());
    auto refused = run(config("tcp"), target("tcp", closed_port()));
    CHECK_FALSE(refused.ok);
    CHECK(refused.error == "connect: Connection refused");
}

TEST_CASE("probe: http") {
    httplib::Server server;
    server.Get("/ok", [](const httplib::Request&, httplib::Response& res) { res.set_content("fine", "text/plain"); });
    server.Get("/bad", [](const httplib::Request&, httplib::Response& res) { res.status = 503; });
    server.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1000));
        res.status = 200;
    });
    int port = server.bind_to_any_port("127.0.0.1");
    std::thread thread([&] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

    auto c = config("http");
    c.path = "/ok";
    auto t = target("tcp", static_cast<uint16_t>(port));
    CHECK(run(c, t).ok);
    c.path = "/bad";
    auto bad = run(c, t);
    CHECK_FALSE(bad.ok);
    CHECK(bad.error == "HTTP 503, expected 200");
    c.expect_status = 503;
    CHECK(run(c, t).ok);
    c.path = "/slow";
    c.expect_status = 200;
    c.timeout_ms = 200;
    auto slow = run(c, t);
    CHECK_FALSE(slow.ok);
    INFO(slow.error);
    CHECK(slow.error.find("timed out") != std::string::npos);
    CHECK(slow.ms < 800);  // the answer would take 1000 ms
    auto refused = run(config("http"), target("tcp", closed_port()));
    CHECK_FALSE(refused.ok);
    CHECK(refused.error.find("onnect") != std::string::npos);

    server.stop();
    thread.join();
}

TEST_CASE("probe: https (the certificate is not verified)") {
    patchbay::test::TempDir dir;
    std::string key = (dir.path / "key.pem").string(), cert = (dir.path / "cert.pem").string();
    std::string make = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=probe.test -days 1 -keyout " + key +
                       " -out " + cert + " >/dev/null 2>&1";
    REQUIRE(std::system(make.c_str()) == 0);
    httplib::SSLServer server(cert.c_str(), key.c_str());
    REQUIRE(server.is_valid());
    server.Get("/health", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    int port = server.bind_to_any_port("127.0.0.1");
    std::thread thread([&] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

    auto c = config("https");
    c.path = "/health";
    c.expect_status = 204;
    auto t = target("tcp", static_cast<uint16_t>(port));
    auto ok = run(c, t);
    INFO(ok.error);
    CHECK(ok.ok);
    c.kind = "http";  // plain HTTP to a TLS port: no HTTP answer
    CHECK_FALSE(run(c, t).ok);

    server.stop();
    thread.join();
}

namespace {

// A SIP responder on one port, UDP and TCP: answers OPTIONS with `status` (0: silence;
// 100: "100 Trying" first, then 200), after checking the request's headers.
class SipResponder {
public:
    std::atomic<int> status{200};
    std::atomic<int> requests{0};
    std::atomic<bool> well_formed{true};

    SipResponder() : udp_(SOCK_DGRAM), tcp_(SOCK_STREAM) {
        // The same port for both is not guaranteed: tests use each socket's own port.
        thread_ = std::thread([this] { serve(); });
    }
    ~SipResponder() {
        stop_ = true;
        thread_.join();
    }
    uint16_t udp_port() const { return udp_.port; }
    uint16_t tcp_port() const { return tcp_.port; }

private:
    std::string answer(const std::string& request, int code) {
        requests++;
        for (const char* h : {"OPTIONS sip:", "\r\nVia: SIP/2.0/", ";branch=z9hG4bK", "\r\nFrom: ", "\r\nTo: ",
                              "\r\nCall-ID: ", "\r\nCSeq: 1 OPTIONS\r\n", "\r\nMax-Forwards: 70\r\n",
                              "\r\nContent-Length: 0\r\n\r\n"})
            if (request.find(h) == std::string::npos) well_formed = false;
        const char* reason = code == 200 ? "OK" : code == 100 ? "Trying" : "Service Unavailable";
        return "SIP/2.0 " + std::to_string(code) + " " + reason + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    }
    void serve() {
        while (!stop_) {
            pollfd fds[2] = {{udp_.fd.get(), POLLIN, 0}, {tcp_.fd.get(), POLLIN, 0}};
            if (::poll(fds, 2, 20) <= 0) continue;
            char buffer[4096];
            int code = status;
            if (fds[0].revents & POLLIN) {
                SocketAddress from;
                ssize_t n = ::recvfrom(udp_.fd.get(), buffer, sizeof buffer, 0, from.get(), &from.len);
                if (n > 0 && code != 0) {
                    auto send = [&](int c) {
                        std::string a = answer(std::string(buffer, static_cast<size_t>(n)), c);
                        ::sendto(udp_.fd.get(), a.data(), a.size(), 0, from.get(), from.len);
                    };
                    if (code == 100) send(100);
                    send(code == 100 ? 200 : code);
                }
            }
            if (fds[1].revents & POLLIN) {
                UniqueFd c(::accept(tcp_.fd.get(), nullptr, nullptr));
                std::string request;
                while (request.find("\r\n\r\n") == std::string::npos) {
                    ssize_t n = ::recv(c.get(), buffer, sizeof buffer, 0);
                    if (n <= 0) break;
                    request.append(buffer, static_cast<size_t>(n));
                }
                if (code == 0) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(400));  // silence, then hang up
                    continue;
                }
                std::string a = code == 100 ? answer(request, 100) + answer(request, 200) : answer(request, code);
                ::send(c.get(), a.data(), a.size(), MSG_NOSIGNAL);
            }
        }
    }

    Listener udp_, tcp_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace

TEST_CASE("probe: sip over udp and tcp") {
    SipResponder sip;
    for (const char* transport : {"udp", "tcp"}) {
        INFO(transport);
        auto t = target(transport, std::string(transport) == "udp" ? sip.udp_port() : sip.tcp_port());
        sip.status = 200;
        auto ok = run(config("sip"), t);
        CHECK(ok.ok);
        CHECK(ok.error.empty());
        sip.status = 100;  // a provisional answer first, then 200
        CHECK(run(config("sip"), t).ok);
        sip.status = 503;
        auto bad = run(config("sip"), t);
        CHECK_FALSE(bad.ok);
        CHECK(bad.error == "SIP/2.0 503 Service Unavailable");
        sip.status = 0;
        auto silent = run(config("sip", 200), t);
        CHECK_FALSE(silent.ok);
        CHECK(silent.error == "no answer within 200 ms");
        CHECK(silent.ms < 600);
    }
    CHECK(sip.well_formed);
    CHECK(sip.requests >= 6);
    // Nothing listening: UDP hears the ICMP port unreachable, TCP is refused.
    auto udp = run(config("sip"), target("udp", closed_port()));
    CHECK_FALSE(udp.ok);
    CHECK(udp.error == "recv: Connection refused");
    auto tcp = run(config("sip"), target("tcp", closed_port()));
    CHECK_FALSE(tcp.ok);
    CHECK(tcp.error == "connect: Connection refused");
    auto sctp = run(config("sip"), target("sctp", 5060));
    CHECK(sctp.error == "sip probes speak udp or tcp, not sctp");
}

TEST_CASE("probe: command") {
    auto c = config("command", 300);
    auto t = target("tcp", 8080);
    c.command = {"/bin/true"};
    CHECK(run(c, t).ok);
    c.command = {"/bin/false"};
    auto f = run(c, t);
    CHECK_FALSE(f.ok);
    CHECK(f.error == "/bin/false exited with status 1");
    c.command = {"/bin/sh", "-c",
                 "test \"$PATCHBAY_ADDRESS:$PATCHBAY_PORT/$PATCHBAY_TRANSPORT $PATCHBAY_DOMAIN\" = "
                 "\"127.0.0.1:8080/tcp hostdomain.com\""};
    CHECK(run(c, t).ok);
    c.command = {"/bin/sleep", "10"};
    auto slow = run(c, t);
    CHECK_FALSE(slow.ok);
    CHECK(slow.error == "/bin/sleep killed after the 300 ms timeout");
    CHECK(slow.ms < 1500);
    c.command = {"/bin/sh", "-c", "kill -9 $$"};
    CHECK(run(c, t).error == "/bin/sh killed by signal 9");
    c.command = {"/nonexistent/check"};
    auto missing = run(c, t);
    CHECK_FALSE(missing.ok);
    CHECK(missing.error == "cannot run /nonexistent/check: No such file or directory");
}

TEST_CASE("probe: a dropped command run kills its process") {
    Loop loop;
    auto curl = CurlLoop::create(loop.get()).value();
    auto c = config("command", 5000);
    c.command = {"/bin/sleep", "30"};
    bool called = false;
    auto probe = start_probe(loop.get(), *curl, c, target("tcp", 1), [&](bool, std::string) { called = true; });
    loop.run_for(50);
    probe.reset();
    loop.run_for(50);
    CHECK_FALSE(called);
    // No sleep child is left: waitpid finds no child at all.
    CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);
}

TEST_CASE("probe: the prober runs every interval and counts its streak") {
    Loop loop;
    auto curl = CurlLoop::create(loop.get()).value();
    auto listening = std::make_unique<Listener>();
    auto c = config("tcp", 100);
    c.interval_ms = 100;
    std::vector<ProbeResult> results;
    auto prober = Prober::create(loop.get(), *curl, c, target("tcp", listening->port),
                                 [&](const ProbeResult& r) { results.push_back(r); });
    REQUIRE(prober.ok());
    REQUIRE(loop.run_until([&] { return results.size() == 3; }));
    CHECK(results[0].ok);
    CHECK(results[0].kind == "tcp");
    CHECK(results[0].streak == 1);
    CHECK(results[2].streak == 3);
    CHECK(results[2].latency_ms < 50);
    CHECK((*prober)->last() == results[2]);
    listening.reset();  // the service dies
    REQUIRE(loop.run_until([&] { return results.size() == 5; }));
    CHECK_FALSE(results[3].ok);
    CHECK(results[3].streak == 1);
    CHECK(results[4].streak == 2);
    CHECK(results[4].error == "connect: Connection refused");
}

TEST_CASE("probe: a unit's fall is a failure, whatever the probe said before") {
    std::optional<ProbeResult> last = ProbeResult{"http", true, 2, "", 40};
    auto fell = fallen_result(last, "http", "failed");
    CHECK_FALSE(fell.ok);
    CHECK(fell.kind == "http");
    CHECK(fell.streak == 1);
    CHECK(fell.error == "unit failed (not probed)");
    CHECK(fallen_result(fell, "http", "inactive").streak == 2);
    CHECK(fallen_result(std::nullopt, "tcp", "deactivating").streak == 1);
}

TEST_CASE("probe: after a unit's fall, successes count again from one; a run in flight is dropped") {
    Loop loop;
    auto curl = CurlLoop::create(loop.get()).value();
    auto c = config("command", 2000);
    c.interval_ms = 100;
    // Each run takes 300 ms, so the fall below lands while one is in flight.
    c.command = {"/bin/sleep", "0.3"};
    std::vector<ProbeResult> results;
    auto prober = Prober::create(loop.get(), *curl, c, target("tcp", 1),
                                 [&](const ProbeResult& r) { results.push_back(r); });
    REQUIRE(prober.ok());
    REQUIRE(loop.run_until([&] { return results.size() == 2; }, 5000));
    CHECK(results[1].streak == 2);
    loop.run_for(100);  // the third run is in flight
    (*prober)->unit_fell("failed");
    REQUIRE((*prober)->last().has_value());
    CHECK_FALSE((*prober)->last()->ok);
    // The dropped run never reports; the next one starts on its own and counts from one.
    REQUIRE(loop.run_until([&] { return results.size() == 3; }, 5000));
    CHECK(results[2].ok);
    CHECK(results[2].streak == 1);
}
