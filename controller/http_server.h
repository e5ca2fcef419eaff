// http_server: the controller's HTTP listener on GNU libmicrohttpd, event-driven (epoll,
// a few internal threads), so a kept-alive agent connection costs a socket, never a
// thread. A router of (method, path pattern) → handler in front of it: an auth hook runs
// before routing, a handler that throws becomes a 500, an unknown path a 404 and a known
// path asked with another method a 405. Every error answer is JSON {"error": "..."}.
// An answer is a whole body, or a stream (http_stream.h) sent as it is written, with the
// connection suspended while there is nothing to send.
#pragma once

#include <any>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "address.h"
#include "http_stream.h"
#include "result.h"

struct MHD_Daemon;

namespace patchbay {

struct HttpRequest {
    std::string method;  // "GET", "POST", ... as sent
    std::string path;    // percent-decoded, without the query
    std::string body;
    std::vector<std::string> matches;  // [0] the whole path, then the pattern's groups
    std::string remote_address;        // the peer's IP as text ("127.0.0.1", "::1")
    std::vector<std::pair<std::string, std::string>> headers;  // as sent
    std::vector<std::pair<std::string, std::string>> params;   // the query, decoded
    // What the auth hook found out about who asks (the API puts its Principal here);
    // empty when there is no hook.
    std::any auth;

    // The first header of that name (case-insensitive), "" when absent.
    std::string header(std::string_view name) const;
    bool has_param(std::string_view name) const;
    // The first query parameter of that name, "" when absent.
    std::string param(std::string_view name) const;
};

struct HttpResponse {
    int status = 200;
    std::string body;
    std::string content_type = "text/plain; charset=utf-8";
    std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type/-Length
    // When set, the answer's body is this stream (chunked, sent as pushed; `body` is
    // ignored) instead of `body`. The server holds it until the connection ends.
    std::shared_ptr<HttpStream> stream;

    void set_content(std::string text, std::string_view type) {
        body = std::move(text);
        content_type = type;
    }
    void set_header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

using HttpHandler = std::function<void(const HttpRequest&, HttpResponse&)>;
// Runs before routing with everything but the body; may set request.auth for the
// handlers; false = answer `response` as it left it (the body is then read and dropped,
// never handed to a handler).
using HttpAuthHook = std::function<bool(HttpRequest&, HttpResponse&)>;
using HttpLog = std::function<void(std::string_view)>;

// Routes requests to handlers. Patterns are ECMAScript regexes matched against the whole
// path (a pattern without regex characters is compared as text). Not thread-safe to
// change; add every route before HttpServer::start.
class HttpRouter {
public:
    void get(const std::string& pattern, HttpHandler handler) { add("GET", pattern, std::move(handler)); }
    void post(const std::string& pattern, HttpHandler handler) { add("POST", pattern, std::move(handler)); }
    void del(const std::string& pattern, HttpHandler handler) { add("DELETE", pattern, std::move(handler)); }
    void put(const std::string& pattern, HttpHandler handler) { add("PUT", pattern, std::move(handler)); }
    void add(std::string method, const std::string& pattern, HttpHandler handler);
    void set_auth(HttpAuthHook hook) { auth_ = std::move(hook); }
    void set_log(HttpLog log) { log_ = std::move(log); }

    // A route as added: its method and its pattern as given to add() (a regex's source).
    struct RouteName {
        std::string method;
        std::string pattern;
    };
    // Every route added, in the order they were added (docs/api.md is checked against it).
    std::vector<RouteName> routes() const;

    // The auth hook's verdict for a request whose body has not been read yet.
    bool authorize(HttpRequest& request, HttpResponse& response) const;
    // Answers `request` (auth already passed): the first route whose method and pattern
    // match, with request.matches filled; 404 "no such endpoint: METHOD PATH" when no
    // pattern matches the path, 405 with `Allow` when some match it with other methods;
    // a handler's exception is logged and answered 500 "internal error: WHAT".
    void dispatch(HttpRequest& request, HttpResponse& response) const;
    void log(std::string_view line) const;

private:
    struct Route {
        std::string method;
        std::string source;  // the pattern as given
        std::string text;    // plain: the pattern; else the text every match starts with
        std::regex pattern;
        bool plain = false;
        HttpHandler handler;

        bool matches(const std::string& path, std::smatch& groups) const;
    };
    std::vector<Route> routes_;
    HttpAuthHook auth_;
    HttpLog log_;
};

// Sets `response` to `status` with {"error": message} (bad UTF-8 replaced, never a throw).
void http_error(HttpResponse& response, int status, std::string_view message);

struct HttpServerOptions {
    unsigned threads = 2;                    // event threads, each with its own epoll
    size_t max_body = size_t{64} << 20;      // a larger body is answered 413
    unsigned idle_timeout_seconds = 120;     // a connection idle this long is closed
};

class HttpServer {
public:
    // Binds `listen` (port 0: the kernel picks; see bound()), with SO_REUSEADDR but never
    // SO_REUSEPORT, so a port another server holds fails here instead of being shared,
    // and serves `router` from the daemon's own threads until destroyed.
    // Errors: "cannot bind TCP ADDR:PORT: REASON" (kind conflict when the port is taken),
    // or the daemon cannot start.
    static Result<std::unique_ptr<HttpServer>> start(HttpRouter router, const Endpoint& listen,
                                                     HttpServerOptions options = {});
    // Stops accepting, ends every stream (a suspended connection is resumed first, as
    // libmicrohttpd requires), closes every connection and joins the threads.
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    Endpoint bound() const { return bound_; }

    // libmicrohttpd's callbacks (C linkage needs them reachable); not for callers.
    struct Glue;

private:
    HttpServer() = default;
    struct DaemonStop {
        void operator()(MHD_Daemon* d) const;
    };
    HttpRouter router_;
    HttpServerOptions options_;
    Endpoint bound_;
    // The streams being answered, so the destructor can end them before stopping the
    // daemon; once `stopping_`, a new stream is answered 503 instead.
    std::mutex streams_mutex_;
    bool stopping_ = false;
    std::vector<std::weak_ptr<HttpStream>> streams_;
    std::unique_ptr<MHD_Daemon, DaemonStop> daemon_;
};

}  // namespace patchbay
