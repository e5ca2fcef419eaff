#include "api.h"

#include <sched.h>

#include <algorithm>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "api_access.h"
#include "api_accounts.h"
#include "api_alerts.h"
#include "api_changes.h"
#include "api_drains.h"
#include "api_body.h"
#include "api_events.h"
#include "api_reply.h"
#include "api_arrangements.h"
#include "api_settings.h"
#include "api_timeline.h"
#include "api_watchdog.h"
#include "domain.h"
#include "http_server.h"
#include "ui_assets.h"

namespace patchbay {

namespace {

using nlohmann::json;

json to_json(const ZoneRow& z) { return {{"name", z.name}, {"serial", z.serial}, {"account", z.account}}; }

json to_json(const Tuple& t) {
    return {{"zone", t.domain},          {"service", t.key.service}, {"transport", t.key.transport},
            {"address", t.key.address.str()}, {"port", t.key.port},  {"priority", t.priority},
            {"weight", t.weight},        {"target", t.target}};
}

json to_json(const AgentRow& a) {
    return {{"name", a.name}, {"notify", a.notify ? json(a.notify->str()) : json(nullptr)}, {"domains", a.domains},
            {"registered_at", a.registered_at}};
}

json to_json(const Change& c) {
    json j{{"zone", c.zone}, {"serial", c.serial}, {"changed", c.changed}};
    if (c.id) j["change"] = c.id;  // GET /v1/changes/ID follows it to every host
    return j;
}

std::string bearer(const HttpRequest& req) {
    auto header = req.header("Authorization");
    constexpr std::string_view prefix = "Bearer ";
    if (header.size() <= prefix.size() || header.compare(0, prefix.size(), prefix) != 0) return "";
    return header.substr(prefix.size());
}

// The zone a path names, normalized, when the caller may read it (and, with `change`,
// change it); else the answer is written — another account's zone is answered exactly
// as an absent one — and nullopt returned.
std::optional<std::string> zone_access(Controller& c, const HttpRequest& req, HttpResponse& res,
                                       const std::string& raw, bool change) {
    auto name = normalize_domain(raw);
    if (!name) {
        reply_error(res, fail("zone: " + name.error()));
        return std::nullopt;
    }
    const Principal& p = principal_of(req);
    auto owner = c.zone_account(*name);
    if (!owner || !may_read(p, *owner)) {
        reply_error(res, fail(ErrorKind::not_found, "no zone " + *name));
        return std::nullopt;
    }
    if (change && !may_change(p, *owner)) {
        reply(res, 403, json{{"error", may_not_change(p, "zone " + *name)}});
        return std::nullopt;
    }
    return *name;
}

// The account a zone made by `p` goes to: an admin's choice ('' = the platform), an
// account-admin's own account. nullopt after answering 403.
std::optional<std::string> new_zone_account(const Principal& p, const std::optional<std::string>& asked,
                                            HttpResponse& res) {
    if (p.role == Role::admin) return asked.value_or("");
    if (asked && *asked != p.account) {
        reply(res, 403, json{{"error", "role " + std::string(role_name(p.role)) + " may only create zones in account " +
                                           p.account}});
        return std::nullopt;
    }
    return p.account;
}

// An agent as `p` may see it: only its domains in `p`'s accounts; nullopt when none is.
std::optional<AgentRow> visible_agent(Controller& c, const Principal& p, AgentRow agent) {
    if (p.role == Role::admin) return agent;
    std::erase_if(agent.domains, [&](const std::string& d) {
        auto owner = c.zone_account(d);
        return !owner || !may_read(p, *owner);
    });
    if (agent.domains.empty()) return std::nullopt;
    return agent;
}

void routes(HttpRouter& s, Controller& c, const Watchdog* w) {
    s.get("/v1/zones", [&c](const HttpRequest& req, HttpResponse& res) {
        const Principal& p = principal_of(req);
        auto zones = c.zones();
        if (!zones) return reply_error(res, zones.failure());
        json out = json::array();
        for (const auto& z : *zones)
            if (may_read(p, z.account)) out.push_back(to_json(z));
        reply(res, 200, out);
    });
    s.post("/v1/zones", [&c](const HttpRequest& req, HttpResponse& res) {
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto zone = zone_from(*body);
        if (!zone) return reply_error(res, zone.failure());
        auto account = new_zone_account(principal_of(req), zone->account, res);
        if (!account) return;
        auto change = c.add_zone(zone->name, *account, zone->template_name, change_author(principal_of(req)));
        if (!change) return reply_error(res, change.failure());
        json out = to_json(*change);
        out["account"] = *account;
        reply(res, 201, out);
    });
    s.post("/v1/zones/import", [&c](const HttpRequest& req, HttpResponse& res) {
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto file = zone_import_from(*body);
        if (!file) return reply_error(res, file.failure());
        const Principal& p = principal_of(req);
        auto account = new_zone_account(p, file->account, res);
        if (!account) return;
        auto done = c.import_zone(file->text, file->zone, file->source, *account, p.role != Role::admin,
                                  change_author(p));
        if (!done) return reply_error(res, done.failure());
        json out = to_json(done->change);
        out["tuples"] = done->tuples;
        out["records"] = done->records;
        out["account"] = c.zone_account(done->change.zone).value_or(*account);
        reply(res, done->change.changed ? 201 : 200, out);
    });
    s.get(R"(/v1/zones/([^/]+)/export)", [&c](const HttpRequest& req, HttpResponse& res) {
        auto zone = zone_access(c, req, res, req.matches[1], false);
        if (!zone) return;
        auto text = c.export_zone(*zone);
        if (!text) return reply_error(res, text.failure());
        reply(res, 200, json{{"zone", req.matches[1]}, {"text", *text}});
    });
    s.del(R"(/v1/zones/([^/]+))", [&c](const HttpRequest& req, HttpResponse& res) {
        auto zone = zone_access(c, req, res, req.matches[1], true);
        if (!zone) return;
        auto change = c.remove_zone(*zone, change_author(principal_of(req)));
        if (!change) return reply_error(res, change.failure());
        reply(res, 200, to_json(*change));
    });
    auto list_tuples = [&c](const HttpRequest& req, const std::optional<std::string>& raw, HttpResponse& res) {
        std::optional<std::string> zone;
        if (raw) {
            zone = zone_access(c, req, res, *raw, false);
            if (!zone) return;
        }
        const Principal& p = principal_of(req);
        auto tuples = c.tuples(zone);
        if (!tuples) return reply_error(res, tuples.failure());
        json out = json::array();
        for (const auto& t : *tuples) {
            auto owner = c.zone_account(t.domain);
            if (owner && may_read(p, *owner)) out.push_back(to_json(t));
        }
        reply(res, 200, out);
    };
    s.get("/v1/tuples", [list_tuples](const HttpRequest& req, HttpResponse& res) {
        list_tuples(req, req.has_param("zone") ? std::optional(req.param("zone")) : std::nullopt, res);
    });
    s.get(R"(/v1/zones/([^/]+)/tuples)", [list_tuples](const HttpRequest& req, HttpResponse& res) {
        list_tuples(req, req.matches[1], res);
    });
    s.post(R"(/v1/zones/([^/]+)/tuples)", [&c](const HttpRequest& req, HttpResponse& res) {
        auto zone = zone_access(c, req, res, req.matches[1], true);
        if (!zone) return;
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto tuple = tuple_from(*zone, *body);
        if (!tuple) return reply_error(res, tuple.failure());
        auto change = c.put_tuple(*tuple, change_author(principal_of(req)));
        if (!change) return reply_error(res, change.failure());
        json out = to_json(*change);
        out["tuple"] = to_json(*tuple);
        reply(res, change->changed ? 201 : 200, out);
    });
    s.del(R"(/v1/zones/([^/]+)/tuples/([^/]+)/([^/]+)/([^/]+)/([^/]+))",
             [&c](const HttpRequest& req, HttpResponse& res) {
                 auto zone = zone_access(c, req, res, req.matches[1], true);
                 if (!zone) return;
                 auto tuple = parse_tuple(*zone, req.matches[2], req.matches[3], req.matches[4], req.matches[5]);
                 if (!tuple) return reply_error(res, tuple.failure());
                 auto change = c.remove_tuple(tuple->domain, tuple->key, change_author(principal_of(req)));
                 if (!change) return reply_error(res, change.failure());
                 reply(res, 200, to_json(*change));
             });
    s.post("/v1/agents", [&c, w](const HttpRequest& req, HttpResponse& res) {
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto agent = agent_from(*body, req.remote_address, static_cast<int64_t>(std::time(nullptr)));
        if (!agent) return reply_error(res, agent.failure());
        const Principal& p = principal_of(req);
        if (auto refused = reporting_refused(c, p, agent->name, agent->domains, w))
            return reply(res, 403, json{{"error", *refused}});
        if (auto r = c.register_agent(*agent); !r) return reply_error(res, r.failure());
        reply(res, 200, to_json(*agent));
    });
    s.get("/v1/agents", [&c](const HttpRequest& req, HttpResponse& res) {
        const Principal& p = principal_of(req);
        auto agents = c.agents();
        if (!agents) return reply_error(res, agents.failure());
        json out = json::array();
        for (const auto& a : *agents)
            if (auto shown = visible_agent(c, p, a)) out.push_back(to_json(*shown));
        reply(res, 200, out);
    });
    // Who the token acts for: the page signs in with it and shows what the role may do.
    s.get("/v1/whoami", [](const HttpRequest& req, HttpResponse& res) {
        const Principal& p = principal_of(req);
        reply(res, 200, {{"role", role_name(p.role)}, {"account", p.account}, {"name", p.token_name}});
    });
    s.get("/v1/status", [&c](const HttpRequest& req, HttpResponse& res) {
        const Principal& p = principal_of(req);
        auto status = c.status();
        if (!status) return reply_error(res, status.failure());
        json zones = json::array(), agents = json::array();
        for (const auto& z : status->zones)
            if (may_read(p, z.account)) zones.push_back(to_json(z));
        for (const auto& a : status->agents)
            if (auto shown = visible_agent(c, p, a)) agents.push_back(to_json(*shown));
        size_t tuples = status->tuples;
        if (p.role != Role::admin) {
            auto all = c.tuples(std::nullopt);
            if (!all) return reply_error(res, all.failure());
            tuples = static_cast<size_t>(std::count_if(all->begin(), all->end(), [&](const Tuple& t) {
                auto owner = c.zone_account(t.domain);
                return owner && may_read(p, *owner);
            }));
        }
        reply(res, 200, {{"zones", zones}, {"agents", agents}, {"tuples", tuples}});
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

HttpRouter api_router(const ApiServices& services) {
    Controller& controller = services.controller;
    HttpRouter router;
    router.set_auth([&controller](HttpRequest& req, HttpResponse& res) {
        // The page's own files: what it shows comes from the API, with the token it signs in with.
        if (req.method == "GET" && is_ui_path(req.path)) return true;
        auto principal = controller.authenticate(bearer(req));
        if (!principal) {
            res.set_header("WWW-Authenticate", "Bearer");
            reply(res, 401, json{{"error", "missing or unknown API token (send Authorization: Bearer TOKEN)"}});
            return false;
        }
        if (auto refused = gate(*principal, req.method, req.path)) {
            reply(res, 403, json{{"error", *refused}});
            return false;
        }
        req.auth = std::move(*principal);
        return true;
    });
    routes(router, controller, services.watchdog);
    account_routes(router, controller);
    settings_routes(router, controller);
    if (services.watchdog) {
        watchdog_routes(router, *services.watchdog, controller, services.events);
        timeline_routes(router, *services.watchdog, controller);
    }
    add_alert_routes(router, services.alerts, services.metrics);
    change_routes(router, controller, services.watchdog);
    drain_routes(router, controller);
    if (services.arrangements) arrangement_routes(router, *services.arrangements);
    if (services.events) event_routes(router, *services.events);
    ui_routes(router);
    return router;
}

Result<std::unique_ptr<Api>> Api::start(ApiServices services, const Endpoint& listen) {
    HttpRouter router = api_router(services);

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
