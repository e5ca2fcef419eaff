// A client of the controller's REST API (the CLI's, and the agent's registration): one
// JSON request over libcurl, the answer as a value.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "result.h"

namespace patchbay {

struct ApiAnswer {
    long status = 0;
    nlohmann::json body;  // null when the answer had no JSON
};

class ApiClient {
public:
    struct Timeouts {
        long connect_ms = 3000;
        long total_ms = 15000;
    };

    // `base` like "http://127.0.0.1:8080"; `token` sent as a bearer token (none if empty).
    ApiClient(std::string base, std::string token, Timeouts timeouts);

    // Sends METHOD base+path with an optional JSON body. HTTP errors are answers
    // (look at .status); errors are only for transport failures (kind unavailable).
    Result<ApiAnswer> call(const std::string& method, const std::string& path,
                           const nlohmann::json* body = nullptr) const;

    // Percent-encodes one path segment.
    static std::string segment(const std::string& text);

private:
    std::string base_;
    std::string token_;
    Timeouts timeouts_;
};

}  // namespace patchbay
