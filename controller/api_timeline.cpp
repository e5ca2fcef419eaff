// The timelines' routes (api_timeline.h). Errors are {"error"} with 400 naming the
// parameter, 404 or 500, like the rest of the API (api.h).
#include "api_timeline.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "api_access.h"
#include "api_reply.h"
#include "api_watchdog.h"
#include "controller.h"
#include "http_server.h"

namespace patchbay {

namespace {

using nlohmann::json;

constexpr size_t kBlockChangesShown = 200;

std::string state(Health h) { return std::string(health_name(h)); }

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

// Times end at 2200 (as explain's at=), so a grid or block computed from one never overflows.
constexpr int64_t kLastMs = int64_t{7258118400} * 1000;

Result<int64_t> millis_param(const std::string& text, const char* name) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < 0 || v >= kLastMs)
        return fail(std::string(name) + ": '" + text + "' is not a time in unix milliseconds (1970 to 2199)");
    return v;
}

Error no_server(const std::string& name) { return fail(ErrorKind::not_found, "no server " + name + " has reported"); }

}  // namespace

json timeline_json(const TimelineGrid& grid, const std::vector<TimelineRow>& rows,
                   const std::vector<TimelineEvent>& events, int64_t now_ms) {
    json periods = json::array();
    for (size_t i = 0; i < grid.count; ++i) periods.push_back(grid.start(i));
    json servers = json::array();
    for (const auto& r : rows) {
        json blocks = json::array();
        for (Health h : r.blocks) blocks.push_back(state(h));
        servers.push_back({{"name", r.server.name},
                           {"state", state(r.server.state)},
                           {"since_ms", r.server.since_ms},
                           {"reason", r.server.reason},
                           {"blocks", std::move(blocks)}});
    }
    json marks = json::array();
    for (const auto& e : events) marks.push_back({{"period_ms", e.period_ms}, {"kind", e.kind}, {"servers", e.servers}});
    return {{"from_ms", grid.from_ms}, {"to_ms", grid.to_ms},         {"period_ms", grid.period_ms},
            {"now_ms", now_ms},        {"periods", std::move(periods)}, {"servers", std::move(servers)},
            {"events", std::move(marks)}};
}

std::vector<TimelineEvent> visible_events(std::vector<TimelineEvent> events, const std::vector<std::string>& shown) {
    const std::set<std::string> seen(shown.begin(), shown.end());
    for (auto& e : events) std::erase_if(e.servers, [&](const std::string& s) { return !seen.count(s); });
    std::erase_if(events, [](const TimelineEvent& e) { return e.servers.empty(); });
    return events;
}

json block_facts_json(const std::string& server, int64_t period_ms, int64_t period_end_ms,
                      const std::vector<StateBlock>& blocks, const std::vector<StateChange>& changes) {
    Health worst = Health::unknown;
    BlockMetrics metrics;
    for (const auto& b : blocks) {
        if (b.period_ms < period_ms || b.period_ms >= period_end_ms) continue;
        worst = std::max(worst, b.worst);
        metrics.merge(b.metrics);
    }
    json shown_changes = json::array();
    for (const auto& c : changes) shown_changes.push_back(state_change_json(c));
    json m = metrics.reports == 0 ? json(nullptr)
                                  : json{{"reports", metrics.reports},
                                         {"cpu_max", optional_number(metrics.cpu_max)},
                                         {"memory_max", optional_number(metrics.memory_max)}};
    return {{"server", server},  {"period_ms", period_ms}, {"period_end_ms", period_end_ms},
            {"state", state(worst)}, {"metrics", std::move(m)}, {"changes", std::move(shown_changes)}};
}

void timeline_routes(HttpRouter& router, Watchdog& w, Controller& c) {
    router.get("/v1/timelines", [&w, &c](const HttpRequest& req, HttpResponse& res) {
        const int64_t now = unix_ms_now();
        int64_t end = now;
        if (req.has_param("to")) {
            auto to = millis_param(req.param("to"), "to");
            if (!to) return reply_error(res, to.failure());
            end = *to;
        }
        auto grid = timeline_grid(req.param("range"), req.param("period"), end, w.period_ms());
        if (!grid) return reply_error(res, grid.failure());
        auto sight = sight_of(c, principal_of(req));
        if (!sight) return reply_error(res, sight.failure());
        std::set<std::string> asked;
        for (const auto& [name, value] : req.params)
            if (name == "server") asked.insert(value);
        auto stored = w.all_blocks(grid->from_ms, grid->to_ms);
        if (!stored) return reply_error(res, Error{stored.error(), ErrorKind::internal});
        // Events are judged on the whole fleet (a network event stays one for an
        // account that sees one of its servers), then shown as the asker may see them.
        std::map<std::string, std::vector<Health>> fleet;
        std::vector<TimelineRow> rows;
        std::vector<std::string> names;
        for (auto& server : w.servers()) {
            auto blocks = stored->count(server.name) ? timeline_row(stored->at(server.name), *grid)
                                                     : std::vector<Health>(grid->count, Health::unknown);
            fleet[server.name] = blocks;
            auto shown = sight->shown(server);
            if (!shown || (!asked.empty() && !asked.count(server.name))) continue;
            names.push_back(shown->name);
            rows.push_back(TimelineRow{std::move(*shown), std::move(blocks)});
        }
        for (const auto& name : asked)
            if (std::find(names.begin(), names.end(), name) == names.end()) return reply_error(res, no_server(name));
        auto events = visible_events(timeline_events(fleet, *grid), names);
        reply(res, 200, timeline_json(*grid, rows, events, now));
    });
    router.get(R"(/v1/timelines/([^/]+)/blocks/([0-9]+))", [&w, &c](const HttpRequest& req, HttpResponse& res) {
        const std::string name = req.matches[1];
        auto start = millis_param(req.matches[2], "period start");
        if (!start) return reply_error(res, start.failure());
        int64_t length = w.period_ms();
        if (req.has_param("period")) {
            auto p = parse_span(req.param("period"), "period");
            if (!p) return reply_error(res, p.failure());
            if (*p % w.period_ms() != 0 || *p > kTimelineMaxRangeMs)
                return reply_error(res, fail("period: " + req.param("period") + " must be a multiple of the history's "
                                             "period, " + span_text(w.period_ms()) + ", and at most 31d"));
            length = *p;
        }
        if (*start % length != 0)
            return reply_error(res, fail("period start: " + std::to_string(*start) + " is not the start of a " +
                                         span_text(length) + " period"));
        auto sight = sight_of(c, principal_of(req));
        if (!sight) return reply_error(res, sight.failure());
        auto server = w.server(name);
        if (server) server = sight->shown(*server);
        if (!server) return reply_error(res, no_server(name));
        auto blocks = w.blocks(name, *start, *start + length);
        if (!blocks) return reply_error(res, Error{blocks.error(), ErrorKind::internal});
        auto changes = w.changes(name, *start, *start + length, kBlockChangesShown);
        if (!changes) return reply_error(res, Error{changes.error(), ErrorKind::internal});
        if (!sight->all) *changes = visible_changes(std::move(*changes), sight->visible);
        reply(res, 200, block_facts_json(name, *start, *start + length, *blocks, *changes));
    });
}

}  // namespace patchbay
