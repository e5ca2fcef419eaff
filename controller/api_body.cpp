// Request bodies of the REST API (api_body.h): field checks and conversion to values.
#include "api_body.h"

#include <charconv>
#include <initializer_list>
#include <optional>
#include <cstdio>

#include <date/date.h>

#include "domain.h"

namespace patchbay {

namespace {

using nlohmann::json;

// A field as text: strings as they are, whole numbers printed. Absent ⇒ `fallback`.
Result<std::string> text_field(const json& body, const char* name, std::optional<std::string> fallback) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) {
        if (fallback) return *fallback;
        return fail(std::string("field '") + name + "' is required");
    }
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_unsigned()) return std::to_string(it->get<uint64_t>());
    if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
    return fail(std::string("field '") + name + "' must be a string or a whole number");
}

// Rejects fields the endpoint does not know, so a typo never passes silently.
Result<void> only_fields(const json& body, std::initializer_list<const char*> known) {
    for (const auto& [key, value] : body.items()) {
        bool ok = false;
        for (const char* k : known) ok = ok || key == k;
        if (!ok) return fail("unknown field '" + key + "'");
    }
    return {};
}

// nlohmann's parse errors quote the last bytes read, which may be anything the client
// sent; the message goes back inside a JSON reply, whose serializer throws on invalid
// UTF-8 (a 400 would turn into a 500). Keep printable ASCII only.
std::string printable(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    }
    return out;
}

}  // namespace

Result<json> parse_body(std::string_view text) {
    json body;
    try {
        body = json::parse(text);
    } catch (const json::exception& e) {  // parse_error, and out_of_range for numbers like 1e999
        return fail("body is not valid JSON: " + printable(e.what()));
    }
    if (!body.is_object()) return fail("body must be a JSON object");
    return body;
}

Result<std::string> zone_name_from(const json& body) {
    if (auto r = only_fields(body, {"name"}); !r) return r.failure();
    return text_field(body, "name", std::nullopt);
}

namespace {

// An optional account field: absent or null ⇒ nullopt, "" ⇒ the platform.
Result<std::optional<std::string>> account_field(const json& body) {
    auto it = body.find("account");
    if (it == body.end() || it->is_null()) return std::optional<std::string>();
    if (!it->is_string()) return fail("field 'account' must be a string");
    std::string name = it->get<std::string>();
    if (!name.empty())
        if (auto r = check_account_name(name); !r) return fail("field 'account': " + printable(r.error()));
    return std::optional<std::string>(name);
}

}  // namespace

Result<ZoneBody> zone_from(const json& body) {
    if (auto r = only_fields(body, {"name", "account", "template"}); !r) return r.failure();
    auto name = text_field(body, "name", std::nullopt);
    if (!name) return name.failure();
    auto account = account_field(body);
    if (!account) return account.failure();
    auto template_name = text_field(body, "template", "");
    if (!template_name) return template_name.failure();
    if (!template_name->empty() && !*account) return fail("a template needs an account (field 'account')");
    return ZoneBody{*name, *account, *template_name};
}

Result<std::string> account_from(const json& body) {
    if (auto r = only_fields(body, {"name"}); !r) return r.failure();
    auto it = body.find("name");
    if (it == body.end() || !it->is_string()) return fail("field 'name' (the account) must be a string");
    std::string name = it->get<std::string>();
    if (auto r = check_account_name(name); !r) return fail(printable(r.error()));
    return name;
}

Result<TokenBody> token_from(const json& body) {
    if (auto r = only_fields(body, {"account", "role", "name"}); !r) return r.failure();
    TokenBody out;
    auto account = account_field(body);
    if (!account) return account.failure();
    out.account = *account;
    auto role = body.find("role");
    if (role == body.end() || !role->is_string())
        return fail("field 'role' must be one of admin, account-admin, account-viewer, agent");
    auto parsed = parse_role(role->get<std::string>());
    if (!parsed) return fail("field 'role': " + printable(parsed.error()));
    out.role = *parsed;
    if (auto it = body.find("name"); it != body.end() && !it->is_null()) {
        if (!it->is_string()) return fail("field 'name' must be a string");
        out.name = it->get<std::string>();
    }
    return out;
}

Result<Tuple> tuple_from(const std::string& zone, const json& body) {
    if (auto r = only_fields(body, {"service", "transport", "address", "port", "priority", "weight", "target"}); !r)
        return r.failure();
    std::string f[7];
    const char* names[7] = {"service", "transport", "address", "port", "priority", "weight", "target"};
    std::optional<std::string> defaults[7] = {std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                                              "1", "100", ""};
    for (int i = 0; i < 7; ++i) {
        auto v = text_field(body, names[i], defaults[i]);
        if (!v) return v.failure();
        f[i] = *v;
    }
    return parse_tuple(zone, f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
}

Result<ZoneImportBody> zone_import_from(const json& body) {
    if (auto r = only_fields(body, {"text", "zone", "source", "account"}); !r) return r.failure();
    ZoneImportBody out;
    auto account = account_field(body);
    if (!account) return account.failure();
    out.account = *account;
    auto text = body.find("text");
    if (text == body.end() || !text->is_string()) return fail("field 'text' (the zone file) must be a string");
    out.text = text->get<std::string>();
    if (auto it = body.find("zone"); it != body.end() && !it->is_null()) {
        if (!it->is_string()) return fail("field 'zone' must be a string");
        out.zone = it->get<std::string>();
    }
    if (auto it = body.find("source"); it != body.end() && !it->is_null()) {
        if (!it->is_string()) return fail("field 'source' must be a string");
        out.source = printable(it->get<std::string>());
    }
    return out;
}

Result<AgentRow> agent_from(const json& body, std::string_view peer, int64_t now) {
    if (auto r = only_fields(body, {"name", "notify", "domains"}); !r) return r.failure();
    auto name = text_field(body, "name", std::nullopt);
    auto notify = text_field(body, "notify", "");
    if (!name) return name.failure();
    if (!notify) return notify.failure();
    if (name->empty() || name->size() > 253) return fail("field 'name' must be 1 to 253 characters");
    AgentRow agent{*name, std::nullopt, {}, now};
    if (!notify->empty()) {
        auto endpoint = Endpoint::parse(*notify);
        if (!endpoint) return fail("field 'notify': " + endpoint.error());
        // An agent listening on the wildcard is reached at the address it called from.
        if (endpoint->address == Address{} || endpoint->address == Address{Family::v6, {}}) {
            auto from = Address::parse(peer);
            if (!from) return fail("field 'notify' is a wildcard and the peer address is unknown");
            endpoint->address = *from;
        }
        agent.notify = *endpoint;
    }
    auto domains = body.find("domains");
    if (domains == body.end() || !domains->is_array())
        return fail("field 'domains' must be an array of domain names");
    for (const auto& d : *domains) {
        if (!d.is_string()) return fail("field 'domains' must hold only strings");
        auto domain = normalize_domain(d.get<std::string>());
        if (!domain) return fail("field 'domains': " + domain.error());
        agent.domains.push_back(*domain);
    }
    return agent;
}

Result<SettingsBody> settings_from(const json& body) {
    if (auto r = only_fields(body, {"text", "file"}); !r) return r.failure();
    auto text = text_field(body, "text", std::nullopt);
    if (!text) return text.failure();
    auto file = text_field(body, "file", "settings.toml");
    if (!file) return file.failure();
    if (file->empty() || file->size() > 255 || file->find_first_of("\n\r") != std::string::npos)
        return fail("field 'file' must be a file name of 1 to 255 characters on one line");
    return SettingsBody{std::move(*text), std::move(*file)};
}

Result<int64_t> rollback_from(const json& body) {
    if (auto r = only_fields(body, {"version"}); !r) return r.failure();
    auto it = body.find("version");
    if (it == body.end() || !it->is_number_integer() || it->get<int64_t>() < 1)
        return fail("field 'version' must be a settings version number (1 or more)");
    return it->get<int64_t>();
}

Result<int64_t> version_from(const std::string& text) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < 1)
        return fail("settings version '" + printable(text) + "' is not a number of 1 or more");
    return v;
}

// 2200-01-01T00:00:00Z: system_clock counts nanoseconds in 64 bits, which end in 2262.
constexpr int64_t kTimeLimit = 7258118400;

Result<std::chrono::system_clock::time_point> time_from(const std::string& text) {
    auto bad = [&] {
        return fail("at: '" + printable(text) + "' is not a time (unix seconds, or RFC 3339 like 2026-12-05T08:00:00Z)");
    };
    if (text.empty() || text.size() > 64) return bad();
    if (text.find_first_not_of("0123456789") == std::string::npos) {
        int64_t secs = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), secs);
        if (ec != std::errc() || secs >= kTimeLimit) return bad();
        return std::chrono::system_clock::time_point(std::chrono::seconds(secs));
    }
    // YYYY-MM-DDTHH:MM:SS, then Z or ±HH:MM (date::parse trips g++ 12's uninitialized check)
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, oh = 0, om = 0, used = 0;
    char sign = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6)
        return bad();
    std::string_view zone = std::string_view(text).substr(static_cast<size_t>(used));
    if (zone == "Z" || zone == "z") {
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
               std::sscanf(std::string(zone).c_str(), "%c%2d:%2d", &sign, &oh, &om) == 3 && oh < 24 && om < 60) {
    } else {
        return bad();
    }
    date::year_month_day ymd{date::year(y), date::month(static_cast<unsigned>(mo)), date::day(static_cast<unsigned>(d))};
    if (!ymd.ok() || y < 1970 || y > 2199 || h > 23 || mi > 59 || sec > 60) return bad();
    auto tp = date::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(sec);
    auto offset = std::chrono::hours(oh) + std::chrono::minutes(om);
    return std::chrono::system_clock::time_point(sign == '-' ? tp + offset : tp - offset);
}

}  // namespace patchbay
