// How every API route answers: a JSON body, and errors as {"error": message} with the
// HTTP status their kind means (api.h). One place, so every route speaks alike.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "principal.h"
#include "result.h"

namespace patchbay {

struct HttpResponse;

// 400 invalid, 401 unauthorized, 404 not_found, 409 conflict, 503 unavailable, 500 internal.
int http_status(ErrorKind kind);

// `body` as JSON text; bad UTF-8 in what a client sent and an error quotes becomes
// U+FFFD, never a 500.
void reply(HttpResponse& res, int status, const nlohmann::json& body);

// {"error": message} with the status of its kind.
void reply_error(HttpResponse& res, const Error& error);

// 403 {"error": message}.
void forbidden(HttpResponse& res, const std::string& message);

// "role account-viewer": how a 403 names who asked.
std::string role_of(const Principal& p);

}  // namespace patchbay
