#include "api_access.h"

#include <any>
#include <stdexcept>

#include "controller.h"
#include "http_server.h"
#include "watchdog.h"

namespace patchbay {

const Principal& principal_of(const HttpRequest& request) {
    const auto* p = std::any_cast<Principal>(&request.auth);
    if (p == nullptr) throw std::logic_error("no principal on the request (the API's auth hook did not run)");
    return *p;
}

std::string change_author(const Principal& p) {
    return "token:" + (p.token_name.empty() ? std::string(role_name(p.role)) : p.token_name);
}

std::optional<std::string> gate(const Principal& p, const std::string& method, const std::string& path) {
    std::string asked = method + " " + path;
    switch (p.role) {
        case Role::admin:
        case Role::account_admin: return std::nullopt;
        case Role::agent:
            if (method == "POST" && (path == "/v1/agents" || path == "/v1/reports")) return std::nullopt;
            return "role agent may only register agents (POST /v1/agents) and send reports (POST /v1/reports), "
                   "not " + asked;
        case Role::account_viewer:
            // Checking a settings file reads it and changes nothing; an arrangement of the
            // timelines page is the viewer's own, not the account's.
            if (method == "GET" || method == "HEAD" || (method == "POST" && path == "/v1/settings/check") ||
                path.starts_with("/v1/arrangements/"))
                return std::nullopt;
            return "role account-viewer may not change anything (" + asked + ")";
    }
    return "unknown role";
}

std::string may_not_change(const Principal& p, const std::string& what) {
    return "role " + std::string(role_name(p.role)) + " may not change " + what;
}

std::optional<std::string> reporting_refused(Controller& c, const Principal& p, const std::string& name,
                                             const std::vector<std::string>& domains, const Watchdog* watchdog) {
    if (p.role == Role::admin || (p.role == Role::agent && p.account.empty())) return std::nullopt;
    auto allowed = [&](const std::string& domain) {
        auto owner = c.zone_account(domain);
        return may_report_for(p, owner.value_or(""), owner.has_value());
    };
    std::string who = "role " + std::string(role_name(p.role)) + " of account " + p.account;
    for (const auto& d : domains)
        if (!allowed(d)) return who + " may not register or report for domain " + d;
    // The name must not be another account's server: its registration and its reports
    // stay that account's.
    if (auto agents = c.agents()) {
        for (const auto& a : *agents)
            if (a.name == name)
                for (const auto& d : a.domains)
                    if (!allowed(d)) return who + " may not use the name " + name + ": another account's agent has it";
    }
    if (watchdog) {
        if (auto server = watchdog->server(name)) {
            bool foreign = false;
            for (const auto& i : server->instances) foreign = foreign || !allowed(i.instance.domain);
            for (const auto& [domain, serial] : server->serials) foreign = foreign || !allowed(domain);
            if (foreign) return who + " may not use the name " + name + ": another account's server has it";
        }
    }
    return std::nullopt;
}

}  // namespace patchbay
