// REST API /v1 on cpp-httplib: zones, tuples, agents, status. Every request carries
// `Authorization: Bearer TOKEN`; bodies and answers are JSON; errors are
// {"error": "..."} with 400 (bad input), 401, 404, 409 or 500, and change nothing.
#pragma once

#include <memory>
#include <thread>

#include "address.h"
#include "controller.h"
#include "result.h"

namespace httplib {
class Server;
}

namespace patchbay {

class Api {
public:
    // Binds `listen` (port 0 = any) and serves on its own threads.
    // Errors: the endpoint cannot be bound.
    static Result<std::unique_ptr<Api>> start(Controller& controller, const Endpoint& listen);
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
