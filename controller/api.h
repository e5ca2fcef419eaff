// REST API /v1 on cpp-httplib: zones, tuples, agents, status. Every request carries
// `Authorization: Bearer TOKEN`; bodies and answers are JSON; errors are
// {"error": "..."} with 400 (bad input), 401, 404, 409 or 500, and change nothing.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "address.h"
#include "controller.h"
#include "result.h"

namespace httplib {
class Server;
}

namespace patchbay {

class Watchdog;
class Alerts;

// What the API serves from; the optional parts add their routes when set.
struct ApiServices {
    Controller& controller;
    Watchdog* watchdog = nullptr;        // POST /v1/reports, GET /v1/servers…
    Alerts* alerts = nullptr;            // POST /v1/alerts/test
    std::function<std::string()> metrics = {};  // GET /metrics (Prometheus text)
};

class Api {
public:
    // Binds `listen` (port 0 = any) and serves on its own threads.
    // Errors: the endpoint cannot be bound.
    static Result<std::unique_ptr<Api>> start(ApiServices services, const Endpoint& listen);
    ~Api();
    Api(const Api&) = delete;
    Api& operator=(const Api&) = delete;

    Endpoint bound() const { return bound_; }

private:
    Api() = default;
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    Endpoint bound_;
};

}  // namespace patchbay
