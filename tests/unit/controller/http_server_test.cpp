// http_server: the router alone (table-driven), then a real HttpServer on loopback —
// bodies, headers, query, auth, limits, binding, and many idle kept-alive connections.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "fd.h"
#include "http_server.h"

using namespace patchbay;
using nlohmann::json;

namespace {

HttpRouter sample_router() {
    HttpRouter r;
    r.get("/v1/zones", [](const HttpRequest&, HttpResponse& res) { res.set_content("zones", "text/plain"); });
    r.post("/v1/zones", [](const HttpRequest& req, HttpResponse& res) {
        res.status = 201;
        res.set_content("posted " + req.body, "text/plain");
    });
    r.del(R"(/v1/zones/([^/]+))", [](const HttpRequest& req, HttpResponse& res) {
        res.set_content("deleted " + req.matches[1], "text/plain");
    });
    r.get(R"(/v1/a/([^/]+)/b/([^/]+))", [](const HttpRequest& req, HttpResponse& res) {
        res.set_content(req.matches[0] + "|" + req.matches[1] + "|" + req.matches[2], "text/plain");
    });
    r.get(R"(/v1/opt/?)", [](const HttpRequest& req, HttpResponse& res) { res.set_content(req.matches[0], "text/plain"); });
    r.get("/boom", [](const HttpRequest&, HttpResponse& res) {
        res.set_content("half done", "text/plain");
        throw std::runtime_error("kaput");
    });
    r.get("/echo", [](const HttpRequest& req, HttpResponse& res) {
        res.set_header("X-Seen", req.header("x-thing"));
        res.set_content(json{{"q", req.has_param("q") ? json(req.param("q")) : json(nullptr)},
                             {"peer", req.remote_address},
                             {"method", req.method}}
                            .dump(),
                        "application/json");
    });
    r.post("/echo", [](const HttpRequest& req, HttpResponse& res) { res.set_content(req.body, "application/octet-stream"); });
    r.set_log([](std::string_view) {});
    return r;
}

TEST_CASE("router: method and path to handler, 404, 405, exceptions") {
    struct Row {
        const char* method;
        const char* path;
        int status;
        const char* body;  // or the JSON error
        const char* allow = nullptr;
    };
    const std::vector<Row> rows = {
        {"GET", "/v1/zones", 200, "zones"},
        {"POST", "/v1/zones", 201, "posted "},
        {"DELETE", "/v1/zones/example.com", 200, "deleted example.com"},
        {"GET", "/v1/a/x/b/y", 200, "/v1/a/x/b/y|x|y"},
        {"GET", "/v1/a/x/b/y/z", 404, "no such endpoint: GET /v1/a/x/b/y/z"},
        {"GET", "/nowhere", 404, "no such endpoint: GET /nowhere"},
        {"PUT", "/v1/zones", 405, "method not allowed: PUT /v1/zones (allowed: GET, POST)", "GET, POST"},
        {"GET", "/v1/zones/example.com", 405, "method not allowed: GET /v1/zones/example.com (allowed: DELETE)",
         "DELETE"},
        {"GET", "/boom", 500, "internal error: kaput"},
        {"GET", "/v1/opt", 200, "/v1/opt"},  // the regex's literal prefix is "/v1/opt", not "/v1/opt/"
        {"GET", "/v1/opt/", 200, "/v1/opt/"},
        {"POST", "/v1/opt/", 405, "method not allowed: POST /v1/opt/ (allowed: GET)", "GET"},
    };
    auto router = sample_router();
    for (const auto& row : rows) {
        INFO(row.method << " " << row.path);
        HttpRequest req;
        req.method = row.method;
        req.path = row.path;
        HttpResponse res;
        router.dispatch(req, res);
        CHECK(res.status == row.status);
        if (row.status < 400) {
            CHECK(res.body == row.body);
        } else {
            CHECK(res.content_type == "application/json");
            CHECK(json::parse(res.body) == json{{"error", row.body}});
        }
        std::string allow;
        for (const auto& [name, value] : res.headers)
            if (name == "Allow") allow = value;
        CHECK(allow == (row.allow ? row.allow : ""));
    }
}

// A connection that sends raw HTTP/1.1 and keeps the connection open.
struct RawClient {
    UniqueFd fd;
    explicit RawClient(uint16_t port) : fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) throw std::runtime_error("connect");
    }
    // Sends one GET and reads its whole answer (headers + Content-Length bytes).
    std::string get(const std::string& path) {
        std::string request = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
        if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
            throw std::runtime_error("send");
        std::string got;
        char buf[4096];
        for (;;) {
            auto end = got.find("\r\n\r\n");
            if (end != std::string::npos) {
                auto at = got.find("Content-Length: ");
                size_t length = at == std::string::npos ? 0 : std::stoul(got.substr(at + 16));
                if (got.size() >= end + 4 + length) return got;
            }
            ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
            if (n <= 0) throw std::runtime_error("connection closed");
            got.append(buf, static_cast<size_t>(n));
        }
    }
};

TEST_CASE("HTTP server: requests and answers on loopback") {
    auto router = sample_router();
    router.set_auth([](HttpRequest& req, HttpResponse& res) {
        if (req.header("Authorization") == "Bearer good") return true;
        res.set_header("WWW-Authenticate", "Bearer");
        http_error(res, 401, "who are you?");
        return false;
    });
    HttpServerOptions options;
    options.max_body = 1000;
    auto server = HttpServer::start(std::move(router), *Endpoint::parse("127.0.0.1:0"), options);
    REQUIRE(server);
    REQUIRE((*server)->bound().port != 0);
    httplib::Client client("127.0.0.1", (*server)->bound().port);
    httplib::Headers auth = {{"Authorization", "Bearer good"}, {"X-Thing", "thing value"}};

    SECTION("headers, query (decoded), peer address, method") {
        auto r = client.Get("/echo?q=a%20b&other=1", auth);
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(r->get_header_value("X-Seen") == "thing value");
        CHECK(r->get_header_value("Content-Type") == "application/json");
        CHECK(json::parse(r->body) == json{{"q", "a b"}, {"peer", "127.0.0.1"}, {"method", "GET"}});
        r = client.Get("/echo", auth);
        REQUIRE(r);
        CHECK(json::parse(r->body)["q"] == nullptr);
    }
    SECTION("a body up to the limit reaches the handler whole, also chunked") {
        std::string body(1000, 'x');
        auto r = client.Post("/echo", auth, body, "application/octet-stream");
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(r->body == body);
        std::string chunked = "POST /echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        RawClient raw((*server)->bound().port);
        ::send(raw.fd.get(), chunked.data(), chunked.size(), MSG_NOSIGNAL);
        auto answer = raw.get("/echo");  // the POST's answer comes first, then this one's
        CHECK(answer.find("\r\n\r\nabcde") != std::string::npos);
    }
    SECTION("a body over the limit is a 413, by Content-Length or as it grows") {
        auto r = client.Post("/echo", auth, std::string(1001, 'x'), "application/octet-stream");
        REQUIRE(r);
        CHECK(r->status == 413);
        CHECK(json::parse(r->body)["error"] == "request body too large (the limit is 1000 bytes)");
        httplib::Client chunked_client("127.0.0.1", (*server)->bound().port);
        size_t sent = 0;
        r = chunked_client.Post(
            "/echo", auth,
            [&sent](size_t, httplib::DataSink& sink) {
                if (sent < 1500) {
                    sink.write(std::string(500, 'y').data(), 500);
                    sent += 500;
                } else {
                    sink.done();
                }
                return true;
            },
            "application/octet-stream");
        REQUIRE(r);
        CHECK(r->status == 413);
    }
    SECTION("the auth hook runs first: 401 with its header, for known and unknown paths") {
        for (const char* path : {"/echo", "/nowhere"}) {
            auto r = client.Get(path);
            REQUIRE(r);
            CHECK(r->status == 401);
            CHECK(r->get_header_value("WWW-Authenticate") == "Bearer");
            CHECK(json::parse(r->body)["error"] == "who are you?");
        }
        // A refused POST's body is read and dropped; the connection goes on.
        auto r = client.Post("/echo", std::string(500, 'z'), "text/plain");
        REQUIRE(r);
        CHECK(r->status == 401);
        r = client.Get("/v1/zones", auth);
        REQUIRE(r);
        CHECK(r->status == 200);
    }
    SECTION("a handler's exception is a 500 JSON answer; the server goes on") {
        auto r = client.Get("/boom", auth);
        REQUIRE(r);
        CHECK(r->status == 500);
        CHECK(json::parse(r->body)["error"] == "internal error: kaput");
        r = client.Get("/v1/zones", auth);
        REQUIRE(r);
        CHECK(r->body == "zones");
    }
}

TEST_CASE("HTTP server: a taken port fails clearly, never shared") {
    auto first = HttpServer::start(sample_router(), *Endpoint::parse("127.0.0.1:0"));
    REQUIRE(first);
    auto at = (*first)->bound();
    auto second = HttpServer::start(sample_router(), at);
    REQUIRE_FALSE(second);
    CHECK(second.kind() == ErrorKind::conflict);
    CHECK(second.error() == "cannot bind TCP " + at.str() + ": Address already in use");
    // The first still answers, and the port is free again once it is gone.
    httplib::Client client("127.0.0.1", at.port);
    auto r = client.Get("/v1/zones");
    REQUIRE(r);
    CHECK(r->body == "zones");
    first->reset();
    auto again = HttpServer::start(sample_router(), at);
    CHECK(again);
}

TEST_CASE("HTTP server: 50 idle kept-alive connections cost no thread; the 51st is answered at once") {
    HttpServerOptions options;
    options.threads = 2;
    auto server = HttpServer::start(sample_router(), *Endpoint::parse("127.0.0.1:0"), options);
    REQUIRE(server);
    std::vector<std::unique_ptr<RawClient>> idle;
    for (int i = 0; i < 50; ++i) {
        idle.push_back(std::make_unique<RawClient>((*server)->bound().port));
        CHECK(idle.back()->get("/v1/zones").find("\r\n\r\nzones") != std::string::npos);
    }
    auto began = std::chrono::steady_clock::now();
    httplib::Client client("127.0.0.1", (*server)->bound().port);
    auto r = client.Get("/v1/zones");
    auto took = std::chrono::steady_clock::now() - began;
    REQUIRE(r);
    CHECK(r->body == "zones");
    // A thread-per-connection server with fewer threads waits out an idle one (5 s).
    CHECK(took < std::chrono::milliseconds(500));
    // And the idle ones are still served on their kept-alive connections.
    for (auto& c : idle) CHECK(c->get("/v1/zones").find("\r\n\r\nzones") != std::string::npos);
}


TEST_CASE("HTTP server: a connection idle past the timeout is closed") {
    HttpServerOptions options;
    options.idle_timeout_seconds = 1;
    auto server = HttpServer::start(sample_router(), *Endpoint::parse("127.0.0.1:0"), options);
    REQUIRE(server);
    RawClient idle((*server)->bound().port);
    CHECK(idle.get("/v1/zones").find("\r\n\r\nzones") != std::string::npos);
    timeval wait{4, 0};
    ::setsockopt(idle.fd.get(), SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    auto began = std::chrono::steady_clock::now();
    char byte = 0;
    CHECK(::recv(idle.fd.get(), &byte, 1, 0) == 0);  // closed by the server, not timed out here
    CHECK(std::chrono::steady_clock::now() - began < std::chrono::milliseconds(3500));
}

}  // namespace

TEST_CASE("HTTP server: IPv6 loopback, the peer's address as text") {
    auto server = HttpServer::start(sample_router(), *Endpoint::parse("[::1]:0"));
    REQUIRE(server);
    CHECK((*server)->bound().address.str() == "::1");
    httplib::Client client("::1", (*server)->bound().port);
    auto r = client.Get("/echo");
    REQUIRE(r);
    CHECK(json::parse(r->body)["peer"] == "::1");
}

TEST_CASE("HTTP server: libmicrohttpd's own messages reach the router's log") {
    auto lines = std::make_shared<std::vector<std::string>>();
    auto mutex = std::make_shared<std::mutex>();
    auto router = sample_router();
    router.set_log([lines, mutex](std::string_view line) {
        std::lock_guard lock(*mutex);
        lines->emplace_back(line);
    });
    auto server = HttpServer::start(std::move(router), *Endpoint::parse("127.0.0.1:0"));
    REQUIRE(server);
    {
        RawClient raw((*server)->bound().port);
        std::string junk = "GET /v1/zones HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n";
        ::send(raw.fd.get(), junk.data(), junk.size(), MSG_NOSIGNAL);
        char buf[512];
        while (::recv(raw.fd.get(), buf, sizeof buf, 0) > 0) {
        }
    }
    server->reset();
    std::lock_guard lock(*mutex);
    REQUIRE_FALSE(lines->empty());
    CHECK(lines->front() == "HTTP: Failed to parse `Content-Length' header. Closing connection.");
}
