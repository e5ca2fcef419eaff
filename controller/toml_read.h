// toml_read: how the controller reads its TOML files (the controller's config, an
// account's settings file) with toml++, so both say the same things the same way:
// every error is "FILE:LINE:COLUMN: what is wrong", naming the key ("health.down_after").
// The [health] and [[alert]] sections have the same keys in both files and are parsed
// here once.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "alert.h"
#include "health.h"
#include "result.h"

namespace patchbay {

// "FILE:LINE:COLUMN" of where `src` begins.
std::string where(const std::string& origin, const toml::source_region& src);

// Parses `text` as TOML. Errors: "FILE:LINE:COLUMN: " + toml++'s description.
Result<toml::table> parse_toml(std::string_view text, const std::string& origin);

// "FILE:L:C: unknown KIND 'KEY'", plus " (did you mean 'X'?)" when one of `known` is a
// near miss of the last dotted part of `key` (an edit or two away).
Error unknown_key(const std::string& origin, const toml::node& at, const std::string& key,
                  std::span<const std::string_view> known, std::string_view kind = "key");
Error unknown_key(const std::string& origin, const toml::node& at, const std::string& key,
                  std::initializer_list<std::string_view> known = {}, std::string_view kind = "key");
// The entry of `known` that `word` is likely a typo of, or "".
std::string closest(std::string_view word, std::span<const std::string_view> known);
std::string closest(std::string_view word, std::initializer_list<std::string_view> known);

// Refuses the first key of `table` not in `known` (a list of config_keys.h), with
// unknown_key's message; `prefix` names the table in it ("tsig_key" ⇒ 'tsig_key.nmae').
Result<void> only_known_keys(const toml::table& table, const std::string& origin, const std::string& prefix,
                             std::span<const std::string_view> known);

// The tables of array `name` at the top level (none when it is absent). Errors: "NAME
// must be an array of tables [[NAME]]".
Result<std::vector<const toml::table*>> tables_of(const toml::table& root, const std::string& name,
                                                  const std::string& origin);

// The string at `node`. Errors: "KEY must be a string".
Result<std::string> string_at(const toml::node& node, const std::string& origin, const std::string& key);

// A list of strings, or one string standing for a list of one; each with its node, so an
// error can point at the item. Errors: "KEY must be a list of strings".
Result<std::vector<std::pair<std::string, const toml::node*>>> strings_at(const toml::node& node,
                                                                          const std::string& origin,
                                                                          const std::string& key);

// An integer from `low` to `high` (value_exact: a float is refused, not cast). Errors:
// "KEY must be LOW to HIGH" + unit.
Result<int64_t> int_at(const toml::node& node, const std::string& origin, const std::string& key, int64_t low,
                       int64_t high, const std::string& unit);

// The keys of a [health] table (docs/watchdog.md) over `criteria`: each key given
// replaces its value. Errors name the key and its range, or "unknown key 'health.X'".
Result<void> parse_health_table(const toml::table& table, const std::string& origin, HealthCriteria& criteria);

// Where the [[alert]] tables are read: the controller's config may run programs
// (`command`); an account's settings file may not.
enum class AlertCommands { allowed, refused };

// Every [[alert]] table of `root` (docs/alerts.md), in file order. Errors name the key
// ("alert.webhook must be an http:// or https:// URL"), a name defined twice, a policy
// without a channel; with AlertCommands::refused, any `command` ("alert.command is only
// allowed in the controller's config").
Result<std::vector<AlertPolicy>> parse_alert_tables(const toml::table& root, const std::string& origin,
                                                    AlertCommands commands);

}  // namespace patchbay
