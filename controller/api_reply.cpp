#include "api_reply.h"

#include "http_server.h"

namespace patchbay {

int http_status(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::invalid: return 400;
        case ErrorKind::unauthorized: return 401;
        case ErrorKind::not_found: return 404;
        case ErrorKind::conflict: return 409;
        case ErrorKind::unavailable: return 503;
        case ErrorKind::internal: return 500;
    }
    return 500;
}

void reply(HttpResponse& res, int status, const nlohmann::json& body) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", "application/json");
}

void reply_error(HttpResponse& res, const Error& error) {
    reply(res, http_status(error.kind), nlohmann::json{{"error", error.message}});
}

void forbidden(HttpResponse& res, const std::string& message) { reply(res, 403, nlohmann::json{{"error", message}}); }

std::string role_of(const Principal& p) { return "role " + std::string(role_name(p.role)); }

}  // namespace patchbay
