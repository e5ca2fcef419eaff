#include "api_drains.h"

#include "api_access.h"
#include "api_body.h"
#include "api_reply.h"
#include "controller.h"
#include "drain.h"
#include "http_server.h"
#include "span.h"
#include "watchdog.h"

namespace patchbay {

namespace {

using nlohmann::json;

bool refused(const HttpRequest& req, HttpResponse& res) {
    const Principal& p = principal_of(req);
    if (p.role == Role::admin) return false;
    reply(res, 403, json{{"error", "role " + std::string(role_name(p.role)) +
                                       " may not drain: an address may hold other accounts' tuples (admins only)"}});
    return true;
}

Result<Address> address_in_path(const std::string& text) {
    auto a = Address::parse(text);
    if (!a) return fail("address: " + a.error());
    return a;
}

}  // namespace

Result<DrainRequest> drain_request(const json& body) {
    if (!body.is_object()) return fail("body: must be a JSON object");
    for (const auto& [key, value] : body.items())
        if (key != "address" && key != "grace") return fail(key + ": unknown field");
    auto address = body.find("address");
    if (address == body.end() || !address->is_string()) return fail("address: is required, an IPv4 or IPv6 address");
    auto a = Address::parse(address->get<std::string>());
    if (!a) return fail("address: " + a.error());
    DrainRequest r{*a, kDefaultGraceMs};
    if (auto grace = body.find("grace"); grace != body.end()) {
        if (!grace->is_string()) return fail("grace: must be a duration like \"30s\" or \"0s\"");
        std::string text = grace->get<std::string>();
        if (text == "0" || text == "0s") {
            r.grace_ms = 0;
        } else {
            auto ms = parse_span(text, "grace");
            if (!ms) return ms.failure();
            if (*ms > kMaxGraceMs) return fail("grace: at most 7d, got '" + text + "'");
            r.grace_ms = *ms;
        }
    }
    return r;
}

void drain_routes(HttpRouter& router, Controller& c) {
    router.post("/v1/drains", [&c](const HttpRequest& req, HttpResponse& res) {
        if (refused(req, res)) return;
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto asked = drain_request(*body);
        if (!asked) return reply_error(res, asked.failure());
        auto row = c.drain(asked->address, asked->grace_ms, unix_ms_now(), change_author(principal_of(req)));
        if (!row) return reply_error(res, row.failure());
        reply(res, 201, drain_json(*row));
    });
    router.get("/v1/drains", [&c](const HttpRequest& req, HttpResponse& res) {
        if (refused(req, res)) return;
        auto rows = c.drains();
        if (!rows) return reply_error(res, rows.failure());
        json out = json::array();
        for (const auto& d : *rows) out.push_back(drain_json(d));
        reply(res, 200, out);
    });
    router.get(R"(/v1/drains/([^/]+))", [&c](const HttpRequest& req, HttpResponse& res) {
        if (refused(req, res)) return;
        auto address = address_in_path(req.matches[1]);
        if (!address) return reply_error(res, address.failure());
        auto rows = c.drains();
        if (!rows) return reply_error(res, rows.failure());
        for (const auto& d : *rows)
            if (d.address == *address) return reply(res, 200, drain_json(d));
        reply_error(res, fail(ErrorKind::not_found, address->str() + " is not drained"));
    });
    router.del(R"(/v1/drains/([^/]+))", [&c](const HttpRequest& req, HttpResponse& res) {
        if (refused(req, res)) return;
        auto address = address_in_path(req.matches[1]);
        if (!address) return reply_error(res, address.failure());
        auto row = c.undrain(*address, change_author(principal_of(req)));
        if (!row) return reply_error(res, row.failure());
        json out = drain_json(*row);
        out["state"] = "undrained";
        reply(res, 200, out);
    });
}

}  // namespace patchbay
