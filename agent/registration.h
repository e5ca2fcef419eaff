// Registration with the controller: POST <controller>/v1/agents so it knows where to send
// NOTIFYs. The Manager posts through its CurlLoop (json_post.h), never blocking the loop;
// post_registration is the blocking form (2 s at most), used only without a CurlLoop.
// Retried by the Manager with backoff; failure is logged and never stops placement.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_client.h"
#include "result.h"

namespace patchbay {

// {"name": ..., "notify": "ADDR:PORT", "domains": [...]}; "notify" is left out when
// the listener is disabled (empty). Pure.
nlohmann::json registration_body(const std::string& name, const std::string& notify,
                                 const std::vector<std::string>& domains);

// The token in `path`, without surrounding whitespace. Errors name the path.
Result<std::string> read_token(const std::string& path);

// POSTs `body` to CONTROLLER/v1/agents with "Authorization: Bearer TOKEN" (none if empty).
// Errors: transport failures and non-2xx answers, with the status and body excerpt.
Result<void> post_registration(const std::string& controller, const std::string& token,
                               const nlohmann::json& body);

// What an answer to POST CONTROLLER/v1/agents means: success on 2xx; otherwise an error
// with the status and an excerpt of the body. Pure.
Result<void> registration_outcome(const std::string& controller, const ApiAnswer& answer);

}  // namespace patchbay
