// principal: who an API request (or a DNS UPDATE key) acts for — a role and the account
// it belongs to — and the pure decisions of what that may read and change
// (docs/accounts.md). Zones, tuples and servers belong to an account; the account ''
// is the platform's, which only admins see.
#pragma once

#include <string>
#include <string_view>

#include "result.h"

namespace patchbay {

enum class Role { admin, account_admin, account_viewer, agent };

// "admin", "account-admin", "account-viewer", "agent".
std::string_view role_name(Role role);
// Errors: "unknown role 'X' (expected admin, account-admin, account-viewer, agent)".
Result<Role> parse_role(std::string_view text);

// An account name: 1..63 of [a-z0-9-]. Errors name the value:
// "account name 'X': …".
Result<void> check_account_name(std::string_view name);

struct Principal {
    Role role = Role::admin;
    std::string account;     // '' only for admins and platform agents
    std::string token_name;  // for logs
};

// May `p` see the things (zones, tuples, servers) of `account` ('' = the platform's)?
// Admins see everything; account roles their own account; agents nothing.
bool may_read(const Principal& p, std::string_view account);
// May `p` change the things of `account`? Admins everything; account-admins their own.
bool may_change(const Principal& p, std::string_view account);
// May `p` create, list and remove accounts? Admins only.
bool may_manage_accounts(const Principal& p);
// May `p` create, list or revoke tokens of `account` with `role`? Admins any; an
// account-admin those of its own account with the roles account-admin,
// account-viewer and agent.
bool may_manage_tokens(const Principal& p, std::string_view account, Role role);
// May `p` list or revoke tokens at all (what it may see is may_manage_tokens')?
bool may_manage_some_tokens(const Principal& p);
// May `p` register an agent for, or report on instances of, a domain whose zone
// belongs to `owner` (nullopt-like: pass "" with `known` false for a domain no zone
// of ours holds)? Admins and platform agents any; an account's agents and
// account-admins only their account's zones.
bool may_report_for(const Principal& p, std::string_view owner, bool known);

}  // namespace patchbay
