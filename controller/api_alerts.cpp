#include "api_alerts.h"

#include "alerts.h"
#include "api_access.h"
#include "api_body.h"
#include "api_reply.h"
#include "http_server.h"
#include "metrics.h"

namespace patchbay {

using nlohmann::json;

Result<AlertTestBody> alert_test_from(const std::string& text) {
    bool blank = text.find_first_not_of(" \t\r\n") == std::string::npos;
    auto body = parse_body(blank ? "{}" : text);
    if (!body) return body.failure();
    AlertTestBody out;
    for (const auto& [key, value] : body->items()) {
        if (key != "policy" && key != "account") return fail("unknown field '" + key + "' (expected: policy, account)");
        if (value.is_null()) continue;
        if (!value.is_string())
            return fail(key == "policy" ? "policy must be the name of an alert policy (text)"
                                        : "account must be the name of an account (text)");
        (key == "policy" ? out.policy : out.account) = value.get<std::string>();
    }
    return out;
}

void add_alert_routes(HttpRouter& server, Alerts* alerts, std::function<std::string()> metrics) {
    server.post("/v1/alerts/test", [alerts](const HttpRequest& req, HttpResponse& res) {
        const Principal& p = principal_of(req);
        auto asked = alert_test_from(req.body);
        if (!asked) return reply(res, 400, json{{"error", asked.error()}});
        // An account-admin tests its own account's policies; only admins the platform's.
        if (p.role == Role::account_admin) {
            if (asked->account && *asked->account != p.account)
                return reply_error(res, fail(ErrorKind::not_found, "no account '" + *asked->account + "'"));
            asked->account = p.account;
        } else if (p.role != Role::admin) {
            return forbidden(res, "only admins and account-admins may test alerts");
        }
        if (!alerts)
            return reply(res, 404, json{{"error", "no alert policy is configured (add an [[alert]] to the "
                                                       "controller config)"}});
        auto results = alerts->test(asked->policy, asked->account.value_or(""));
        if (!results) return reply_error(res, results.failure());
        json list = json::array();
        bool all_ok = true;
        for (const auto& r : *results) {
            list.push_back({{"policy", r.policy}, {"channel", r.channel}, {"ok", r.ok}, {"error", r.error}});
            all_ok = all_ok && r.ok;
        }
        // 200 even when a channel failed: the test ran; `ok` and each result say how it went.
        reply(res, 200, json{{"ok", all_ok}, {"results", list}});
    });
    if (!metrics) return;
    server.get("/metrics", [metrics = std::move(metrics)](const HttpRequest& req, HttpResponse& res) {
        if (principal_of(req).role != Role::admin)
            return forbidden(res, "only admins may read the metrics");
        res.status = 200;
        res.set_content(metrics(), kMetricsContentType);
    });
}

}  // namespace patchbay
