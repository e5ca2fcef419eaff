// The watchdog's routes (api_watchdog.h). Errors are {"error"} with 400 (naming the
// field), 404 or 500, like the rest of the API (api.h).
#include "api_watchdog.h"

#include <charconv>

#include "api_access.h"
#include "api_body.h"
#include "api_reply.h"
#include "controller.h"
#include "live_events.h"
#include "placement.h"
#include "http_server.h"

namespace patchbay {

namespace {

using nlohmann::json;

constexpr size_t kChangesShown = 200;

std::string state(Health h) { return std::string(health_name(h)); }

json instance_json(const InstanceRef& ref) {
    return {{"domain", ref.domain},
            {"service", ref.key.service},
            {"transport", ref.key.transport},
            {"address", ref.key.address.str()},
            {"port", ref.key.port}};
}

Result<int64_t> millis(const std::string& text, const char* name) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < 0)
        return fail(std::string(name) + ": must be unix milliseconds, got '" + text + "'");
    return v;
}

}  // namespace

json server_summary_json(const ServerStatus& s, int64_t now_ms) {
    return {{"name", s.name},
            {"state", state(s.state)},
            {"since_ms", s.since_ms},
            {"reason", s.reason},
            {"last_report_ms", s.last_report_ms},
            {"age_ms", now_ms - s.last_report_ms},
            {"reports", s.reports},
            {"lost", s.lost},
            {"instances", s.instances.size()},
            {"serials", s.serials}};
}

json server_detail_json(const ServerStatus& s, const std::vector<StateChange>& changes,
                        const std::vector<StateBlock>& blocks, int64_t now_ms) {
    json out = server_summary_json(s, now_ms);
    out["boot"] = s.boot;
    out["seq"] = s.seq;
    out["host"] = {{"load1", s.host.load1}, {"cpu", s.host.cpu}, {"memory", s.host.memory}};
    json instances = json::array();
    for (const auto& i : s.instances) {
        json j = instance_json(i.instance);
        j["state"] = state(i.state);
        j["since_ms"] = i.since_ms;
        j["reason"] = i.reason;
        j["unit"] = i.seen.unit;
        j["active_state"] = i.seen.active_state;
        if (i.seen.probe) {
            const auto& p = *i.seen.probe;
            j["probe"] = {{"kind", p.kind}, {"ok", p.ok}, {"latency_ms", p.latency_ms}, {"streak", p.streak},
                          {"error", p.error}};
        } else {
            j["probe"] = nullptr;
        }
        if (i.seen.memory_bytes) j["memory_bytes"] = *i.seen.memory_bytes;
        instances.push_back(std::move(j));
    }
    out["instances"] = std::move(instances);
    json history = json::array();
    for (const auto& c : changes) history.push_back(state_change_json(c));
    out["changes"] = std::move(history);
    json periods = json::array();
    for (const auto& b : blocks) periods.push_back({{"period_ms", b.period_ms}, {"state", state(b.worst)}});
    out["blocks"] = std::move(periods);
    return out;
}

json state_change_json(const StateChange& c) {
    return {{"at_ms", c.at_ms},
            {"server", c.server},
            {"instance", c.instance ? instance_json(*c.instance) : json(nullptr)},
            {"from", state(c.from)},
            {"to", state(c.to)},
            {"reason", c.reason}};
}

std::optional<ServerStatus> visible_server(const ServerStatus& s, const std::function<bool(const std::string&)>& visible,
                                           bool registered) {
    ServerStatus out = s;
    std::erase_if(out.instances, [&](const InstanceStatus& i) { return !visible(i.instance.domain); });
    std::erase_if(out.serials, [&](const auto& serial) { return !visible(serial.first); });
    if (out.instances.empty() && !registered) return std::nullopt;
    return out;
}

std::vector<StateChange> visible_changes(std::vector<StateChange> changes,
                                         const std::function<bool(const std::string&)>& visible) {
    std::erase_if(changes, [&](const StateChange& c) { return c.instance && !visible(c.instance->domain); });
    return changes;
}

Result<HistoryRange> history_range(const std::optional<std::string>& from, const std::optional<std::string>& to,
                                   int64_t now_ms) {
    HistoryRange r{now_ms - int64_t{86400} * 1000, now_ms + 1};
    if (from) {
        auto v = millis(*from, "from");
        if (!v) return v.failure();
        r.from_ms = *v;
    }
    if (to) {
        auto v = millis(*to, "to");
        if (!v) return v.failure();
        r.to_ms = *v;
    }
    if (r.to_ms < r.from_ms) return fail("to: must not be before from");
    return r;
}

bool Sight::registered(const std::string& server) const {
    for (const auto& a : agents)
        if (a.name == server)
            for (const auto& d : a.domains)
                if (visible(d)) return true;
    return false;
}

std::optional<ServerStatus> Sight::shown(const ServerStatus& s) const {
    if (all) return s;
    return visible_server(s, visible, registered(s.name));
}

Result<Sight> sight_of(Controller& c, const Principal& p) {
    Sight sight;
    sight.all = p.role == Role::admin;
    sight.visible = [&c, p](const std::string& domain) {
        auto owner = c.zone_account(domain);
        return owner && may_read(p, *owner);
    };
    if (!sight.all) {
        auto agents = c.agents();
        if (!agents) return agents.failure();
        sight.agents = std::move(*agents);
    }
    return sight;
}

void watchdog_routes(HttpRouter& s, Watchdog& w, Controller& c, EventHub* events) {
    s.post("/v1/reports", [&w, &c, events](const HttpRequest& req, HttpResponse& res) {
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto reports = reports_from(*body);
        if (!reports) return reply_error(res, reports.failure());
        const Principal& p = principal_of(req);
        if (p.role != Role::admin && !(p.role == Role::agent && p.account.empty())) {
            for (const auto& r : *reports) {
                std::vector<std::string> domains;
                for (const auto& i : r.instances) domains.push_back(i.domain);
                for (const auto& [domain, serial] : r.serials) domains.push_back(domain);
                if (auto refused = reporting_refused(c, p, r.agent, domains, &w))
                    return reply(res, 403, json{{"error", *refused}});
            }
        }
        auto done = w.ingest(std::move(*reports), unix_ms_now());
        if (!done) return reply_error(res, Error{done.error(), ErrorKind::internal});
        if (events)
            for (const auto& moved : done->serials)
                for (const auto& e : applied_events(moved, [&c](const std::string& d) { return c.zone_account(d); }))
                    events->publish(e);
        // The hot path's answer, written as text: the same bytes as the JSON object's dump.
        res.set_content("{\"accepted\":" + std::to_string(done->accepted) + ",\"duplicates\":" +
                            std::to_string(done->duplicates) + "}\n",
                        "application/json");
    });
    s.get("/v1/servers", [&w, &c](const HttpRequest& req, HttpResponse& res) {
        auto sight = sight_of(c, principal_of(req));
        if (!sight) return reply_error(res, sight.failure());
        int64_t now = unix_ms_now();
        json out = json::array();
        for (const auto& server : w.servers())
            if (auto shown = sight->shown(server)) out.push_back(server_summary_json(*shown, now));
        reply(res, 200, out);
    });
    s.get(R"(/v1/servers/([^/]+))", [&w, &c](const HttpRequest& req, HttpResponse& res) {
        int64_t now = unix_ms_now();
        auto param = [&](const char* name) {
            return req.has_param(name) ? std::optional(req.param(name)) : std::nullopt;
        };
        auto range = history_range(param("from"), param("to"), now);
        if (!range) return reply_error(res, range.failure());
        auto sight = sight_of(c, principal_of(req));
        if (!sight) return reply_error(res, sight.failure());
        std::string name = req.matches[1];
        auto server = w.server(name);
        if (server) server = sight->shown(*server);
        if (!server) return reply_error(res, fail(ErrorKind::not_found, "no server " + name + " has reported"));
        auto changes = w.changes(name, range->from_ms, range->to_ms, kChangesShown);
        if (!changes) return reply_error(res, changes.failure());
        if (!sight->all) *changes = visible_changes(std::move(*changes), sight->visible);
        auto blocks = w.blocks(name, range->from_ms, range->to_ms);
        if (!blocks) return reply_error(res, blocks.failure());
        json detail = server_detail_json(*server, *changes, *blocks, now);
        // Desired against actual: the tuples of the zones the asker may see.
        auto tuples = c.tuples(std::nullopt);
        if (!tuples) return reply_error(res, tuples.failure());
        if (!sight->all)
            std::erase_if(*tuples, [&](const Tuple& t) { return !sight->visible(t.domain); });
        detail["placement"] = placement_json(placement_of(*server, *tuples));
        reply(res, 200, detail);
    });
}

}  // namespace patchbay
