#include "metrics_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include "log.h"
#include "metrics.h"

namespace patchbay {

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const Endpoint& listen,
                                                            std::function<std::string()> text) {
    std::unique_ptr<MetricsServer> ms(new MetricsServer());
    ms->server_ = std::make_unique<httplib::Server>();
    auto& s = *ms->server_;
    s.Get("/metrics", [text = std::move(text)](const httplib::Request&, httplib::Response& res) {
        res.set_content(text(), kMetricsContentType);
    });
    s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown error";
        try {
            std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
        }
        log_error("metrics: GET /metrics failed: " + what);
        res.status = 500;
        res.set_content("metrics failed: " + what + "\n", "text/plain");
    });
    // SO_REUSEADDR only: httplib's default SO_REUSEPORT would let a second server share
    // the port silently instead of failing to bind.
    s.set_socket_options([](int sock) {
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    std::string host = listen.address.str();
    int port = listen.port;
    if (port == 0) port = s.bind_to_any_port(host);
    else if (!s.bind_to_port(host, port)) port = -1;
    if (port <= 0) return fail(ErrorKind::unavailable, "cannot listen for /metrics on " + listen.str());
    ms->bound_ = Endpoint{listen.address, static_cast<uint16_t>(port)};
    ms->thread_ = std::thread([server = ms->server_.get()] { server->listen_after_bind(); });
    return ms;
}

MetricsServer::~MetricsServer() {
    // stop() only reaches a server that is listening: give the thread a moment to get there.
    for (int i = 0; i < 1000 && thread_.joinable() && !server_->is_running(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
}

}  // namespace patchbay
