// The agent's optional /metrics (issue 4, docs/metrics.md): a small HTTP server
// (cpp-httplib) on a thread of its own that answers GET /metrics with the Prometheus
// text a callback gives. It never touches the agent's sd-event loop: the callback runs
// on the server's thread, so it must be thread-safe — e.g. read a text the loop
// publishes under a mutex (MetricsText below).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "address.h"
#include "result.h"

namespace httplib {
class Server;
}

namespace patchbay {

// The latest metrics text: the loop publishes, the server's thread reads.
class MetricsText {
public:
    void publish(std::string text) {
        std::lock_guard lock(mutex_);
        text_ = std::move(text);
    }
    std::string read() const {
        std::lock_guard lock(mutex_);
        return text_;
    }

private:
    mutable std::mutex mutex_;
    std::string text_;
};

class MetricsServer {
public:
    // Binds `listen` (port 0 = any) and serves GET /metrics with `text()` as
    // "text/plain; version=0.0.4"; anything else is 404. Errors: the address cannot be
    // bound ("cannot listen for /metrics on ADDR:PORT").
    static Result<std::unique_ptr<MetricsServer>> start(const Endpoint& listen, std::function<std::string()> text);
    // Stops serving and joins the thread.
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    Endpoint bound() const { return bound_; }

private:
    MetricsServer() = default;
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    Endpoint bound_;
};

}  // namespace patchbay
