#include "api.h"

#include <sched.h>

#include <algorithm>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "api_alerts.h"
#include "api_body.h"
#include "api_watchdog.h"
#include "http_server.h"

namespace patchbay {

namespace {

using nlohmann::json;

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

void reply(HttpResponse& res, int status, const json& body) {
    res.status = status;
    // Error texts may quote what a client sent: bad UTF-8 becomes U+FFFD, never a 500.
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", "application/json");
}

void reply_error(HttpResponse& res, const Error& error) {
    reply(res, http_status(error.kind), json{{"error", error.message}});
}

json to_json(const ZoneRow& z) { return {{"name", z.name}, {"serial", z.serial}}; }

json to_json(const Tuple& t) {
    return {{"zone", t.domain},          {"service", t.key.service}, {"transport", t.key.transport},
            {"address", t.key.address.str()}, {"port", t.key.port},  {"priority", t.priority},
            {"weight", t.weight},        {"target", t.target}};
}

json to_json(const AgentRow& a) {
    return {{"name", a.name}, {"notify", a.notify ? json(a.notify->str()) : json(nullptr)}, {"domains", a.domains},
            {"registered_at", a.registered_at}};
}

json to_json(const Change& c) { return {{"zone", c.zone}, {"serial", c.serial}, {"changed", c.changed}}; }

std::string bearer(const HttpRequest& req) {
    auto header = req.header("Authorization");
    constexpr std::string_view prefix = "Bearer ";
    if (header.size() <= prefix.size() || header.compare(0, prefix.size(), prefix) != 0) return "";
    return header.substr(prefix.size());
}

void routes(HttpRouter& s, Controller& c) {
    s.get("/v1/zones", [&c](const HttpRequest&, HttpResponse& res) {
        auto zones = c.zones();
        if (!zones) return reply_error(res, zones.failure());
        json out = json::array();
        for (const auto& z : *zones) out.push_back(to_json(z));
        reply(res, 200, out);
    });
    s.post("/v1/zones", [&c](const HttpRequest& req, HttpResponse& res) {
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto name = zone_name_from(*body);
        if (!name) return reply_error(res, name.failure());
        auto change = c.add_zone(*name);
        if (!change) return reply_error(res, change.failure());
        reply(res, 201, to_json(*change));
    });
    s.post("/v1/zones/import", [&c](const HttpRequest& req, HttpResponse& res) {
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto file = zone_import_from(*body);
        if (!file) return reply_error(res, file.failure());
        auto done = c.import_zone(file->text, file->zone, file->source);
        if (!done) return reply_error(res, done.failure());
        json out = to_json(done->change);
        out["tuples"] = done->tuples;
        out["records"] = done->records;
        reply(res, done->change.changed ? 201 : 200, out);
    });
    s.get(R"(/v1/zones/([^/]+)/export)", [&c](const HttpRequest& req, HttpResponse& res) {
        auto text = c.export_zone(req.matches[1]);
        if (!text) return reply_error(res, text.failure());
        reply(res, 200, json{{"zone", req.matches[1]}, {"text", *text}});
    });
    s.del(R"(/v1/zones/([^/]+))", [&c](const HttpRequest& req, HttpResponse& res) {
        auto change = c.remove_zone(req.matches[1]);
        if (!change) return reply_error(res, change.failure());
        reply(res, 200, to_json(*change));
    });
    auto list_tuples = [&c](const std::optional<std::string>& zone, HttpResponse& res) {
        auto tuples = c.tuples(zone);
        if (!tuples) return reply_error(res, tuples.failure());
        json out = json::array();
        for (const auto& t : *tuples) out.push_back(to_json(t));
        reply(res, 200, out);
    };
    s.get("/v1/tuples", [list_tuples](const HttpRequest& req, HttpResponse& res) {
        list_tuples(req.has_param("zone") ? std::optional(req.param("zone")) : std::nullopt, res);
    });
    s.get(R"(/v1/zones/([^/]+)/tuples)", [list_tuples](const HttpRequest& req, HttpResponse& res) {
        list_tuples(req.matches[1], res);
    });
    s.post(R"(/v1/zones/([^/]+)/tuples)", [&c](const HttpRequest& req, HttpResponse& res) {
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto tuple = tuple_from(req.matches[1], *body);
        if (!tuple) return reply_error(res, tuple.failure());
        auto change = c.put_tuple(*tuple);
        if (!change) return reply_error(res, change.failure());
        json out = to_json(*change);
        out["tuple"] = to_json(*tuple);
        reply(res, change->changed ? 201 : 200, out);
    });
    s.del(R"(/v1/zones/([^/]+)/tuples/([^/]+)/([^/]+)/([^/]+)/([^/]+))",
             [&c](const HttpRequest& req, HttpResponse& res) {
                 auto tuple = parse_tuple(req.matches[1], req.matches[2], req.matches[3],
                                         req.matches[4], req.matches[5]);
                 if (!tuple) return reply_error(res, tuple.failure());
                 auto change = c.remove_tuple(tuple->domain, tuple->key);
                 if (!change) return reply_error(res, change.failure());
                 reply(res, 200, to_json(*change));
             });
    s.post("/v1/agents", [&c](const HttpRequest& req, HttpResponse& res) {
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto agent = agent_from(*body, req.remote_address, static_cast<int64_t>(std::time(nullptr)));
        if (!agent) return reply_error(res, agent.failure());
        if (auto r = c.register_agent(*agent); !r) return reply_error(res, r.failure());
        reply(res, 200, to_json(*agent));
    });
    s.get("/v1/agents", [&c](const HttpRequest&, HttpResponse& res) {
        auto agents = c.agents();
        if (!agents) return reply_error(res, agents.failure());
        json out = json::array();
        for (const auto& a : *agents) out.push_back(to_json(a));
        reply(res, 200, out);
    });
    s.get("/v1/status", [&c](const HttpRequest&, HttpResponse& res) {
        auto status = c.status();
        if (!status) return reply_error(res, status.failure());
        json zones = json::array(), agents = json::array();
        for (const auto& z : status->zones) zones.push_back(to_json(z));
        for (const auto& a : status->agents) agents.push_back(to_json(a));
        reply(res, 200, {{"zones", zones}, {"agents", agents}, {"tuples", status->tuples}});
    });
}

// One event thread per CPU this process may run on, 1 to 4: idle connections cost no
// thread, and two threads on one core only add switches (bench/README.md). The price: a
// slow handler (a big zone import) holds up the connections of its thread.
unsigned api_threads() {
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    int n = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : 2;
    return static_cast<unsigned>(std::clamp(n, 1, 4));
}

}  // namespace

Result<std::unique_ptr<Api>> Api::start(ApiServices services, const Endpoint& listen) {
    Controller& controller = services.controller;
    HttpRouter router;
    router.set_auth([&controller](const HttpRequest& req, HttpResponse& res) {
        if (controller.authorized(bearer(req))) return true;
        res.set_header("WWW-Authenticate", "Bearer");
        reply(res, 401, json{{"error", "missing or unknown API token (send Authorization: Bearer TOKEN)"}});
        return false;
    });
    routes(router, controller);
    if (services.watchdog) watchdog_routes(router, *services.watchdog);
    add_alert_routes(router, services.alerts, services.metrics);

    HttpServerOptions options;
    options.threads = api_threads();
    options.max_body = size_t{64} << 20;  // a zone file of some 500,000 records
    auto server = HttpServer::start(std::move(router), listen, options);
    if (!server) return Error{"cannot start the API: " + server.error(), server.kind()};
    std::unique_ptr<Api> api(new Api());
    api->bound_ = (*server)->bound();
    api->server_ = std::move(*server);
    return api;
}

Api::~Api() = default;

}  // namespace patchbay
