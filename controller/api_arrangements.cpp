#include "api_arrangements.h"

#include "api_access.h"
#include "api_body.h"
#include "api_reply.h"
#include "arrangements.h"
#include "http_server.h"
#include "watchdog.h"

namespace patchbay {

void arrangement_routes(HttpRouter& router, Arrangements& arrangements) {
    constexpr const char* kOne = R"(/v1/arrangements/([^/]+))";
    router.get("/v1/arrangements", [&arrangements](const HttpRequest& req, HttpResponse& res) {
        auto all = arrangements.list(owner_of(principal_of(req)));
        if (!all) return reply_error(res, all.failure());
        nlohmann::json out = nlohmann::json::array();
        for (const auto& a : *all) out.push_back(arrangement_json(a));
        reply(res, 200, out);
    });
    router.get(kOne, [&arrangements](const HttpRequest& req, HttpResponse& res) {
        auto a = arrangements.get(owner_of(principal_of(req)), req.matches[1]);
        if (!a) return reply_error(res, a.failure());
        reply(res, 200, arrangement_json(*a));
    });
    router.put(kOne, [&arrangements](const HttpRequest& req, HttpResponse& res) {
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto a = arrangement_from(*body, req.matches[1]);
        if (!a) return reply_error(res, a.failure());
        a->at_ms = unix_ms_now();
        if (auto done = arrangements.put(owner_of(principal_of(req)), *a); !done) return reply_error(res, done.failure());
        reply(res, 200, arrangement_json(*a));
    });
    router.del(kOne, [&arrangements](const HttpRequest& req, HttpResponse& res) {
        const std::string name = req.matches[1];
        if (auto done = arrangements.remove(owner_of(principal_of(req)), name); !done)
            return reply_error(res, done.failure());
        reply(res, 200, {{"removed", name}});
    });
}

}  // namespace patchbay
