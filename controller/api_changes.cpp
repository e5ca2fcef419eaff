#include "api_changes.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "api_access.h"
#include "api_reply.h"
#include "controller.h"
#include "domain.h"
#include "http_server.h"
#include "transfer.h"

namespace patchbay {

namespace {

using nlohmann::json;

constexpr size_t kDefaultLimit = 100;
constexpr size_t kMaxLimit = 1000;

// A whole number in [lo, hi], or nullopt.
std::optional<int64_t> whole(const std::string& text, int64_t lo, int64_t hi) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi) return std::nullopt;
    return v;
}

std::optional<std::string> param(const HttpRequest& req, const char* name) {
    if (!req.has_param(name)) return std::nullopt;
    return req.param(name);
}

// The change with its hosts, as the watchdog knows them now (none without a watchdog).
json answer(const ChangeRow& row, const std::vector<ServerStatus>& servers) {
    return change_json(row, change_hosts(row, servers));
}

}  // namespace

Result<ChangeFilter> change_filter(const std::optional<std::string>& zone, const std::optional<std::string>& limit,
                                   const std::optional<std::string>& after) {
    ChangeFilter filter;
    if (zone) {
        auto name = normalize_domain(*zone);
        if (!name) return fail("zone: " + name.error());
        filter.zone = *name;
    }
    filter.limit = kDefaultLimit;
    if (limit) {
        auto n = whole(*limit, 1, static_cast<int64_t>(kMaxLimit));
        if (!n) return fail("limit: must be a whole number from 1 to " + std::to_string(kMaxLimit) + ", got '" + *limit + "'");
        filter.limit = static_cast<size_t>(*n);
    }
    if (after) {
        auto id = whole(*after, 0, std::numeric_limits<int64_t>::max());
        if (!id) return fail("after: must be a change id (a whole number), got '" + *after + "'");
        filter.after_id = *id;
    }
    return filter;
}

void change_routes(HttpRouter& router, Controller& c, Watchdog* w) {
    router.get("/v1/changes", [&c, w](const HttpRequest& req, HttpResponse& res) {
        const Principal& p = principal_of(req);
        auto filter = change_filter(param(req, "zone"), param(req, "limit"), param(req, "after"));
        if (!filter) return reply_error(res, filter.failure());
        // Filtered in the query, so `limit` counts only changes the caller may see.
        if (p.role != Role::admin) filter->account = p.account;
        auto rows = c.changes(*filter);
        if (!rows) return reply_error(res, rows.failure());
        std::vector<ServerStatus> servers = w ? w->servers() : std::vector<ServerStatus>{};
        json out = json::array();
        for (const auto& row : *rows)
            if (may_read(p, row.account)) out.push_back(answer(row, servers));
        reply(res, 200, out);
    });
    router.get(R"(/v1/changes/([^/]+))", [&c, w](const HttpRequest& req, HttpResponse& res) {
        const std::string& text = req.matches[1];
        auto id = whole(text, 1, std::numeric_limits<int64_t>::max());
        if (!id) return reply_error(res, fail("change id must be a whole number, got '" + text + "'"));
        auto row = c.change(*id);
        if (!row) return reply_error(res, row.failure());
        // Another account's change is answered as an absent one.
        if (!*row || !may_read(principal_of(req), (*row)->account))
            return reply_error(res, fail(ErrorKind::not_found, "no change " + text));
        std::vector<ServerStatus> servers = w ? w->servers() : std::vector<ServerStatus>{};
        reply(res, 200, answer(**row, servers));
    });
}

}  // namespace patchbay
