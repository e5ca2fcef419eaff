// settings: parsing and validating an account's settings file (docs/policies.md). The
// sections are read one by one, in the order their names are needed (regions before
// what refers to regions, and so on); every error is the first one met, as
// "FILE:LINE:COLUMN: what is wrong".
#include "settings.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <set>
#include <tuple>

#include <date/tz.h>
#include <maxminddb.h>

#include "domain.h"
#include "toml_read.h"

namespace patchbay {

namespace {

Error error_at(const std::string& origin, const toml::node& at, const std::string& message) {
    return fail(where(origin, at.source()) + ": " + message);
}

SourcePlace place_of(const std::string& origin, const toml::node& node) {
    return SourcePlace{origin, node.source().begin.line, node.source().begin.column};
}

// The names of regions, departments, windows, templates, and server types and tags.
bool is_word(std::string_view text) {
    if (text.empty() || text.size() > 63) return false;
    auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (!letter(text[0])) return false;
    return std::all_of(text.begin(), text.end(), [&](char c) {
        return letter(c) || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}
const char* const word_rule = "1 to 63 letters, digits, '-' or '_', starting with a letter";

Result<std::string> word_at(const toml::node& node, const std::string& origin, const std::string& key) {
    auto text = string_at(node, origin, key);
    if (!text) return text.failure();
    if (!is_word(*text)) return error_at(origin, node, key + ": '" + *text + "' is not a name (" + word_rule + ")");
    return text;
}

// A list of words, each at most once.
Result<std::vector<std::string>> words_at(const toml::node& node, const std::string& origin, const std::string& key) {
    auto items = strings_at(node, origin, key);
    if (!items) return items.failure();
    std::vector<std::string> out;
    for (const auto& [text, at] : *items) {
        auto word = word_at(*at, origin, key);
        if (!word) return word.failure();
        if (std::find(out.begin(), out.end(), *word) != out.end())
            return error_at(origin, *at, key + ": '" + *word + "' is listed twice");
        out.push_back(*word);
    }
    return out;
}

// A list of address prefixes, each at most once.
Result<std::vector<Prefix>> prefixes_at(const toml::node& node, const std::string& origin, const std::string& key) {
    auto items = strings_at(node, origin, key);
    if (!items) return items.failure();
    std::vector<Prefix> out;
    for (const auto& [text, at] : *items) {
        auto prefix = Prefix::parse(text);
        if (!prefix) return error_at(origin, *at, key + ": " + prefix.error());
        if (std::find(out.begin(), out.end(), *prefix) != out.end())
            return error_at(origin, *at, key + ": " + prefix->str() + " is listed twice");
        out.push_back(*prefix);
    }
    return out;
}

Result<const toml::table*> section(const toml::table& root, const char* name, const std::string& origin) {
    const toml::node* node = root.get(name);
    if (node == nullptr) return static_cast<const toml::table*>(nullptr);
    if (!node->is_table())
        return error_at(origin, *node, std::string(name) + " must be a table [" + name + "]");
    return node->as_table();
}

// [SECTION.NAME] tables, in file order.
struct Named {
    std::string name;
    const toml::table* table = nullptr;
};
Result<std::vector<Named>> named_tables(const toml::table& root, const char* name, const std::string& origin,
                                        bool words = true) {
    auto parent = section(root, name, origin);
    if (!parent) return parent.failure();
    std::vector<Named> out;
    if (*parent == nullptr) return out;
    for (auto& [k, node] : **parent) {
        std::string child(k.str());
        if (!node.is_table())
            return error_at(origin, node, std::string(name) + "." + child + " must be a table [" + name + "." +
                                              child + "]");
        if (words && !is_word(child))
            return error_at(origin, node, std::string(name) + ": '" + child + "' is not a name (" + word_rule + ")");
        out.push_back(Named{child, node.as_table()});
    }
    std::sort(out.begin(), out.end(), [](const Named& a, const Named& b) {
        auto pa = a.table->source().begin, pb = b.table->source().begin;
        return std::pair{pa.line, pa.column} < std::pair{pb.line, pb.column};
    });
    return out;
}

template <class T>
const T* find_named(const std::vector<T>& list, std::string_view name) {
    for (const auto& item : list)
        if (item.name == name) return &item;
    return nullptr;
}

// --- [mapping], [geo] --------------------------------------------------------------------

Result<void> parse_mapping(const toml::table& root, const std::string& origin, AccountSettings& s) {
    auto table = section(root, "mapping", origin);
    if (!table) return table.failure();
    if (*table == nullptr) return {};
    for (auto& [k, value] : **table) {
        std::string key = "mapping." + std::string(k.str());
        if (k != "ttl") return unknown_key(origin, value, key, {"ttl"});
        auto ttl = int_at(value, origin, key, 1, 86400, " seconds");
        if (!ttl) return ttl.failure();
        s.ttl = static_cast<uint32_t>(*ttl);
    }
    return {};
}

Result<void> check_maxmind(const toml::node& at, const std::string& origin, const std::string& path) {
    MMDB_s db;
    int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db);
    if (status != MMDB_SUCCESS) {
        std::string why = MMDB_strerror(status);
        if (status == MMDB_IO_ERROR) why += std::string(": ") + std::strerror(errno);
        return error_at(origin, at, "geo.maxmind_db: cannot open '" + path + "': " + why);
    }
    MMDB_close(&db);
    return {};
}

Result<void> parse_geo(const toml::table& root, const std::string& origin, bool check_files, AccountSettings& s) {
    auto table = section(root, "geo", origin);
    if (!table) return table.failure();
    if (*table == nullptr) return {};
    for (auto& [k, value] : **table) {
        std::string key = "geo." + std::string(k.str());
        if (k == "maxmind_db") {
            auto path = string_at(value, origin, key);
            if (!path) return path.failure();
            if (path->empty()) return error_at(origin, value, key + " must be a file path");
            if (check_files)
                if (auto r = check_maxmind(value, origin, *path); !r) return r;
            s.geo.maxmind_db = *path;
        } else if (k == "default_region") {
            auto name = word_at(value, origin, key);
            if (!name) return name.failure();
            if (!find_named(s.regions, *name))
                return error_at(origin, value, key + ": no [regions." + *name + "] is defined");
            s.geo.default_region = *name;
        } else {
            return unknown_key(origin, value, key, {"maxmind_db", "default_region"});
        }
    }
    return {};
}

// --- [regions.NAME] ----------------------------------------------------------------------

bool is_country(const std::string& text) {
    return text.size() == 2 && std::all_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool is_continent(const std::string& text) {
    static constexpr std::array<std::string_view, 7> codes{"AF", "AN", "AS", "EU", "NA", "OC", "SA"};
    return std::find(codes.begin(), codes.end(), text) != codes.end();
}

// Codes (countries or continents) of one region: valid, once each, in no other region.
Result<std::vector<std::string>> codes_at(const toml::node& node, const std::string& origin, const std::string& key,
                                          bool countries, const std::vector<Region>& before) {
    auto items = strings_at(node, origin, key);
    if (!items) return items.failure();
    std::vector<std::string> out;
    for (const auto& [text, at] : *items) {
        if (countries ? !is_country(text) : !is_continent(text))
            return error_at(origin, *at, key + ": '" + text + "' is not " +
                                             (countries ? "a country code (two upper-case letters, ISO 3166-1: \"DE\")"
                                                        : "a continent code (AF, AN, AS, EU, NA, OC or SA)"));
        if (std::find(out.begin(), out.end(), text) != out.end())
            return error_at(origin, *at, key + ": '" + text + "' is listed twice");
        for (const auto& other : before) {
            const auto& theirs = countries ? other.countries : other.continents;
            if (std::find(theirs.begin(), theirs.end(), text) != theirs.end())
                return error_at(origin, *at, key + ": '" + text + "' is also in region '" + other.name + "' at " +
                                                 other.where.str());
        }
        out.push_back(text);
    }
    return out;
}

Result<void> parse_regions(const toml::table& root, const std::string& origin, AccountSettings& s) {
    auto named = named_tables(root, "regions", origin);
    if (!named) return named.failure();
    // `near` may name a region defined further down.
    std::set<std::string> defined;
    for (const auto& n : *named) defined.insert(n.name);
    for (const auto& [name, table] : *named) {
        Region region;
        region.name = name;
        region.where = place_of(origin, *table);
        for (auto& [k, value] : *table) {
            std::string key = "regions." + name + "." + std::string(k.str());
            if (k == "networks") {
                auto networks = prefixes_at(value, origin, key);
                if (!networks) return networks.failure();
                for (const auto& prefix : *networks)
                    for (const auto& other : s.regions)
                        if (std::find(other.networks.begin(), other.networks.end(), prefix) != other.networks.end())
                            return error_at(origin, value, key + ": " + prefix.str() + " is also in region '" +
                                                               other.name + "' at " + other.where.str());
                region.networks = *networks;
            } else if (k == "countries" || k == "continents") {
                auto codes = codes_at(value, origin, key, k == "countries", s.regions);
                if (!codes) return codes.failure();
                (k == "countries" ? region.countries : region.continents) = *codes;
            } else if (k == "near") {
                auto items = strings_at(value, origin, key);
                if (!items) return items.failure();
                for (const auto& [text, at] : *items) {
                    if (!defined.count(text)) return error_at(origin, *at, key + ": no [regions." + text + "] is defined");
                    if (text == name) return error_at(origin, *at, key + ": a region cannot be near itself");
                    if (std::find(region.near.begin(), region.near.end(), text) != region.near.end())
                        return error_at(origin, *at, key + ": '" + text + "' is listed twice");
                    region.near.push_back(text);
                }
            } else {
                return unknown_key(origin, value, key, {"networks", "countries", "continents", "near"});
            }
        }
        s.regions.push_back(std::move(region));
    }
    return {};
}

// --- [departments.NAME] ------------------------------------------------------------------

// A TSIG key name as the TSIG module keeps it: lower case, no trailing dot.
Result<std::string> key_name(std::string text) {
    if (text.size() > 1 && text.back() == '.') text.pop_back();
    std::transform(text.begin(), text.end(), text.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    bool ok = !text.empty() && text.size() <= 253;
    size_t label = 0;
    for (char c : text) {
        if (c == '.') {
            ok = ok && label > 0;
            label = 0;
        } else {
            ok = ok && c > ' ' && c < 127 && ++label <= 63;
        }
    }
    if (!ok || label == 0) return fail("'" + text + "' is not a TSIG key name (a DNS name)");
    return text;
}

Result<void> parse_departments(const toml::table& root, const std::string& origin, AccountSettings& s) {
    auto named = named_tables(root, "departments", origin);
    if (!named) return named.failure();
    for (const auto& [name, table] : *named) {
        Department dept;
        dept.name = name;
        dept.where = place_of(origin, *table);
        for (auto& [k, value] : *table) {
            std::string key = "departments." + name + "." + std::string(k.str());
            if (k == "networks") {
                auto networks = prefixes_at(value, origin, key);
                if (!networks) return networks.failure();
                for (const auto& prefix : *networks)
                    for (const auto& other : s.departments)
                        if (std::find(other.networks.begin(), other.networks.end(), prefix) != other.networks.end())
                            return error_at(origin, value, key + ": " + prefix.str() + " is also in department '" +
                                                               other.name + "' at " + other.where.str());
                dept.networks = *networks;
            } else if (k == "keys") {
                auto items = strings_at(value, origin, key);
                if (!items) return items.failure();
                for (const auto& [text, at] : *items) {
                    auto kn = key_name(text);
                    if (!kn) return error_at(origin, *at, key + ": " + kn.error());
                    if (std::find(dept.keys.begin(), dept.keys.end(), *kn) != dept.keys.end())
                        return error_at(origin, *at, key + ": '" + *kn + "' is listed twice");
                    for (const auto& other : s.departments)
                        if (std::find(other.keys.begin(), other.keys.end(), *kn) != other.keys.end())
                            return error_at(origin, *at, key + ": '" + *kn + "' is also a key of department '" +
                                                             other.name + "' at " + other.where.str());
                    dept.keys.push_back(*kn);
                }
            } else {
                return unknown_key(origin, value, key, {"networks", "keys"});
            }
        }
        if (dept.networks.empty() && dept.keys.empty())
            return error_at(origin, *table, "department '" + name + "' needs networks or keys (else no querier is in it)");
        s.departments.push_back(std::move(dept));
    }
    return {};
}

// --- [windows.NAME] ----------------------------------------------------------------------

// "mon", "mon-fri" (a range may wrap: "fri-mon"), "all" ⇒ day bits (bit 0 Monday).
std::optional<uint8_t> day_bits(std::string_view text) {
    static constexpr std::array<std::string_view, 7> names{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    auto index = [&](std::string_view day) -> int {
        auto it = std::find(names.begin(), names.end(), day);
        return it == names.end() ? -1 : static_cast<int>(it - names.begin());
    };
    if (text == "all") return uint8_t{0x7f};
    size_t dash = text.find('-');
    if (dash == std::string_view::npos) {
        int i = index(text);
        return i < 0 ? std::nullopt : std::optional<uint8_t>(static_cast<uint8_t>(1u << i));
    }
    int first = index(text.substr(0, dash)), last = index(text.substr(dash + 1));
    if (first < 0 || last < 0 || first == last) return std::nullopt;
    unsigned bits = 0;
    for (int i = first;; i = (i + 1) % 7) {
        bits |= 1u << i;
        if (i == last) break;
    }
    return static_cast<uint8_t>(bits);
}

// "HH:MM" ⇒ minutes after midnight; "24:00" only when `end`.
std::optional<uint16_t> minute_of(const std::string& text, bool end) {
    auto digit = [&](size_t i) { return text[i] >= '0' && text[i] <= '9'; };
    if (text.size() != 5 || text[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) return std::nullopt;
    int hours = (text[0] - '0') * 10 + (text[1] - '0'), minutes = (text[3] - '0') * 10 + (text[4] - '0');
    if (end && hours == 24 && minutes == 0) return uint16_t{1440};
    if (hours > 23 || minutes > 59) return std::nullopt;
    return static_cast<uint16_t>(hours * 60 + minutes);
}

Result<void> parse_windows(const toml::table& root, const std::string& origin, AccountSettings& s) {
    auto named = named_tables(root, "windows", origin);
    if (!named) return named.failure();
    for (const auto& [name, table] : *named) {
        Window window;
        window.name = name;
        window.where = place_of(origin, *table);
        for (auto& [k, value] : *table) {
            std::string key = "windows." + name + "." + std::string(k.str());
            if (k == "time_zone") {
                auto zone = string_at(value, origin, key);
                if (!zone) return zone.failure();
                try {
                    date::locate_zone(*zone);
                } catch (const std::exception&) {
                    return error_at(origin, value, key + ": '" + *zone + "' is not an IANA time zone (\"Europe/Berlin\")");
                }
                window.time_zone = *zone;
            } else if (k == "days") {
                auto items = strings_at(value, origin, key);
                if (!items) return items.failure();
                unsigned bits = 0;
                for (const auto& [text, at] : *items) {
                    auto days = day_bits(text);
                    if (!days)
                        return error_at(origin, *at, key + ": '" + text +
                                                         "' is not a day (mon … sun), a range (\"mon-fri\") or \"all\"");
                    if (bits & *days) return error_at(origin, *at, key + ": '" + text + "' repeats a day given before");
                    bits |= *days;
                }
                if (bits == 0) return error_at(origin, value, key + " must name at least one day");
                window.days = static_cast<uint8_t>(bits);
            } else if (k == "from" || k == "to") {
                auto text = string_at(value, origin, key);
                if (!text) return text.failure();
                auto minute = minute_of(*text, k == "to");
                if (!minute)
                    return error_at(origin, value, key + " must be a time \"HH:MM\" from 00:00 to " +
                                                       (k == "to" ? "24:00" : "23:59") + ", got '" + *text + "'");
                (k == "from" ? window.from_minute : window.to_minute) = *minute;
            } else {
                return unknown_key(origin, value, key, {"time_zone", "days", "from", "to"});
            }
        }
        if (window.from_minute == window.to_minute)
            return error_at(origin, *table, "window '" + name + "': from and to are the same time (an empty window)");
        s.windows.push_back(std::move(window));
    }
    return {};
}

// --- [servers."ADDRESS-OR-PREFIX"] -------------------------------------------------------

Result<void> parse_servers(const toml::table& root, const std::string& origin, AccountSettings& s) {
    auto named = named_tables(root, "servers", origin, false);
    if (!named) return named.failure();
    for (const auto& [name, table] : *named) {
        ServerFacts facts;
        facts.where = place_of(origin, *table);
        auto match = Prefix::parse(name);
        if (!match) return error_at(origin, *table, "servers.\"" + name + "\": " + match.error());
        facts.match = *match;
        for (const auto& other : s.servers)
            if (other.match == facts.match)
                return error_at(origin, *table, "servers.\"" + name + "\": " + facts.match.str() +
                                                    " is already described at " + other.where.str());
        for (auto& [k, value] : *table) {
            std::string key = "servers.\"" + name + "\"." + std::string(k.str());
            if (k == "region") {
                auto region = word_at(value, origin, key);
                if (!region) return region.failure();
                if (!find_named(s.regions, *region))
                    return error_at(origin, value, key + ": no [regions." + *region + "] is defined");
                facts.region = *region;
            } else if (k == "type") {
                auto type = word_at(value, origin, key);
                if (!type) return type.failure();
                facts.type = *type;
            } else if (k == "tags") {
                auto tags = words_at(value, origin, key);
                if (!tags) return tags.failure();
                facts.tags = *tags;
            } else if (k == "weight") {
                auto weight = int_at(value, origin, key, 0, 65535, "");
                if (!weight) return weight.failure();
                facts.weight = static_cast<uint16_t>(*weight);
            } else {
                return unknown_key(origin, value, key, {"region", "type", "tags", "weight"});
            }
        }
        s.servers.push_back(std::move(facts));
    }
    return {};
}

// --- [templates.NAME] --------------------------------------------------------------------

Result<TemplateTuple> template_tuple(const toml::table& t, const std::string& origin, const std::string& prefix) {
    TemplateTuple tuple;
    bool service = false, transport = false, address = false, port = false;
    for (auto& [k, value] : t) {
        std::string key = prefix + "." + std::string(k.str());
        if (k == "service" || k == "transport" || k == "address") {
            auto text = string_at(value, origin, key);
            if (!text) return text.failure();
            if (k == "address") {
                auto a = Address::parse(*text);
                if (!a) return error_at(origin, value, key + ": " + a.error());
                tuple.address = *a;
                address = true;
            } else {
                auto label = k == "service" ? normalize_service(*text) : normalize_transport(*text);
                if (!label) return error_at(origin, value, key + ": " + label.error());
                (k == "service" ? tuple.service : tuple.transport) = *label;
                (k == "service" ? service : transport) = true;
            }
        } else if (k == "port" || k == "priority" || k == "weight") {
            auto number = int_at(value, origin, key, k == "port" ? 1 : 0, 65535, "");
            if (!number) return number.failure();
            (k == "port" ? tuple.port : k == "priority" ? tuple.priority : tuple.weight) = static_cast<uint16_t>(*number);
            port = port || k == "port";
        } else {
            return unknown_key(origin, value, key, {"service", "transport", "address", "port", "priority", "weight"});
        }
    }
    for (auto [field, given] : {std::pair{"service", service}, std::pair{"transport", transport},
                                std::pair{"address", address}, std::pair{"port", port}})
        if (!given) return error_at(origin, t, prefix + " needs " + field);
    return tuple;
}

Result<void> parse_templates(const toml::table& root, const std::string& origin, AccountSettings& s) {
    auto named = named_tables(root, "templates", origin);
    if (!named) return named.failure();
    for (const auto& [name, table] : *named) {
        DomainTemplate tmpl;
        tmpl.name = name;
        tmpl.where = place_of(origin, *table);
        for (auto& [k, value] : *table) {
            std::string key = "templates." + name + "." + std::string(k.str());
            if (k != "tuples") return unknown_key(origin, value, key, {"tuples"});
            const toml::array* list = value.as_array();
            if (list == nullptr) return error_at(origin, value, key + " must be a list of tables { service = …, … }");
            for (const auto& item : *list) {
                if (!item.is_table()) return error_at(origin, item, key + " must be a list of tables { service = …, … }");
                auto tuple = template_tuple(*item.as_table(), origin, key);
                if (!tuple) return tuple.failure();
                for (const auto& other : tmpl.tuples)
                    if (std::tie(other.service, other.transport, other.address, other.port) ==
                        std::tie(tuple->service, tuple->transport, tuple->address, tuple->port))
                        return error_at(origin, item, key + ": " + tuple->service + "/" + tuple->transport + " " +
                                                          tuple->address.str() + ":" + std::to_string(tuple->port) +
                                                          " is listed twice");
                tmpl.tuples.push_back(*tuple);
            }
        }
        if (tmpl.tuples.empty()) return error_at(origin, *table, "template '" + name + "' needs tuples");
        s.templates.push_back(std::move(tmpl));
    }
    return {};
}

// --- [[rule]] ---------------------------------------------------------------------------

const char* const strategy_list = "all-healthy, failover, weighted, load or geo";

bool has_type(const AccountSettings& s, const std::string& type) {
    return std::any_of(s.servers.begin(), s.servers.end(), [&](const ServerFacts& f) { return f.type == type; });
}

bool has_tag(const AccountSettings& s, const std::string& tag) {
    return std::any_of(s.servers.begin(), s.servers.end(), [&](const ServerFacts& f) {
        return std::find(f.tags.begin(), f.tags.end(), tag) != f.tags.end();
    });
}

// rule.weights: { "ADDRESS" = N, "TYPE" = N }.
Result<std::map<std::string, uint16_t>> rule_weights(const toml::node& node, const std::string& origin,
                                                     const AccountSettings& s) {
    const toml::table* table = node.as_table();
    if (table == nullptr)
        return error_at(origin, node, "rule.weights must be a table { \"ADDRESS\" = WEIGHT, \"TYPE\" = WEIGHT }");
    std::map<std::string, uint16_t> out;
    for (auto& [k, value] : *table) {
        std::string text(k.str());
        std::string key = "rule.weights.\"" + text + "\"";
        std::string name;
        if (auto address = Address::parse(text)) {
            name = address->str();
        } else if (has_type(s, text)) {
            name = text;
        } else {
            return error_at(origin, value, "rule.weights: '" + text +
                                               "' is neither an address nor the type of a [servers] entry");
        }
        if (out.count(name)) return error_at(origin, value, "rule.weights: " + name + " is given twice");
        auto weight = int_at(value, origin, key, 0, 65535, "");
        if (!weight) return weight.failure();
        out[name] = static_cast<uint16_t>(*weight);
    }
    return out;
}

Result<Rule> parse_rule(const toml::table& t, const std::string& origin, const AccountSettings& s, size_t position) {
    Rule rule;
    rule.where = place_of(origin, t);
    rule.name = "rule " + std::to_string(position);
    bool has_strategy = false;
    const toml::node* weights = nullptr;
    const toml::node* transport = nullptr;
    for (auto& [k, node] : t) {
        const toml::node& value = node;  // clang 14 cannot capture a structured binding
        std::string key = "rule." + std::string(k.str());
        auto text = [&]() { return string_at(value, origin, key); };
        if (k == "name") {
            auto name = text();
            if (!name) return name.failure();
            if (name->empty() || name->size() > 100 ||
                std::any_of(name->begin(), name->end(), [](char c) { return static_cast<unsigned char>(c) < ' ' || c == 127; }))
                return error_at(origin, value, key + " must be 1 to 100 printable characters");
            if (*name == "default")
                return error_at(origin, value, key + ": 'default' is the name of the implicit last rule");
            rule.name = *name;
        } else if (k == "domain") {
            auto name = text();
            if (!name) return name.failure();
            auto domain = normalize_domain(*name);
            if (!domain) return error_at(origin, value, key + ": " + domain.error());
            rule.when.domain = *domain;
        } else if (k == "template") {
            auto name = text();
            if (!name) return name.failure();
            if (!find_named(s.templates, *name)) return error_at(origin, value, key + ": no [templates." + *name + "] is defined");
            rule.when.template_name = *name;
        } else if (k == "service" || k == "transport") {
            auto label = text();
            if (!label) return label.failure();
            auto normal = k == "service" ? normalize_service(*label) : normalize_transport(*label);
            if (!normal) return error_at(origin, value, key + ": " + normal.error());
            (k == "service" ? rule.when.service : rule.when.transport) = *normal;
            if (k == "transport") transport = &value;
        } else if (k == "server_type") {
            auto type = text();
            if (!type) return type.failure();
            if (!has_type(s, *type)) return error_at(origin, value, key + ": no [servers] entry has type '" + *type + "'");
            rule.when.server_type = *type;
        } else if (k == "tag") {
            auto tag = text();
            if (!tag) return tag.failure();
            if (!has_tag(s, *tag)) return error_at(origin, value, key + ": no [servers] entry has tag '" + *tag + "'");
            rule.when.tag = *tag;
        } else if (k == "server") {
            auto prefix_text = text();
            if (!prefix_text) return prefix_text.failure();
            auto prefix = Prefix::parse(*prefix_text);
            if (!prefix) return error_at(origin, value, key + ": " + prefix.error());
            rule.when.server = *prefix;
        } else if (k == "department") {
            auto name = text();
            if (!name) return name.failure();
            if (!find_named(s.departments, *name))
                return error_at(origin, value, key + ": no [departments." + *name + "] is defined");
            rule.when.department = *name;
        } else if (k == "window") {
            auto name = text();
            if (!name) return name.failure();
            if (!find_named(s.windows, *name)) return error_at(origin, value, key + ": no [windows." + *name + "] is defined");
            rule.when.window = *name;
        } else if (k == "strategy") {
            auto name = text();
            if (!name) return name.failure();
            auto strategy = parse_strategy(*name);
            if (!strategy)
                return error_at(origin, value, key + ": '" + *name + "' is not a strategy (" + strategy_list + ")");
            rule.strategy = *strategy;
            has_strategy = true;
        } else if (k == "count") {
            auto count = int_at(value, origin, key, 1, 64, " records");
            if (!count) return count.failure();
            rule.count = static_cast<uint16_t>(*count);
        } else if (k == "weights") {
            auto table = rule_weights(value, origin, s);
            if (!table) return table.failure();
            rule.weights = *table;
            weights = &value;
        } else {
            return unknown_key(origin, value, key,
                               {"name", "domain", "template", "service", "transport", "server_type", "tag", "server",
                                "department", "window", "strategy", "count", "weights"});
        }
    }
    if (!has_strategy) return error_at(origin, t, "rule '" + rule.name + "' needs a strategy (" + strategy_list + ")");
    if (transport && !rule.when.service)
        return error_at(origin, *transport, "rule.transport is only allowed together with rule.service");
    if (weights && rule.strategy != Strategy::weighted)
        return error_at(origin, *weights, "rule.weights is only for strategy \"weighted\", not \"" +
                                              std::string(strategy_name(rule.strategy)) + "\"");
    if (rule.strategy == Strategy::geo && s.regions.empty())
        return error_at(origin, t, "rule '" + rule.name + "': strategy geo needs at least one [regions] entry");
    return rule;
}

Result<void> parse_rules(const toml::table& root, const std::string& origin, AccountSettings& s) {
    auto tables = tables_of(root, "rule", origin);
    if (!tables) return tables.failure();
    for (const toml::table* t : *tables) {
        auto rule = parse_rule(*t, origin, s, s.rules.size() + 1);
        if (!rule) return rule.failure();
        for (const auto& other : s.rules) {
            if (other.name == rule->name)
                return error_at(origin, *t, "rule name '" + rule->name + "' is also the name of the rule at " +
                                                other.where.str());
            if (other.when == rule->when)
                return error_at(origin, *t, "rule '" + rule->name + "' has the same conditions as rule '" + other.name +
                                                "' at " + other.where.str() + "; it could never answer");
        }
        s.rules.push_back(std::move(*rule));
    }
    return {};
}

// [health]: the judging keys given override the controller's (docs/policies.md); the
// watchdog's own keys are refused.
Result<HealthOverrides> parse_account_health(const toml::table& table, const std::string& file) {
    for (auto& [k, node] : table) {
        for (std::string_view platform : {"heartbeat_timeout_seconds", "period_seconds", "retention_days"})
            if (k.str() == platform)
                return error_at(file, node,
                                "health." + std::string(platform) +
                                    " is the controller's alone (the watchdog's own timing, the same for every "
                                    "account); set it in the controller's config");
    }
    HealthCriteria values;  // checked by the same rules as the controller's [health]
    if (auto r = parse_health_table(table, file, values); !r) return r.failure();
    HealthOverrides o;
    if (table.contains("down_after")) o.down_after = values.down_after;
    if (table.contains("up_after")) o.up_after = values.up_after;
    if (table.contains("latency_warning_ms")) o.latency_warning_ms = values.latency_warning_ms;
    if (table.contains("load_warning")) o.load_warning = values.load_warning;
    if (table.contains("cpu_warning")) o.cpu_warning = values.cpu_warning;
    if (table.contains("memory_warning")) o.memory_warning = values.memory_warning;
    if (table.contains("unit_memory_warning_bytes")) o.unit_memory_warning_bytes = values.unit_memory_warning_bytes;
    if (table.contains("unit_cpu_warning")) o.unit_cpu_warning = values.unit_cpu_warning;
    return o;
}

}  // namespace

Result<AccountSettings> parse_settings(std::string_view text, const std::string& file, bool check_files) {
    auto parsed = parse_toml(text, file);
    if (!parsed) return parsed.failure();
    const toml::table& root = *parsed;
    for (auto& [k, node] : root) {
        static constexpr std::array<std::string_view, 10> known{"mapping", "health",    "alert",   "geo",       "regions",
                                                                "departments", "windows", "servers", "templates", "rule"};
        if (std::find(known.begin(), known.end(), k.str()) == known.end())
            return unknown_key(file, node, std::string(k.str()),
                               {"mapping", "health", "alert", "geo", "regions", "departments", "windows", "servers",
                                "templates", "rule"},
                               "section");
    }
    AccountSettings s;
    if (auto r = parse_mapping(root, file, s); !r) return r.failure();
    auto health = section(root, "health", file);
    if (!health) return health.failure();
    if (*health != nullptr) {
        auto overrides = parse_account_health(**health, file);
        if (!overrides) return overrides.failure();
        s.health = *overrides;
    }
    auto alerts = parse_alert_tables(root, file, AlertCommands::refused);
    if (!alerts) return alerts.failure();
    s.alerts = std::move(*alerts);
    if (auto r = parse_regions(root, file, s); !r) return r.failure();
    if (auto r = parse_geo(root, file, check_files, s); !r) return r.failure();
    if (auto r = parse_departments(root, file, s); !r) return r.failure();
    if (auto r = parse_windows(root, file, s); !r) return r.failure();
    if (auto r = parse_servers(root, file, s); !r) return r.failure();
    if (auto r = parse_templates(root, file, s); !r) return r.failure();
    if (auto r = parse_rules(root, file, s); !r) return r.failure();
    return s;
}

}  // namespace patchbay
