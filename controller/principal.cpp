#include "principal.h"

namespace patchbay {

std::string_view role_name(Role role) {
    switch (role) {
        case Role::admin: return "admin";
        case Role::account_admin: return "account-admin";
        case Role::account_viewer: return "account-viewer";
        case Role::agent: return "agent";
    }
    return "?";
}

Result<Role> parse_role(std::string_view text) {
    for (Role r : {Role::admin, Role::account_admin, Role::account_viewer, Role::agent})
        if (text == role_name(r)) return r;
    return fail("unknown role '" + std::string(text) + "' (expected admin, account-admin, account-viewer, agent)");
}

Result<void> check_account_name(std::string_view name) {
    std::string quoted = "account name '" + std::string(name) + "': ";
    if (name.empty()) return fail(quoted + "must not be empty");
    if (name.size() > 63) return fail(quoted + "is longer than 63 characters");
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return fail(quoted + "only lower-case letters, digits and '-' may be used");
    return {};
}

bool may_read(const Principal& p, std::string_view account) {
    switch (p.role) {
        case Role::admin: return true;
        case Role::account_admin:
        case Role::account_viewer: return !p.account.empty() && p.account == account;
        case Role::agent: return false;
    }
    return false;
}

bool may_change(const Principal& p, std::string_view account) {
    if (p.role == Role::admin) return true;
    return p.role == Role::account_admin && !p.account.empty() && p.account == account;
}

bool may_manage_accounts(const Principal& p) { return p.role == Role::admin; }

bool may_manage_some_tokens(const Principal& p) { return p.role == Role::admin || p.role == Role::account_admin; }

bool may_manage_tokens(const Principal& p, std::string_view account, Role role) {
    if (p.role == Role::admin) return true;
    return p.role == Role::account_admin && !p.account.empty() && p.account == account && role != Role::admin;
}

bool may_report_for(const Principal& p, std::string_view owner, bool known) {
    switch (p.role) {
        case Role::admin: return true;
        case Role::agent: return p.account.empty() || (known && p.account == owner);
        case Role::account_admin: return known && !p.account.empty() && p.account == owner;
        case Role::account_viewer: return false;
    }
    return false;
}

}  // namespace patchbay
