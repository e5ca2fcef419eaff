#include "api_accounts.h"

#include <nlohmann/json.hpp>

#include "api_access.h"
#include "api_body.h"
#include "api_reply.h"
#include "controller.h"
#include "http_server.h"

namespace patchbay {

namespace {

using nlohmann::json;

json to_json(const TokenRow& t) {
    return {{"id", t.id()}, {"name", t.name}, {"account", t.account}, {"role", t.role}, {"created_at", t.created_at}};
}

}  // namespace

void account_routes(HttpRouter& s, Controller& c) {
    s.get("/v1/accounts", [&c](const HttpRequest& req, HttpResponse& res) {
        const Principal& p = principal_of(req);
        if (!may_manage_accounts(p)) return forbidden(res, role_of(p) + " may not list accounts");
        auto accounts = c.accounts();
        if (!accounts) return reply_error(res, accounts.failure());
        json out = json::array();
        for (const auto& a : *accounts) out.push_back({{"name", a.name}, {"created_at", a.created_at}});
        reply(res, 200, out);
    });
    s.post("/v1/accounts", [&c](const HttpRequest& req, HttpResponse& res) {
        const Principal& p = principal_of(req);
        if (!may_manage_accounts(p)) return forbidden(res, role_of(p) + " may not create accounts");
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto name = account_from(*body);
        if (!name) return reply_error(res, name.failure());
        if (auto r = c.add_account(*name); !r) return reply_error(res, r.failure());
        reply(res, 201, json{{"name", *name}});
    });
    s.del(R"(/v1/accounts/([^/]+))", [&c](const HttpRequest& req, HttpResponse& res) {
        const Principal& p = principal_of(req);
        if (!may_manage_accounts(p)) return forbidden(res, role_of(p) + " may not remove accounts");
        if (auto r = c.remove_account(req.matches[1]); !r) return reply_error(res, r.failure());
        reply(res, 200, json{{"name", req.matches[1]}, {"removed", true}});
    });

    s.get("/v1/tokens", [&c](const HttpRequest& req, HttpResponse& res) {
        const Principal& p = principal_of(req);
        if (!may_manage_some_tokens(p)) return forbidden(res, role_of(p) + " may not list tokens");
        auto tokens = c.tokens();
        if (!tokens) return reply_error(res, tokens.failure());
        json out = json::array();
        for (const auto& t : *tokens) {
            auto role = parse_role(t.role);
            if (role && may_manage_tokens(p, t.account, *role)) out.push_back(to_json(t));
        }
        reply(res, 200, out);
    });
    s.post("/v1/tokens", [&c](const HttpRequest& req, HttpResponse& res) {
        const Principal& p = principal_of(req);
        if (!may_manage_some_tokens(p)) return forbidden(res, role_of(p) + " may not create tokens");
        auto body = parse_body(req.body);
        if (!body) return reply_error(res, body.failure());
        auto asked = token_from(*body);
        if (!asked) return reply_error(res, asked.failure());
        std::string account = asked->account.value_or(p.role == Role::admin ? "" : p.account);
        if (!may_manage_tokens(p, account, asked->role)) {
            if (asked->role == Role::admin) return forbidden(res, role_of(p) + " may not create admin tokens");
            return forbidden(res, role_of(p) + " may only create tokens of account " + p.account);
        }
        auto made = c.create_token(account, asked->role, asked->name);
        if (!made) return reply_error(res, made.failure());
        json out = to_json(made->row);
        out["token"] = made->token;
        reply(res, 201, out);
    });
    s.del(R"(/v1/tokens/([^/]+))", [&c](const HttpRequest& req, HttpResponse& res) {
        const Principal& p = principal_of(req);
        if (!may_manage_some_tokens(p)) return forbidden(res, role_of(p) + " may not revoke tokens");
        // An account-admin sees its own account's tokens only: the others are as if absent.
        std::optional<std::string> scope;
        if (p.role != Role::admin) scope = p.account;
        auto revoked = c.revoke_token(req.matches[1], scope);
        if (!revoked) return reply_error(res, revoked.failure());
        json out = to_json(*revoked);
        out["revoked"] = true;
        reply(res, 200, out);
    });
}

}  // namespace patchbay
