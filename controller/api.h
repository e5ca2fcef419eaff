// REST API /v1 on libmicrohttpd (http_server.h): zones, tuples, agents, status, accounts
// and tokens. Every request carries `Authorization: Bearer TOKEN`, which names a role and
// an account (docs/accounts.md): listings show the caller's account only, another
// account's things answer 404 as if absent. Bodies and answers are JSON; errors are
// {"error": "..."} with 400 (bad input), 401, 403 (the role may not), 404, 405 (a known
// path, another method), 409, 413 (a body over 64 MiB) or 500, and change nothing.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "address.h"
#include "controller.h"
#include "result.h"

namespace patchbay {

class HttpServer;
class HttpRouter;
class Watchdog;
class Alerts;
class Arrangements;
class EventHub;

// What the API serves from; the optional parts add their routes when set.
struct ApiServices {
    Controller& controller;
    Watchdog* watchdog = nullptr;        // POST /v1/reports, GET /v1/servers…
    Alerts* alerts = nullptr;            // POST /v1/alerts/test
    std::function<std::string()> metrics = {};  // GET /metrics (Prometheus text)
    Arrangements* arrangements = nullptr;        // /v1/arrangements (the timelines page's layouts)
    EventHub* events = nullptr;                  // GET /v1/events (the page's live stream)
};

// Every route of the API over `services` (those of the optional parts only when set),
// behind the token check, as Api::start serves them; the objects `services` names must
// outlive the router. docs/api.md documents exactly these (tests/unit/controller/
// api_reference_test.cpp).
HttpRouter api_router(const ApiServices& services);

class Api {
public:
    // Binds `listen` (port 0 = any; never shared with another server) and serves on a
    // few event threads (one per CPU this process may run on, 1 to 4).
    // Errors: the endpoint cannot be bound ("cannot bind API ADDR:PORT: REASON").
    static Result<std::unique_ptr<Api>> start(ApiServices services, const Endpoint& listen);
    ~Api();
    Api(const Api&) = delete;
    Api& operator=(const Api&) = delete;

    Endpoint bound() const { return bound_; }

private:
    Api() = default;
    std::unique_ptr<HttpServer> server_;
    Endpoint bound_;
};

}  // namespace patchbay
