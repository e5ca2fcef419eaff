#include "api_settings.h"

#include <nlohmann/json.hpp>

#include "api_access.h"
#include "api_body.h"
#include "api_reply.h"
#include "controller.h"
#include "domain.h"
#include "http_server.h"

namespace patchbay {

namespace {

using nlohmann::json;

json row_json(const SettingsRow& r, bool with_text) {
    json out{{"account", r.account}, {"version", r.version}, {"file", r.file},
             {"created_at", r.at}, {"author", r.author}, {"note", r.note}};
    if (with_text) out["text"] = r.text;
    return out;
}

// The account a path names when `p` may read (and with `change`, change) its settings;
// else the answer is written (another account's is as absent: 404) and nullopt returned.
std::optional<std::string> account_access(Controller& c, const HttpRequest& req, HttpResponse& res, bool change) {
    const Principal& p = principal_of(req);
    const std::string& account = req.matches[1];
    auto accounts = c.accounts();
    if (!accounts) {
        reply_error(res, accounts.failure());
        return std::nullopt;
    }
    bool exists = std::any_of(accounts->begin(), accounts->end(), [&](const AccountRow& a) { return a.name == account; });
    if (!exists || !may_read(p, account)) {
        reply_error(res, fail(ErrorKind::not_found, "no account '" + account + "'"));
        return std::nullopt;
    }
    if (change && !may_change(p, account)) {
        forbidden(res, may_not_change(p, "the settings of account " + account));
        return std::nullopt;
    }
    return account;
}

json summary(const AccountSettings& s) {
    return {{"rules", s.rules.size()},         {"regions", s.regions.size()},
            {"departments", s.departments.size()}, {"windows", s.windows.size()},
            {"servers", s.servers.size()},     {"templates", s.templates.size()},
            {"alerts", s.alerts.size()},       {"health", s.health.has_value()}};
}

std::string author_of(const Principal& p) { return p.token_name.empty() ? std::string(role_name(p.role)) : p.token_name; }

json explanation_json(const Explanation& e) {
    json passed = json::array();
    for (const auto& r : e.mapping.passed) passed.push_back({{"rule", r.rule}, {"why", r.why}});
    json records = json::array();
    for (const auto& r : e.mapping.records)
        records.push_back({{"address", r.tuple.key.address.str()}, {"port", r.tuple.key.port},
                           {"priority", r.tuple.priority}, {"weight", r.tuple.weight}});
    return {{"zone", e.zone},
            {"account", e.account},
            {"question", e.question},
            {"rule", e.mapping.rule},
            {"rule_at", e.mapping.rule_at ? json(e.mapping.rule_at->str()) : json(nullptr)},
            {"passed", passed},
            {"facts", e.mapping.facts},
            {"records", records},
            {"answer", e.answer}};
}

}  // namespace

void settings_routes(HttpRouter& s, Controller& c) {
    s.get(R"(/v1/accounts/([^/]+)/settings)", [&c](const HttpRequest& req, HttpResponse& res) {
        auto account = account_access(c, req, res, false);
        if (!account) return;
        auto history = c.settings_history(*account);
        if (!history) return reply_error(res, history.failure());
        if (history->empty())
            return reply_error(res, fail(ErrorKind::not_found, "account " + *account +
                                                                   " has no settings (its zones answer by the "
                                                                   "default rule: all healthy)"));
        reply(res, 200, row_json(history->front(), true));
    });
    s.put(R"(/v1/accounts/([^/]+)/settings)", [&c](const HttpRequest& req, HttpResponse& res) {
        auto account = account_access(c, req, res, true);
        if (!account) return;
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto file = settings_from(*body);
        if (!file) return reply_error(res, file.failure());
        auto row = c.put_settings(*account, file->text, file->file, author_of(principal_of(req)));
        if (!row) return reply_error(res, row.failure());
        reply(res, 200, row_json(*row, false));
    });
    s.get(R"(/v1/accounts/([^/]+)/settings/history)", [&c](const HttpRequest& req, HttpResponse& res) {
        auto account = account_access(c, req, res, false);
        if (!account) return;
        auto history = c.settings_history(*account);
        if (!history) return reply_error(res, history.failure());
        json out = json::array();
        for (const auto& r : *history) out.push_back(row_json(r, false));
        reply(res, 200, out);
    });
    s.get(R"(/v1/accounts/([^/]+)/settings/versions/([^/]+))", [&c](const HttpRequest& req, HttpResponse& res) {
        auto account = account_access(c, req, res, false);
        if (!account) return;
        auto version = version_from(req.matches[2]);
        if (!version) return reply_error(res, version.failure());
        auto history = c.settings_history(*account);
        if (!history) return reply_error(res, history.failure());
        for (const auto& r : *history)
            if (r.version == *version) return reply(res, 200, row_json(r, true));
        reply_error(res, fail(ErrorKind::not_found,
                              "account " + *account + " has no settings version " + std::to_string(*version)));
    });
    s.post(R"(/v1/accounts/([^/]+)/settings/rollback)", [&c](const HttpRequest& req, HttpResponse& res) {
        auto account = account_access(c, req, res, true);
        if (!account) return;
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto version = rollback_from(*body);
        if (!version) return reply_error(res, version.failure());
        auto row = c.rollback_settings(*account, *version, author_of(principal_of(req)));
        if (!row) return reply_error(res, row.failure());
        reply(res, 200, row_json(*row, false));
    });
    s.post("/v1/settings/check", [&c](const HttpRequest& req, HttpResponse& res) {
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto file = settings_from(*body);
        if (!file) return reply_error(res, file.failure());
        auto checked = c.check_settings(file->text, file->file);
        if (!checked) return reply_error(res, checked.failure());
        json out = summary(*checked);
        out["ok"] = true;
        out["file"] = file->file;
        reply(res, 200, out);
    });
    s.get(R"(/v1/zones/([^/]+)/explain)", [&c](const HttpRequest& req, HttpResponse& res) {
        const Principal& p = principal_of(req);
        auto zone = normalize_domain(req.matches[1]);
        if (!zone) return reply_error(res, fail("zone: " + zone.error()));
        auto owner = c.zone_account(*zone);
        if (!owner || !may_read(p, *owner)) return reply_error(res, fail(ErrorKind::not_found, "no zone " + *zone));
        if (!req.has_param("service")) return reply_error(res, fail("parameter 'service' is required (http, sip, ...)"));
        std::string transport = req.has_param("transport") ? req.param("transport") : "tcp";
        Querier querier{Address::parse("0.0.0.0").value(), std::nullopt, std::nullopt, 0};
        if (req.has_param("from")) {
            auto from = Address::parse(req.param("from"));
            if (!from) return reply_error(res, fail("from: " + from.error()));
            querier.source = *from;
        }
        std::optional<std::chrono::system_clock::time_point> at;
        if (req.has_param("at")) {
            auto t = time_from(req.param("at"));
            if (!t) return reply_error(res, t.failure());
            at = *t;
        }
        std::optional<std::string> department;
        if (req.has_param("department")) department = req.param("department");
        auto e = c.explain(*zone, req.param("service"), transport, querier, at, department);
        if (!e) return reply_error(res, e.failure());
        reply(res, 200, explanation_json(*e));
    });
}

}  // namespace patchbay
