// The REST API's request bodies as values: JSON text in, a zone name, tuple or agent
// registration out, or an error that says which field is wrong. Pure (no HTTP, no
// store, no clock), so the API's handling of outside input is tested and fuzzed alone.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "principal.h"
#include "result.h"
#include "store.h"
#include "tuple.h"

namespace patchbay {

// The body as a JSON object. Errors: "body is not valid JSON: WHERE",
// "body must be a JSON object".
Result<nlohmann::json> parse_body(std::string_view text);

// POST /v1/zones {"name"}: the name as given (the controller normalizes it).
// Errors: unknown fields, a missing or non-text name.
Result<std::string> zone_name_from(const nlohmann::json& body);

// POST /v1/zones {"name","account","template"}: the name as given, and the account when one is
// named (checked with check_account_name; "" = the platform). Errors: unknown fields,
// a missing or non-text name, a bad account name.
struct ZoneBody {
    std::string name;
    std::optional<std::string> account;
    std::string template_name;  // "template": the account's [templates] entry, '' = none
};
Result<ZoneBody> zone_from(const nlohmann::json& body);

// POST /v1/accounts {"name"}: a checked account name.
Result<std::string> account_from(const nlohmann::json& body);

// POST /v1/tokens {"account","role","name"}: account optional ("" = none), role
// required, name optional. Errors: unknown fields, a bad account name or role.
struct TokenBody {
    std::optional<std::string> account;
    Role role = Role::agent;
    std::string name;
};
Result<TokenBody> token_from(const nlohmann::json& body);

// POST /v1/zones/ZONE/tuples {"service","transport","address","port","priority",
// "weight","target"}; text or whole numbers; priority, weight and target optional.
// Errors: unknown fields, a missing field, then whatever parse_tuple says.
Result<Tuple> tuple_from(const std::string& zone, const nlohmann::json& body);

// POST /v1/zones/import {"text","zone","source","account"}: a zone file's text; the zone when the
// file does not name it; the file's name for error messages (default "zone file").
struct ZoneImportBody {
    std::string text;
    std::optional<std::string> zone;
    std::string source = "zone file";
    std::optional<std::string> account;  // as in ZoneBody
};
Result<ZoneImportBody> zone_import_from(const nlohmann::json& body);

// POST /v1/agents {"name","notify","domains"}. A wildcard notify address is replaced by
// `peer` (the address the request came from); `now` is the registration time.
Result<AgentRow> agent_from(const nlohmann::json& body, std::string_view peer, int64_t now);

// PUT /v1/accounts/A/settings and POST /v1/settings/check {"text","file"}: a settings
// file's text, and the name errors give it (default "settings.toml").
struct SettingsBody {
    std::string text;
    std::string file = "settings.toml";
};
Result<SettingsBody> settings_from(const nlohmann::json& body);

// POST /v1/accounts/A/settings/rollback {"version"}: a version number, 1 or more.
Result<int64_t> rollback_from(const nlohmann::json& body);

// A settings version in a path: 1 or more. Errors: "settings version 'x' is not a number".
Result<int64_t> version_from(const std::string& text);

// A time as `at=` gives it: unix seconds ("1764921600"), or RFC 3339 with a zone
// ("2026-12-05T08:00:00Z", "2026-12-05T09:00:00+01:00"), years 1970 to 2199. Errors
// name the parameter.
Result<std::chrono::system_clock::time_point> time_from(const std::string& text);

}  // namespace patchbay
