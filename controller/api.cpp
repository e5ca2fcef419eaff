#include "api.h"

#include <httplib.h>

#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "api_alerts.h"
#include "api_body.h"
#include "api_watchdog.h"

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

void reply(httplib::Response& res, int status, const json& body) {
    res.status = status;
    // Error texts may quote what a client sent: bad UTF-8 becomes U+FFFD, never a 500.
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", "application/json");
}

void reply_error(httplib::Response& res, const Error& error) {
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

std::string bearer(const httplib::Request& req) {
    auto header = req.get_header_value("Authorization");
    constexpr std::string_view prefix = "Bearer ";
    if (header.size() <= prefix.size() || header.compare(0, prefix.size(), prefix) != 0) return "";
    return header.substr(prefix.size());
}

void routes(httplib::Server& s, Controller& c) {
    s.Get("/v1/zones", [&c](const httplib::Request&, httplib::Response& res) {
        auto zones = c.zones();
        if (!zones) return reply_error(res, zones.failure());
        json out = json::array();
        for (const auto& z : *zones) out.push_back(to_json(z));
        reply(res, 200, out);
    });
    s.Post("/v1/zones", [&c](const httplib::Request& req, httplib::Response& res) {
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto name = zone_name_from(*body);
        if (!name) return reply_error(res, name.failure());
        auto change = c.add_zone(*name);
        if (!change) return reply_error(res, change.failure());
        reply(res, 201, to_json(*change));
    });
    s.Post("/v1/zones/import", [&c](const httplib::Request& req, httplib::Response& res) {
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
    s.Get(R"(/v1/zones/([^/]+)/export)", [&c](const httplib::Request& req, httplib::Response& res) {
        auto text = c.export_zone(req.matches[1]);
        if (!text) return reply_error(res, text.failure());
        reply(res, 200, json{{"zone", req.matches[1].str()}, {"text", *text}});
    });
    s.Delete(R"(/v1/zones/([^/]+))", [&c](const httplib::Request& req, httplib::Response& res) {
        auto change = c.remove_zone(req.matches[1]);
        if (!change) return reply_error(res, change.failure());
        reply(res, 200, to_json(*change));
    });
    auto list_tuples = [&c](const std::optional<std::string>& zone, httplib::Response& res) {
        auto tuples = c.tuples(zone);
        if (!tuples) return reply_error(res, tuples.failure());
        json out = json::array();
        for (const auto& t : *tuples) out.push_back(to_json(t));
        reply(res, 200, out);
    };
    s.Get("/v1/tuples", [list_tuples](const httplib::Request& req, httplib::Response& res) {
        list_tuples(req.has_param("zone") ? std::optional(req.get_param_value("zone")) : std::nullopt, res);
    });
    s.Get(R"(/v1/zones/([^/]+)/tuples)", [list_tuples](const httplib::Request& req, httplib::Response& res) {
        list_tuples(std::string(req.matches[1]), res);
    });
    s.Post(R"(/v1/zones/([^/]+)/tuples)", [&c](const httplib::Request& req, httplib::Response& res) {
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
    s.Delete(R"(/v1/zones/([^/]+)/tuples/([^/]+)/([^/]+)/([^/]+)/([^/]+))",
             [&c](const httplib::Request& req, httplib::Response& res) {
                 auto tuple = parse_tuple(req.matches[1].str(), req.matches[2].str(), req.matches[3].str(),
                                         req.matches[4].str(), req.matches[5].str());
                 if (!tuple) return reply_error(res, tuple.failure());
                 auto change = c.remove_tuple(tuple->domain, tuple->key);
                 if (!change) return reply_error(res, change.failure());
                 reply(res, 200, to_json(*change));
             });
    s.Post("/v1/agents", [&c](const httplib::Request& req, httplib::Response& res) {
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto agent = agent_from(*body, req.remote_addr, static_cast<int64_t>(std::time(nullptr)));
        if (!agent) return reply_error(res, agent.failure());
        if (auto r = c.register_agent(*agent); !r) return reply_error(res, r.failure());
        reply(res, 200, to_json(*agent));
    });
    s.Get("/v1/agents", [&c](const httplib::Request&, httplib::Response& res) {
        auto agents = c.agents();
        if (!agents) return reply_error(res, agents.failure());
        json out = json::array();
        for (const auto& a : *agents) out.push_back(to_json(a));
        reply(res, 200, out);
    });
    s.Get("/v1/status", [&c](const httplib::Request&, httplib::Response& res) {
        auto status = c.status();
        if (!status) return reply_error(res, status.failure());
        json zones = json::array(), agents = json::array();
        for (const auto& z : status->zones) zones.push_back(to_json(z));
        for (const auto& a : status->agents) agents.push_back(to_json(a));
        reply(res, 200, {{"zones", zones}, {"agents", agents}, {"tuples", status->tuples}});
    });
}

}  // namespace

Result<std::unique_ptr<Api>> Api::start(ApiServices services, const Endpoint& listen) {
    Controller& controller = services.controller;
    std::unique_ptr<Api> api(new Api());
    api->server_ = std::make_unique<httplib::Server>();
    auto& s = *api->server_;
    s.set_pre_routing_handler([&controller](const httplib::Request& req, httplib::Response& res) {
        if (controller.authorized(bearer(req))) return httplib::Server::HandlerResponse::Unhandled;
        res.set_header("WWW-Authenticate", "Bearer");
        reply(res, 401, json{{"error", "missing or unknown API token (send Authorization: Bearer TOKEN)"}});
        return httplib::Server::HandlerResponse::Handled;
    });
    s.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown error";
        try {
            std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
        }
        std::cerr << "API " << req.method << " " << req.path << " failed: " << what << "\n";
        reply(res, 500, json{{"error", "internal error: " + what}});
    });
    s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;
        reply(res, res.status, json{{"error", res.status == 404 ? "no such endpoint: " + req.method + " " + req.path
                                                                : "request failed"}});
    });
    s.set_payload_max_length(64 << 20);  // a zone file of some 500,000 records
    // Small JSON answers on kept-alive connections otherwise wait out delayed ACKs (~40 ms).
    s.set_tcp_nodelay(true);
    routes(s, controller);
    if (services.watchdog) watchdog_routes(s, *services.watchdog);
    add_alert_routes(s, services.alerts, services.metrics);

    std::string host = listen.address.str();
    int port = listen.port;
    if (port == 0) {
        port = s.bind_to_any_port(host);
        if (port <= 0) return fail(ErrorKind::unavailable, "cannot bind API " + listen.str());
    } else if (!s.bind_to_port(host, port)) {
        return fail(ErrorKind::unavailable, "cannot bind API " + listen.str() + " (in use, or not an address here?)");
    }
    api->bound_ = Endpoint{listen.address, static_cast<uint16_t>(port)};
    api->thread_ = std::thread([server = api->server_.get()] { server->listen_after_bind(); });
    return api;
}

Api::~Api() {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
}

}  // namespace patchbay
