#include "toml_read.h"

#include <algorithm>
#include <type_traits>

#include "config_keys.h"

namespace patchbay {

namespace {

// Levenshtein distance, for "did you mean": short words, so the plain table is fine.
size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

std::string where(const std::string& origin, const toml::source_region& src) {
    return origin + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column);
}

Result<toml::table> parse_toml(std::string_view text, const std::string& origin) {
    try {
        return toml::parse(text, origin);
    } catch (const toml::parse_error& e) {
        return fail(where(origin, e.source()) + ": " + std::string(e.description()));
    }
}

std::string closest(std::string_view word, std::initializer_list<std::string_view> known) {
    return closest(word, std::span<const std::string_view>(known.begin(), known.size()));
}

std::string closest(std::string_view word, std::span<const std::string_view> known) {
    if (word.size() > 64) return "";
    std::string best;
    size_t best_distance = 3;  // at most two edits, and fewer than half the word
    for (std::string_view candidate : known) {
        size_t d = edit_distance(word, candidate);
        if (d < best_distance && d * 2 < std::max(word.size(), candidate.size())) {
            best = std::string(candidate);
            best_distance = d;
        }
    }
    return best;
}

Error unknown_key(const std::string& origin, const toml::node& at, const std::string& key,
                  std::initializer_list<std::string_view> known, std::string_view kind) {
    return unknown_key(origin, at, key, std::span<const std::string_view>(known.begin(), known.size()), kind);
}

Result<void> only_known_keys(const toml::table& table, const std::string& origin, const std::string& prefix,
                             std::span<const std::string_view> known) {
    for (auto& [k, value] : table)
        if (std::find(known.begin(), known.end(), k.str()) == known.end())
            return unknown_key(origin, value, prefix + "." + std::string(k.str()), known);
    return {};
}

Error unknown_key(const std::string& origin, const toml::node& at, const std::string& key,
                  std::span<const std::string_view> known, std::string_view kind) {
    std::string message = where(origin, at.source()) + ": unknown " + std::string(kind) + " '" + key + "'";
    size_t dot = key.rfind('.');
    std::string last = dot == std::string::npos ? key : key.substr(dot + 1);
    if (std::string near = closest(last, known); !near.empty()) message += " (did you mean '" + near + "'?)";
    return fail(message);
}

Result<std::vector<const toml::table*>> tables_of(const toml::table& root, const std::string& name,
                                                  const std::string& origin) {
    std::vector<const toml::table*> out;
    const toml::node* node = root.get(name);
    if (node == nullptr) return out;
    const toml::array* list = node->as_array();
    if (list == nullptr) return fail(where(origin, node->source()) + ": " + name + " must be an array of tables [[" + name + "]]");
    for (const auto& item : *list) {
        if (!item.is_table()) return fail(where(origin, item.source()) + ": " + name + " must be an array of tables [[" + name + "]]");
        out.push_back(item.as_table());
    }
    return out;
}

Result<std::string> string_at(const toml::node& node, const std::string& origin, const std::string& key) {
    auto text = node.value<std::string>();
    if (!text) return fail(where(origin, node.source()) + ": " + key + " must be a string");
    return *text;
}

Result<std::vector<std::pair<std::string, const toml::node*>>> strings_at(const toml::node& node,
                                                                          const std::string& origin,
                                                                          const std::string& key) {
    std::vector<std::pair<std::string, const toml::node*>> out;
    if (auto one = node.value<std::string>()) {
        out.emplace_back(*one, &node);
        return out;
    }
    const toml::array* list = node.as_array();
    if (list == nullptr) return fail(where(origin, node.source()) + ": " + key + " must be a list of strings");
    for (const auto& item : *list) {
        auto text = item.value<std::string>();
        if (!text) return fail(where(origin, item.source()) + ": " + key + " must be a list of strings");
        out.emplace_back(*text, &item);
    }
    return out;
}

Result<int64_t> int_at(const toml::node& node, const std::string& origin, const std::string& key, int64_t low,
                       int64_t high, const std::string& unit) {
    auto v = node.value_exact<int64_t>();
    if (!v || *v < low || *v > high)
        return fail(where(origin, node.source()) + ": " + key + " must be " + std::to_string(low) + " to " +
                    std::to_string(high) + unit);
    return *v;
}

// --- [health]: the watchdog's criteria (docs/watchdog.md) ------------------------------

Result<void> parse_health_table(const toml::table& table, const std::string& origin, HealthCriteria& h) {
    if (auto r = only_known_keys(table, origin, "health", controller_keys::health); !r) return r;
    for (auto& [k, node] : table) {
        const toml::node& value = node;  // clang 14 cannot capture a structured binding
        std::string key = "health." + std::string(k.str());
        auto whole = [&](auto& slot, int64_t lo, int64_t hi, const char* unit) -> Result<void> {
            auto v = value.value_exact<int64_t>();
            if (!v || *v < lo || *v > hi)
                return fail(where(origin, value.source()) + ": " + key + " must be a whole number " +
                            std::to_string(lo) + " to " + std::to_string(hi) + unit);
            slot = static_cast<std::remove_reference_t<decltype(slot)>>(*v);
            return {};
        };
        auto fraction = [&](double& slot, double hi, const char* what) -> Result<void> {
            auto v = value.value<double>();  // an integer is a number too (load_warning = 4)
            if (!v || !(*v >= 0 && *v <= hi))
                return fail(where(origin, value.source()) + ": " + key + " must be " + what);
            slot = *v;
            return {};
        };
        Result<void> r;
        if (k == "down_after") r = whole(h.down_after, 1, 1000, "");
        else if (k == "up_after") r = whole(h.up_after, 1, 1000, "");
        else if (k == "heartbeat_timeout_seconds") r = whole(h.heartbeat_timeout_seconds, 1, 86400, " seconds");
        else if (k == "latency_warning_ms") r = fraction(h.latency_warning_ms, 86400e3, "0 (off) to 86400000 ms");
        else if (k == "load_warning") r = fraction(h.load_warning, 1e6, "a load of 0 (off) or more");
        else if (k == "cpu_warning") r = fraction(h.cpu_warning, 1, "a fraction 0 (off) to 1");
        else if (k == "memory_warning") r = fraction(h.memory_warning, 1, "a fraction 0 (off) to 1");
        else if (k == "unit_memory_warning_bytes")
            r = whole(h.unit_memory_warning_bytes, 0, int64_t{1} << 60, " bytes (0 = off)");
        else if (k == "unit_cpu_warning") r = fraction(h.unit_cpu_warning, 1024, "CPUs of 0 (off) to 1024");
        else if (k == "period_seconds") r = whole(h.period_seconds, 1, 86400, " seconds");
        else if (k == "retention_days") r = whole(h.retention_days, 0, 36500, " days (0 = keep all)");
        else
            return unknown_key(origin, value, key,
                               {"down_after", "up_after", "heartbeat_timeout_seconds", "latency_warning_ms",
                                "load_warning", "cpu_warning", "memory_warning", "unit_memory_warning_bytes",
                                "unit_cpu_warning", "period_seconds", "retention_days"});
        if (!r) return r;
    }
    return {};
}

// --- [[alert]] (docs/alerts.md) -----------------------------------------------------

namespace {

bool web_url(const std::string& url) { return url.starts_with("http://") || url.starts_with("https://"); }

bool email_address(const std::string& text) {
    return text.find('@') != std::string::npos && text.find_first_of("<>\r\n ,") == std::string::npos;
}

Result<std::vector<std::string>> alert_strings(const toml::node& node, const std::string& origin,
                                               const std::string& key, bool allow_empty) {
    auto items = strings_at(node, origin, key);
    if (!items) return items.failure();
    std::vector<std::string> out;
    for (const auto& [text, at] : *items) {
        if (text.empty()) return fail(where(origin, at->source()) + ": " + key + ": an empty string");
        out.push_back(text);
    }
    if (out.empty() && !allow_empty) return fail(where(origin, node.source()) + ": " + key + " must not be empty");
    return out;
}

Result<EmailChannel> alert_email(const toml::node& node, const std::string& origin) {
    const toml::table* t = node.as_table();
    if (t == nullptr)
        return fail(where(origin, node.source()) +
                    ": alert.email must be a table { smtp = \"smtp://HOST:PORT\", from = \"…\", to = [\"…\"] }");
    if (auto r = only_known_keys(*t, origin, "alert.email", controller_keys::alert_email); !r) return r.failure();
    EmailChannel email;
    for (auto& [k, value] : *t) {
        std::string key = "alert.email." + std::string(k.str());
        if (k == "to") {
            auto to = alert_strings(value, origin, key, false);
            if (!to) return to.failure();
            for (const auto& address : *to)
                if (!email_address(address))
                    return fail(where(origin, value.source()) + ": " + key + ": '" + address +
                                "' is not an e-mail address");
            email.to = *to;
            continue;
        }
        if (k != "smtp" && k != "from" && k != "username" && k != "password_file")
            return unknown_key(origin, value, key, {"smtp", "from", "to", "username", "password_file"});
        auto text = string_at(value, origin, key);
        if (!text) return text.failure();
        if (k == "smtp") {
            if (!text->starts_with("smtp://") && !text->starts_with("smtps://"))
                return fail(where(origin, value.source()) + ": " + key + " must be a URL smtp://HOST:PORT or smtps://HOST:PORT");
            email.smtp = *text;
        } else if (k == "from") {
            if (!email_address(*text))
                return fail(where(origin, value.source()) + ": " + key + ": '" + *text + "' is not an e-mail address");
            email.from = *text;
        } else if (k == "username") {
            email.username = *text;
        } else {
            email.password_file = *text;
        }
    }
    for (auto [field, given] : {std::pair{"smtp", !email.smtp.empty()}, std::pair{"from", !email.from.empty()},
                                std::pair{"to", !email.to.empty()}})
        if (!given) return fail(where(origin, node.source()) + ": alert.email needs " + field);
    if (!email.password_file.empty() && email.username.empty())
        return fail(where(origin, node.source()) + ": alert.email.password_file needs a username");
    return email;
}

// One [[alert]] table.
Result<AlertPolicy> alert_policy(const toml::table& t, const std::string& origin, AlertCommands commands,
                                 const std::vector<AlertPolicy>& before) {
    if (auto r = only_known_keys(t, origin, "alert", controller_keys::alert); !r) return r.failure();
    AlertPolicy policy;
    const toml::node* name_node = nullptr;
    for (auto& [k, value] : t) {
        std::string key = "alert." + std::string(k.str());
        if (k == "name") {
            auto text = string_at(value, origin, key);
            if (!text) return text.failure();
            if (text->empty()) return fail(where(origin, value.source()) + ": alert.name must not be empty");
            policy.name = *text;
            name_node = &value;
        } else if (k == "states") {
            auto names = alert_strings(value, origin, key, false);
            if (!names) return names.failure();
            policy.states.clear();
            for (const auto& text : *names) {
                auto h = parse_health(text);
                if (!h || (*h != Health::warning && *h != Health::down))
                    return fail(where(origin, value.source()) + ": " + key + ": '" + text +
                                "' is not a state to alert on (warning, down)");
                if (std::find(policy.states.begin(), policy.states.end(), *h) == policy.states.end())
                    policy.states.push_back(*h);
            }
        } else if (k == "servers" || k == "services") {
            auto globs = alert_strings(value, origin, key, false);
            if (!globs) return globs.failure();
            (k == "servers" ? policy.servers : policy.services) = *globs;
        } else if (k == "for_seconds") {
            auto secs = value.value_exact<int64_t>();
            if (!secs || *secs < 0 || *secs > 7 * 86400)
                return fail(where(origin, value.source()) + ": " + key + " must be 0 to 604800 seconds");
            policy.for_ms = *secs * 1000;
        } else if (k == "recovery") {
            auto on = value.value_exact<bool>();
            if (!on) return fail(where(origin, value.source()) + ": " + key + " must be true or false");
            policy.recovery = *on;
        } else if (k == "webhook") {
            auto url = string_at(value, origin, key);
            if (!url) return url.failure();
            if (!web_url(*url))
                return fail(where(origin, value.source()) + ": " + key + " must be an http:// or https:// URL");
            policy.webhook = *url;
        } else if (k == "email") {
            auto email = alert_email(value, origin);
            if (!email) return email.failure();
            policy.email = *email;
        } else if (k == "command") {
            if (commands == AlertCommands::refused)
                return fail(where(origin, value.source()) + ": alert.command is only allowed in the controller's config");
            auto argv = alert_strings(value, origin, key, false);
            if (!argv) return argv.failure();
            if (!argv->front().starts_with("/"))
                return fail(where(origin, value.source()) + ": " + key + ": the program must be an absolute path, got '" +
                            argv->front() + "'");
            policy.command = *argv;
        } else {
            return unknown_key(origin, value, key,
                               {"name", "states", "servers", "services", "for_seconds", "recovery", "webhook", "email",
                                "command"});
        }
    }
    if (!name_node) return fail(where(origin, t.source()) + ": alert needs a name");
    for (const auto& other : before)
        if (other.name == policy.name)
            return fail(where(origin, name_node->source()) + ": alert.name: '" + policy.name + "' is defined twice");
    if (channel_names(policy).empty())
        return fail(where(origin, t.source()) + ": alert '" + policy.name + "' needs a channel: " +
                    (commands == AlertCommands::allowed ? "webhook, email or command" : "webhook or email"));
    return policy;
}

}  // namespace

Result<std::vector<AlertPolicy>> parse_alert_tables(const toml::table& root, const std::string& origin,
                                                    AlertCommands commands) {
    auto tables = tables_of(root, "alert", origin);
    if (!tables) return tables.failure();
    std::vector<AlertPolicy> out;
    for (const toml::table* t : *tables) {
        auto policy = alert_policy(*t, origin, commands, out);
        if (!policy) return policy.failure();
        out.push_back(std::move(*policy));
    }
    return out;
}

}  // namespace patchbay
