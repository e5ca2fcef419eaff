// http_server (http_server.h): the router, and the glue that turns libmicrohttpd's
// access-handler calls (headers, then the body in pieces, then the end) into one
// HttpRequest and queues one HttpResponse, whole or streamed.
#include "http_server.h"

#include <microhttpd.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <strings.h>

#include "bound_socket.h"
#include "log.h"
#include "socket_address.h"

namespace patchbay {

namespace {

bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

const std::string* find(const std::vector<std::pair<std::string, std::string>>& list, std::string_view name,
                        bool ignore_case) {
    for (const auto& [key, value] : list)
        if (ignore_case ? same_name(key, name) : key == name) return &value;
    return nullptr;
}

constexpr const char* kRegexSyntax = "\\^$.|?*+()[]{}";

// A pattern without regex syntax is compared as text: no regex run per request for the
// fixed paths (POST /v1/reports is the hot one).
bool is_plain(const std::string& pattern) { return pattern.find_first_of(kRegexSyntax) == std::string::npos; }

// The text every path the regex matches starts with ("/v1/zones/" of "/v1/zones/([^/]+)"),
// so most paths are told apart without running it. Empty when alternation makes it unsure.
std::string literal_prefix(const std::string& pattern) {
    if (pattern.find('|') != std::string::npos) return "";
    size_t end = pattern.find_first_of(kRegexSyntax);
    if (end == std::string::npos) return pattern;
    // A quantifier applies to the character before it, which may then be absent.
    if (end > 0 && std::string_view("?*{").find(pattern[end]) != std::string_view::npos) --end;
    return pattern.substr(0, end);
}

std::string what_of(std::exception_ptr ep) {
    try {
        std::rethrow_exception(ep);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
    }
    return "unknown error";
}

// One request in flight: what MHD told us so far, and an answer decided before the body
// (auth refused, body too large), which makes the body be read and dropped.
struct Exchange {
    HttpRequest request;
    std::optional<HttpResponse> early;
};

struct ResponseFree {
    void operator()(MHD_Response* r) const { MHD_destroy_response(r); }
};

MHD_Result queue(MHD_Connection* connection, const HttpResponse& answer) {
    std::unique_ptr<MHD_Response, ResponseFree> response(MHD_create_response_from_buffer(
        answer.body.size(), const_cast<char*>(answer.body.data()), MHD_RESPMEM_MUST_COPY));
    if (!response) return MHD_NO;
    MHD_add_response_header(response.get(), MHD_HTTP_HEADER_CONTENT_TYPE, answer.content_type.c_str());
    for (const auto& [name, value] : answer.headers) MHD_add_response_header(response.get(), name.c_str(), value.c_str());
    return MHD_queue_response(connection, static_cast<unsigned>(answer.status), response.get());
}

// A streamed answer's hold on its stream, from MHD_queue_response until libmicrohttpd
// frees the response (the connection ended, whoever closed it).
struct StreamSlot {
    std::shared_ptr<HttpStream> stream;
};

// Preferred size of one read from a stream (advisory; one SSE event is far smaller).
constexpr size_t kStreamBlock = 8192;

ssize_t read_stream(void* cls, uint64_t, char* buf, size_t max) noexcept {
    try {
        auto got = static_cast<StreamSlot*>(cls)->stream->read(buf, max);
        switch (got.what) {
            case HttpStream::Read::data: return static_cast<ssize_t>(got.bytes);
            case HttpStream::Read::parked: return 0;  // suspended: called again after the resume
            case HttpStream::Read::end: return MHD_CONTENT_READER_END_OF_STREAM;
            case HttpStream::Read::error: break;
        }
    } catch (...) {
    }
    return MHD_CONTENT_READER_END_WITH_ERROR;  // closes the connection
}

void free_stream(void* cls) noexcept {
    auto* slot = static_cast<StreamSlot*>(cls);
    slot->stream->detach();
    delete slot;
}

MHD_Result collect(void* cls, MHD_ValueKind, const char* key, size_t key_size, const char* value, size_t value_size) {
    auto* list = static_cast<std::vector<std::pair<std::string, std::string>>*>(cls);
    list->emplace_back(std::string(key, key_size), value ? std::string(value, value_size) : std::string());
    return MHD_YES;
}

// The first call for a request: everything but the body.
void start_request(HttpRequest& request, MHD_Connection* connection, const char* url, const char* method) {
    request.method = method;
    request.path = url;
    MHD_get_connection_values_n(connection, MHD_HEADER_KIND, collect, &request.headers);
    MHD_get_connection_values_n(connection, MHD_GET_ARGUMENT_KIND, collect, &request.params);
    if (const auto* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS)) {
        if (auto peer = Address::from_sockaddr(info->client_addr)) request.remote_address = peer->str();
    }
}

std::optional<unsigned long long> content_length(const HttpRequest& request) {
    auto text = request.header(MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (text.empty()) return std::nullopt;
    char* end = nullptr;
    unsigned long long n = std::strtoull(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0') return std::nullopt;
    return n;
}

std::string too_large(size_t limit) {
    return "request body too large (the limit is " + std::to_string(limit) + " bytes)";
}

// Room for what else the controller opens (SQLite, DNS sockets, NOTIFY, alert senders).
constexpr rlim_t kReservedFds = 128;

unsigned connection_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 10000;
    rlim_t room = limit.rlim_cur > 2 * kReservedFds ? limit.rlim_cur - kReservedFds : limit.rlim_cur / 2;
    return static_cast<unsigned>(std::min<rlim_t>(room, 1000000));
}

}  // namespace

std::string HttpRequest::header(std::string_view name) const {
    const auto* v = find(headers, name, true);
    return v ? *v : std::string();
}

bool HttpRequest::has_param(std::string_view name) const { return find(params, name, false) != nullptr; }

std::string HttpRequest::param(std::string_view name) const {
    const auto* v = find(params, name, false);
    return v ? *v : std::string();
}

void http_error(HttpResponse& response, int status, std::string_view message) {
    using nlohmann::json;
    response.status = status;
    // Error texts may quote what a client sent: bad UTF-8 becomes U+FFFD, never a throw.
    response.set_content(
        json{{"error", message}}.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", "application/json");
}

void HttpRouter::add(std::string method, const std::string& pattern, HttpHandler handler) {
    Route route{std::move(method), pattern, pattern, {}, is_plain(pattern), std::move(handler)};
    if (!route.plain) {
        route.pattern = std::regex(pattern);
        route.text = literal_prefix(pattern);
    }
    routes_.push_back(std::move(route));
}

std::vector<HttpRouter::RouteName> HttpRouter::routes() const {
    std::vector<RouteName> out;
    out.reserve(routes_.size());
    for (const auto& r : routes_) out.push_back(RouteName{r.method, r.source});
    return out;
}

void HttpRouter::log(std::string_view line) const {
    if (log_) return log_(line);
    log_error(line);
}

bool HttpRouter::authorize(HttpRequest& request, HttpResponse& response) const {
    if (!auth_) return true;
    try {
        return auth_(request, response);
    } catch (...) {
        log("HTTP " + request.method + " " + request.path + ": auth failed: " + what_of(std::current_exception()));
        response = HttpResponse{};
        http_error(response, 500, "internal error: " + what_of(std::current_exception()));
        return false;
    }
}

bool HttpRouter::Route::matches(const std::string& path, std::smatch& groups) const {
    if (plain) return path == text;
    return path.compare(0, text.size(), text) == 0 && std::regex_match(path, groups, pattern);
}

void HttpRouter::dispatch(HttpRequest& request, HttpResponse& response) const {
    std::smatch groups;
    for (const auto& route : routes_) {
        if (route.method != request.method || !route.matches(request.path, groups)) continue;
        request.matches.clear();
        if (route.plain) {
            request.matches.push_back(request.path);
        } else {
            for (const auto& g : groups) request.matches.push_back(g.str());
        }
        try {
            route.handler(request, response);
        } catch (...) {
            std::string what = what_of(std::current_exception());
            log("API " + request.method + " " + request.path + " failed: " + what);
            response = HttpResponse{};
            http_error(response, 500, "internal error: " + what);
        }
        return;
    }
    std::string allowed;
    for (const auto& route : routes_)
        if (route.matches(request.path, groups) && allowed.find(route.method) == std::string::npos)
            allowed += (allowed.empty() ? "" : ", ") + route.method;
    if (!allowed.empty()) {
        // RFC 9110 §15.5.6: 405 names the methods the path has.
        http_error(response, 405, "method not allowed: " + request.method + " " + request.path + " (allowed: " +
                                      allowed + ")");
        response.set_header("Allow", allowed);
        return;
    }
    http_error(response, 404, "no such endpoint: " + request.method + " " + request.path);
}

struct HttpServer::Glue {
    static MHD_Result access(void* cls, MHD_Connection* connection, const char* url, const char* method,
                             const char*, const char* upload, size_t* upload_size, void** state) noexcept {
        auto* server = static_cast<HttpServer*>(cls);
        try {
            auto* exchange = static_cast<Exchange*>(*state);
            if (exchange == nullptr) {
                auto fresh = std::make_unique<Exchange>();
                start_request(fresh->request, connection, url, method);
                auto length = content_length(fresh->request);
                if (length && *length > server->options_.max_body) {
                    // Answered before the body: a client that sent "Expect: 100-continue"
                    // never sends it, the connection is closed after the answer.
                    HttpResponse refused;
                    http_error(refused, 413, too_large(server->options_.max_body));
                    return queue(connection, refused);
                }
                HttpResponse refused;
                if (!server->router_.authorize(fresh->request, refused)) fresh->early = std::move(refused);
                *state = fresh.release();
                return MHD_YES;
            }
            if (*upload_size > 0) {
                auto& body = exchange->request.body;
                if (!exchange->early) {
                    if (body.size() + *upload_size > server->options_.max_body) {
                        exchange->early.emplace();  // a chunked body that grew past the limit
                        http_error(*exchange->early, 413, too_large(server->options_.max_body));
                        std::string().swap(body);
                    } else {
                        body.append(upload, *upload_size);
                    }
                }
                *upload_size = 0;
                return MHD_YES;
            }
            if (exchange->early) return queue(connection, *exchange->early);
            HttpResponse response;
            server->router_.dispatch(exchange->request, response);
            if (response.stream) return queue_stream(server, connection, response);
            return queue(connection, response);
        } catch (...) {  // out of memory, most likely: drop this connection, keep serving
            server->router_.log(std::string("HTTP ") + method + " " + url + ": " + what_of(std::current_exception()));
            return MHD_NO;
        }
    }

    static MHD_Result queue_stream(HttpServer* server, MHD_Connection* connection, const HttpResponse& answer) {
        {
            std::lock_guard lock(server->streams_mutex_);
            if (server->stopping_) {
                HttpResponse refused;
                http_error(refused, 503, "the server is stopping");
                return queue(connection, refused);
            }
            std::erase_if(server->streams_, [](const auto& s) { return s.expired(); });
            server->streams_.push_back(answer.stream);
        }
        // Both run from HttpStream with its lock held: suspend from this connection's
        // reader callback (where libmicrohttpd allows it), resume from any thread.
        answer.stream->attach([connection] { MHD_suspend_connection(connection); },
                              [connection] { MHD_resume_connection(connection); });
        auto slot = std::make_unique<StreamSlot>(StreamSlot{answer.stream});
        std::unique_ptr<MHD_Response, ResponseFree> response(MHD_create_response_from_callback(
            MHD_SIZE_UNKNOWN, kStreamBlock, &read_stream, slot.get(), &free_stream));
        if (!response) {
            answer.stream->detach();
            return MHD_NO;
        }
        slot.release();  // free_stream owns it now
        MHD_add_response_header(response.get(), MHD_HTTP_HEADER_CONTENT_TYPE, answer.content_type.c_str());
        for (const auto& [name, value] : answer.headers)
            MHD_add_response_header(response.get(), name.c_str(), value.c_str());
        return MHD_queue_response(connection, static_cast<unsigned>(answer.status), response.get());
    }

    static void completed(void*, MHD_Connection*, void** state, MHD_RequestTerminationCode) noexcept {
        delete static_cast<Exchange*>(*state);
        *state = nullptr;
    }

    static void log(void* cls, const char* format, va_list ap) noexcept {
        char line[512];
        int n = std::vsnprintf(line, sizeof line, format, ap);
        if (n <= 0) return;
        std::string_view text(line, std::min(static_cast<size_t>(n), sizeof line - 1));
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
        try {
            static_cast<HttpServer*>(cls)->router_.log("HTTP: " + std::string(text));
        } catch (...) {
        }
    }
};

void HttpServer::DaemonStop::operator()(MHD_Daemon* d) const { MHD_stop_daemon(d); }

Result<std::unique_ptr<HttpServer>> HttpServer::start(HttpRouter router, const Endpoint& listen,
                                                      HttpServerOptions options) {
    SocketOptions socket_options;
    socket_options.backlog = 1024;  // agents reconnect together after a controller restart
    auto fd = open_bound_socket(listen, SocketType::tcp, socket_options);
    if (!fd) return fd.failure();
    auto bound = local_endpoint(fd->get());
    if (!bound) return bound.failure();

    std::unique_ptr<HttpServer> server(new HttpServer());
    server->router_ = std::move(router);
    server->options_ = options;
    server->bound_ = *bound;
    // Suspend/resume: a stream with nothing to send parks its connection (http_stream.h).
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    if (listen.address.family == Family::v6) flags |= MHD_USE_IPv6;
    MHD_Daemon* daemon = MHD_start_daemon(
        flags, 0, nullptr, nullptr, &Glue::access, server.get(),
        MHD_OPTION_EXTERNAL_LOGGER, &Glue::log, server.get(),  // first, so it hears about the rest
        MHD_OPTION_LISTEN_SOCKET, static_cast<MHD_socket>(fd->get()),
        MHD_OPTION_NOTIFY_COMPLETED, &Glue::completed, server.get(),
        MHD_OPTION_THREAD_POOL_SIZE, std::max(1u, options.threads),
        MHD_OPTION_CONNECTION_TIMEOUT, options.idle_timeout_seconds,
        MHD_OPTION_CONNECTION_LIMIT, connection_limit(),
        MHD_OPTION_END);
    if (daemon == nullptr) return fail(ErrorKind::unavailable, "cannot start the HTTP server on " + bound->str());
    fd->release();  // MHD_stop_daemon closes the listening socket
    server->daemon_.reset(daemon);
    return server;
}

HttpServer::~HttpServer() {
    // MHD_stop_daemon must find no connection suspended: end every stream, which resumes a
    // parked one, and an ended stream never parks again (it answers its end instead).
    std::vector<std::weak_ptr<HttpStream>> live;
    {
        std::lock_guard lock(streams_mutex_);
        stopping_ = true;
        live.swap(streams_);
    }
    for (const auto& weak : live)
        if (auto stream = weak.lock()) stream->end();
    daemon_.reset();
}

}  // namespace patchbay
