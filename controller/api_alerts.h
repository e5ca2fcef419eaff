// The API's alert and metrics routes (issue 4): POST /v1/alerts/test and GET /metrics.
// Authentication is the API's own (every route, api.cpp's pre-routing handler).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "result.h"

namespace patchbay {

class Alerts;
class HttpRouter;

// POST /v1/alerts/test {"policy": "NAME", "account": "A"}: the policy to test, none =
// every policy; of account A's settings file, none = the controller config's (an
// account-admin's own account always). An empty body is {}. Errors: not JSON, not an
// object, unknown fields, a policy or account that is not text.
struct AlertTestBody {
    std::optional<std::string> policy;
    std::optional<std::string> account;
};
Result<AlertTestBody> alert_test_from(const std::string& body);

// Adds POST /v1/alerts/test (answered 404 "no alert policy is configured" without
// `alerts`) and, when `metrics` is set, GET /metrics serving its text as
// "text/plain; version=0.0.4".
void add_alert_routes(HttpRouter& router, Alerts* alerts, std::function<std::string()> metrics);

}  // namespace patchbay
