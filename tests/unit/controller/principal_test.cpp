// principal: who may read and change what, table by table (docs/accounts.md).
#include <catch2/catch.hpp>

#include "api_access.h"
#include "principal.h"

using namespace patchbay;

namespace {

const Principal admin{Role::admin, "", "root"};
const Principal a_admin{Role::account_admin, "a", "ops"};
const Principal a_viewer{Role::account_viewer, "a", "ci"};
const Principal a_agent{Role::agent, "a", "host"};
const Principal platform_agent{Role::agent, "", "host"};

}  // namespace

TEST_CASE("principal: role names both ways") {
    for (Role r : {Role::admin, Role::account_admin, Role::account_viewer, Role::agent})
        CHECK(*parse_role(role_name(r)) == r);
    CHECK(parse_role("root").error() == "unknown role 'root' (expected admin, account-admin, account-viewer, agent)");
}

TEST_CASE("principal: account names") {
    struct Case {
        const char* name;
        const char* error;  // nullptr: fine
    } cases[] = {
        {"a", nullptr},
        {"team-7", nullptr},
        {"", "account name '': must not be empty"},
        {"A", "account name 'A': only lower-case letters, digits and '-' may be used"},
        {"a.b", "account name 'a.b': only lower-case letters, digits and '-' may be used"},
        {"a b", "account name 'a b': only lower-case letters, digits and '-' may be used"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        auto r = check_account_name(c.name);
        if (c.error) CHECK(r.error() == c.error);
        else CHECK(r);
    }
    CHECK(check_account_name(std::string(63, 'x')));
    CHECK_FALSE(check_account_name(std::string(64, 'x')));
}

TEST_CASE("principal: who may read and change which account's things") {
    struct Case {
        const Principal* who;
        const char* account;
        bool read, change;
    } cases[] = {
        {&admin, "", true, true},          {&admin, "a", true, true},           {&admin, "b", true, true},
        {&a_admin, "a", true, true},       {&a_admin, "b", false, false},       {&a_admin, "", false, false},
        {&a_viewer, "a", true, false},     {&a_viewer, "b", false, false},      {&a_viewer, "", false, false},
        {&a_agent, "a", false, false},     {&a_agent, "b", false, false},       {&platform_agent, "", false, false},
    };
    for (const auto& c : cases) {
        INFO(role_name(c.who->role) << " of '" << c.who->account << "' on '" << c.account << "'");
        CHECK(may_read(*c.who, c.account) == c.read);
        CHECK(may_change(*c.who, c.account) == c.change);
    }
    // A principal without an account never matches the platform's '' by accident.
    const Principal broken{Role::account_admin, "", "x"};
    CHECK_FALSE(may_read(broken, ""));
    CHECK_FALSE(may_change(broken, ""));
}

TEST_CASE("principal: accounts and tokens are managed by admins, an account's tokens by its admins") {
    CHECK(may_manage_accounts(admin));
    for (const auto* p : {&a_admin, &a_viewer, &a_agent}) CHECK_FALSE(may_manage_accounts(*p));
    struct Case {
        const Principal* who;
        const char* account;
        Role role;
        bool may;
    } cases[] = {
        {&admin, "", Role::admin, true},
        {&admin, "b", Role::account_viewer, true},
        {&a_admin, "a", Role::account_admin, true},
        {&a_admin, "a", Role::account_viewer, true},
        {&a_admin, "a", Role::agent, true},
        {&a_admin, "a", Role::admin, false},
        {&a_admin, "", Role::admin, false},
        {&a_admin, "b", Role::agent, false},
        {&a_viewer, "a", Role::account_viewer, false},
        {&a_agent, "a", Role::agent, false},
    };
    for (const auto& c : cases) {
        INFO(role_name(c.who->role) << " makes " << role_name(c.role) << " of '" << c.account << "'");
        CHECK(may_manage_tokens(*c.who, c.account, c.role) == c.may);
    }
    CHECK(may_manage_some_tokens(admin));
    CHECK(may_manage_some_tokens(a_admin));
    CHECK_FALSE(may_manage_some_tokens(a_viewer));
    CHECK_FALSE(may_manage_some_tokens(a_agent));
}

TEST_CASE("principal: who may register and report for a domain") {
    struct Case {
        const Principal* who;
        const char* owner;
        bool known;
        bool may;
    } cases[] = {
        {&admin, "b", true, true},          {&admin, "", false, true},
        {&platform_agent, "b", true, true}, {&platform_agent, "", false, true},
        {&a_agent, "a", true, true},        {&a_agent, "b", true, false},
        {&a_agent, "", true, false},        {&a_agent, "", false, false},
        {&a_admin, "a", true, true},        {&a_admin, "b", true, false},
        {&a_viewer, "a", true, false},
    };
    for (const auto& c : cases) {
        INFO(role_name(c.who->role) << " of '" << c.who->account << "' for '" << c.owner << "' known " << c.known);
        CHECK(may_report_for(*c.who, c.owner, c.known) == c.may);
    }
}

TEST_CASE("principal: the API's gate — agents register and report, viewers read") {
    struct Case {
        const Principal* who;
        const char* method;
        const char* path;
        bool passes;
    } cases[] = {
        {&admin, "DELETE", "/v1/zones/x", true},
        {&a_admin, "POST", "/v1/tokens", true},
        {&a_viewer, "GET", "/v1/zones", true},
        {&a_viewer, "POST", "/v1/zones", false},
        {&a_viewer, "DELETE", "/v1/tokens/abc", false},
        {&a_agent, "POST", "/v1/agents", true},
        {&a_agent, "POST", "/v1/reports", true},
        {&a_agent, "GET", "/v1/zones", false},
        {&a_agent, "GET", "/v1/agents", false},
        {&platform_agent, "POST", "/v1/zones", false},
        // A layout of the timelines page is the viewer's own.
        {&a_viewer, "PUT", "/v1/arrangements/mine", true},
        {&a_viewer, "DELETE", "/v1/arrangements/mine", true},
        {&a_viewer, "PUT", "/v1/arrangementsX", false},
        {&a_agent, "PUT", "/v1/arrangements/mine", false},
    };
    for (const auto& c : cases) {
        INFO(role_name(c.who->role) << " " << c.method << " " << c.path);
        CHECK(!gate(*c.who, c.method, c.path).has_value() == c.passes);
    }
    CHECK(*gate(a_viewer, "POST", "/v1/zones") == "role account-viewer may not change anything (POST /v1/zones)");
}
