#include "config.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "config_keys.h"
#include "domain.h"
#include "principal.h"
#include "toml_read.h"

namespace patchbay {

namespace {

Result<Endpoint> endpoint_at(const toml::node& node, const std::string& origin, const std::string& key) {
    auto text = node.value<std::string>();
    if (!text) return fail(where(origin, node.source()) + ": " + key + " must be a string \"ADDR:PORT\"");
    auto ep = Endpoint::parse(*text);
    if (!ep) return fail(where(origin, node.source()) + ": " + key + ": " + ep.error());
    return ep;
}

Endpoint default_endpoint(const char* text) { return *Endpoint::parse(text); }

// --- [[tsig_key]], [[secondary]], [[acl]]: arrays of tables --------------------------

Result<std::shared_ptr<const TsigKey>> key_ref(const ControllerConfig& cfg, const toml::node& node,
                                               const std::string& origin, const std::string& key) {
    auto name = string_at(node, origin, key);
    if (!name) return name.failure();
    auto found = find_key(cfg.tsig_keys, *name);
    if (!found) return fail(where(origin, node.source()) + ": " + key + ": no [[tsig_key]] named '" + *name + "'");
    return found;
}

Result<void> parse_tsig_keys(const toml::table& root, const std::string& origin, ControllerConfig& cfg) {
    auto tables = tables_of(root, "tsig_key", origin);
    if (!tables) return tables.failure();
    for (const toml::table* t : *tables) {
        if (auto r = only_known_keys(*t, origin, "tsig_key", controller_keys::tsig_key); !r) return r;
        std::string name, algorithm = "hmac-sha256", secret;
        std::optional<std::string> account;
        const toml::node* name_node = nullptr;
        const toml::node* secret_node = nullptr;
        for (auto& [k, value] : *t) {
            std::string key = "tsig_key." + std::string(k.str());
            if (k != "name" && k != "algorithm" && k != "secret" && k != "account")
                return fail(where(origin, value.source()) + ": unknown key '" + key + "'");
            auto text = string_at(value, origin, key);
            if (!text) return text.failure();
            if (k == "name") name = *text, name_node = &value;
            else if (k == "algorithm") algorithm = *text;
            else if (k == "account") {
                if (auto r = check_account_name(*text); !r)
                    return fail(where(origin, value.source()) + ": " + key + ": " + r.error());
                account = *text;
            }
            else secret = *text, secret_node = &value;
        }
        if (!name_node) return fail(where(origin, t->source()) + ": tsig_key needs a name");
        if (!secret_node) return fail(where(origin, t->source()) + ": tsig_key needs a secret (base64)");
        if (find_key(cfg.tsig_keys, name)) {
            return fail(where(origin, name_node->source()) + ": tsig_key.name: '" + name + "' is defined twice");
        }
        auto key = TsigKey::make(name, algorithm, secret);
        if (!key) {
            // Point at the value that is wrong.
            const toml::node* at = key.error().rfind("secret", 0) == 0 ? secret_node
                                   : key.error().rfind("not a DNS name", 0) == 0 ? name_node
                                   : t->get("algorithm");
            return fail(where(origin, (at ? at : t)->source()) + ": tsig_key: " + key.error());
        }
        if (account) cfg.tsig_key_accounts[(*key)->name()] = *account;
        cfg.tsig_keys.push_back(*key);
    }
    return {};
}

Result<void> parse_secondaries(const toml::table& root, const std::string& origin, ControllerConfig& cfg) {
    auto tables = tables_of(root, "secondary", origin);
    if (!tables) return tables.failure();
    for (const toml::table* t : *tables) {
        if (auto r = only_known_keys(*t, origin, "secondary", controller_keys::secondary); !r) return r;
        SecondaryConfig sec;
        bool has_address = false;
        for (auto& [k, value] : *t) {
            std::string key = "secondary." + std::string(k.str());
            if (k == "address") {
                auto text = string_at(value, origin, key);
                if (!text) return text.failure();
                // Port 53 unless given: "192.0.2.10" and "[2001:db8::1]" are whole addresses.
                auto ep = Endpoint::parse(*text);
                if (!ep) {
                    std::string bare = *text;
                    if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') bare = bare.substr(1, bare.size() - 2);
                    if (auto a = Address::parse(bare)) ep = Endpoint{*a, 53};
                }
                if (!ep) return fail(where(origin, value.source()) + ": " + key + ": " + ep.error());
                sec.address = *ep;
                has_address = true;
            } else if (k == "key") {
                auto found = key_ref(cfg, value, origin, key);
                if (!found) return found.failure();
                sec.key = *found;
            } else {
                return fail(where(origin, value.source()) + ": unknown key '" + key + "'");
            }
        }
        if (!has_address) return fail(where(origin, t->source()) + ": secondary needs an address");
        cfg.secondaries.push_back(std::move(sec));
    }
    return {};
}

Result<void> parse_acls(const toml::table& root, const std::string& origin, ControllerConfig& cfg) {
    auto tables = tables_of(root, "acl", origin);
    if (!tables) return tables.failure();
    for (const toml::table* t : *tables) {
        if (auto r = only_known_keys(*t, origin, "acl", controller_keys::acl); !r) return r;
        AclEntry entry;
        bool has_action = false;
        for (auto& [k, value] : *t) {
            std::string key = "acl." + std::string(k.str());
            if (k == "action") {
                auto text = string_at(value, origin, key);
                if (!text) return text.failure();
                auto action = parse_acl_action(*text);
                if (!action) return fail(where(origin, value.source()) + ": " + key + ": " + action.error());
                entry.action = *action;
                has_action = true;
            } else if (k == "address") {
                auto items = strings_at(value, origin, key);
                if (!items) return items.failure();
                for (const auto& [text, node] : *items) {
                    auto prefix = Prefix::parse(text);
                    if (!prefix) return fail(where(origin, node->source()) + ": " + key + ": " + prefix.error());
                    entry.addresses.push_back(*prefix);
                }
            } else if (k == "key") {
                auto found = key_ref(cfg, value, origin, key);
                if (!found) return found.failure();
                entry.key = (*found)->name();
            } else if (k == "zones") {
                auto items = strings_at(value, origin, key);
                if (!items) return items.failure();
                for (const auto& [text, node] : *items) {
                    auto zone = normalize_domain(text);
                    if (!zone) return fail(where(origin, node->source()) + ": " + key + ": " + zone.error());
                    entry.zones.push_back(*zone);
                }
            } else {
                return fail(where(origin, value.source()) + ": unknown key '" + key + "'");
            }
        }
        if (!has_action) return fail(where(origin, t->source()) + ": acl needs an action (transfer or update)");
        cfg.acl.push_back(std::move(entry));
    }
    return {};
}

// --- [client_view] ---------------------------------------------------------------------

Result<void> parse_client_view(const toml::table& root, const std::string& origin, ControllerConfig& cfg) {
    const toml::node* section = root.get("client_view");
    if (section == nullptr) return {};
    const toml::table* table = section->as_table();
    if (table == nullptr) return fail(where(origin, section->source()) + ": client_view must be a table [client_view]");
    if (auto r = only_known_keys(*table, origin, "client_view", controller_keys::client_view); !r) return r;
    for (auto& [k, value] : *table) {
        std::string key = "client_view." + std::string(k.str());
        if (k == "listen") {
            // A list, or one "ADDR:PORT" standing for a list of one.
            std::vector<const toml::node*> items{&value};
            if (const toml::array* list = value.as_array()) {
                items.clear();
                for (const auto& item : *list) items.push_back(&item);
            } else if (!value.is_string()) {
                return fail(where(origin, value.source()) + ": " + key + " must be a list of \"ADDR:PORT\"");
            }
            cfg.client_listen.clear();
            for (const toml::node* item : items) {
                auto ep = endpoint_at(*item, origin, key);
                if (!ep) return ep.failure();
                cfg.client_listen.push_back(*ep);
            }
        } else if (k == "assignment_networks") {
            auto items = strings_at(value, origin, key);
            if (!items) return items.failure();
            for (const auto& [text, node] : *items) {
                auto prefix = Prefix::parse(text);
                if (!prefix) return fail(where(origin, node->source()) + ": " + key + ": " + prefix.error());
                cfg.assignment_networks.push_back(*prefix);
            }
        } else if (k == "ttl") {
            auto ttl = int_at(value, origin, key, 0, 604800, " seconds");
            if (!ttl) return ttl.failure();
            cfg.client_view.ttl = static_cast<uint32_t>(*ttl);
        } else if (k == "warning_weight_percent") {
            auto percent = int_at(value, origin, key, 1, 100, " (percent of the weight a warning record keeps)");
            if (!percent) return percent.failure();
            cfg.client_view.warning_weight_percent = static_cast<unsigned>(*percent);
        } else if (k == "all_down") {
            auto text = value.value<std::string>();
            auto rule = text ? parse_all_down(*text) : std::nullopt;
            if (!rule)
                return fail(where(origin, value.source()) + ": " + key + " must be \"least-bad\" or \"empty\"");
            cfg.client_view.all_down = *rule;
        } else {
            return fail(where(origin, value.source()) + ": unknown key '" + key + "'");
        }
    }
    return {};
}

// One endpoint serves one view: a client listener on a DNS listen endpoint would never bind.
Result<void> check_client_listen(const ControllerConfig& cfg) {
    for (const auto& ep : cfg.client_listen)
        if (std::find(cfg.dns_listen.begin(), cfg.dns_listen.end(), ep) != cfg.dns_listen.end())
            return fail("client_view.listen " + ep.str() +
                        " is also a DNS listen address (dns.listen, --dns-listen): one endpoint serves one view");
    return {};
}

}  // namespace

std::vector<AclEntry> effective_acl(const ControllerConfig& cfg) {
    std::vector<AclEntry> acl = cfg.acl;
    for (const auto& sec : cfg.secondaries) {
        AclEntry e;
        e.action = AclAction::transfer;
        e.addresses.push_back(Prefix{sec.address.address, sec.address.address.family == Family::v4 ? 32u : 128u});
        if (sec.key) e.key = sec.key->name();
        acl.push_back(std::move(e));
    }
    return acl;
}

Result<ControllerConfig> parse_controller_config(const std::string& text, const std::string& origin) {
    auto parsed = parse_toml(text, origin);
    if (!parsed) return parsed.failure();
    const toml::table& root = *parsed;
    ControllerConfig cfg;
    cfg.dns_listen = {default_endpoint("0.0.0.0:53")};
    cfg.api_listen = default_endpoint("127.0.0.1:8080");
    // Keys first: secondaries and ACLs refer to them by name.
    for (auto parse : {parse_tsig_keys, parse_secondaries, parse_acls}) {
        if (auto r = parse(root, origin, cfg); !r) return r.failure();
    }
    auto alerts = parse_alert_tables(root, origin, AlertCommands::allowed);
    if (!alerts) return alerts.failure();
    cfg.alerts = std::move(*alerts);
    if (auto r = parse_client_view(root, origin, cfg); !r) return r.failure();
    for (auto& [section, node] : root) {
        std::string name(section.str());
        if (name == "tsig_key" || name == "secondary" || name == "acl") continue;
        if (name == "client_view") continue;  // parse_client_view
        if (name == "alert") continue;  // [[alert]], parsed above
        if (name == "health" && node.is_table()) {
            if (auto r = parse_health_table(*node.as_table(), origin, cfg.health); !r) return r.failure();
            continue;
        }
        auto* table = node.as_table();
        if (!table || (name != "controller" && name != "dns" && name != "api"))
            return fail(where(origin, node.source()) + ": unknown section '" + name +
                        "' (expected [controller], [dns], [api], [health], [client_view], [[tsig_key]], [[secondary]], [[acl]], "
                        "[[alert]])");
        auto known = name == "controller" ? std::span<const std::string_view>(controller_keys::controller)
                     : name == "dns"      ? std::span<const std::string_view>(controller_keys::dns)
                                          : std::span<const std::string_view>(controller_keys::api);
        if (auto r = only_known_keys(*table, origin, name, known); !r) return r.failure();
        for (auto& [k, value] : *table) {
            std::string key = name + "." + std::string(k.str());
            if (key == "controller.state") {
                auto s = value.value<std::string>();
                if (!s || s->empty()) return fail(where(origin, value.source()) + ": " + key + " must be a directory path");
                cfg.state_dir = *s;
            } else if (key == "controller.log_level") {
                auto level_name = value.value<std::string>();
                if (!level_name)
                    return fail(where(origin, value.source()) + ": " + key +
                                " must be a string: error, warning, notice, info or debug");
                auto level = parse_log_level(*level_name);
                if (!level) return fail(where(origin, value.source()) + ": " + key + ": " + level.error());
                cfg.log_level = *level;
            } else if (key == "dns.listen") {
                auto* list = value.as_array();
                if (!list || list->empty())
                    return fail(where(origin, value.source()) + ": " + key + " must be a list of \"ADDR:PORT\"");
                cfg.dns_listen.clear();
                for (auto& item : *list) {
                    auto ep = endpoint_at(item, origin, key);
                    if (!ep) return ep.failure();
                    cfg.dns_listen.push_back(*ep);
                }
            } else if (key == "dns.ttl") {
                // value_exact: value<int64_t>() would also convert a float, with undefined
                // behaviour when it is out of range (found by tests/fuzz/controller_config_fuzz).
                auto ttl = value.value_exact<int64_t>();
                if (!ttl || *ttl < 0 || *ttl > 604800)
                    return fail(where(origin, value.source()) + ": " + key + " must be 0 to 604800 seconds");
                cfg.ttl = static_cast<uint32_t>(*ttl);
            } else if (key == "api.listen") {
                auto ep = endpoint_at(value, origin, key);
                if (!ep) return ep.failure();
                cfg.api_listen = *ep;
            } else {
                return fail(where(origin, value.source()) + ": unknown key '" + key + "'");
            }
        }
    }
    if (auto r = check_client_listen(cfg); !r) return fail(origin + ": " + r.error());
    return cfg;
}

Result<ControllerFlags> parse_controller_flags(int argc, const char* const* argv) {
    ControllerFlags flags;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&](const char* flag) -> Result<std::string> {
            if (i + 1 >= argc) return fail(std::string(flag) + " needs a value");
            return std::string(argv[++i]);
        };
        if (arg == "--dev") {
            flags.dev = true;
        } else if (arg == "--help" || arg == "-h") {
            flags.help = true;
        } else if (arg == "--config" || arg == "--api-listen" || arg == "--state" || arg == "--dns-listen") {
            auto v = value(arg.c_str());
            if (!v) return v.failure();
            if (arg == "--config") flags.config = *v;
            else if (arg == "--api-listen") flags.api_listen = *v;
            else if (arg == "--state") flags.state = *v;
            else flags.dns_listen.push_back(*v);
        } else if (arg == "--log-level") {
            auto v = value(arg.c_str());
            if (!v) return v.failure();
            flags.log_level = *v;
        } else if (arg == "--client-listen") {
            auto v = value(arg.c_str());
            if (!v) return v.failure();
            flags.client_listen.push_back(*v);
        } else {
            return fail("unknown argument '" + arg + "'");
        }
    }
    return flags;
}

Result<ControllerConfig> resolve_controller_config(const ControllerFlags& flags) {
    ControllerConfig cfg;
    if (flags.config) {
        std::ifstream in(*flags.config);
        if (!in) return fail("cannot read " + *flags.config);
        std::stringstream text;
        text << in.rdbuf();
        auto parsed = parse_controller_config(text.str(), *flags.config);
        if (!parsed) return parsed;
        cfg = *parsed;
    } else {
        cfg.dns_listen = {default_endpoint(flags.dev ? "127.0.0.1:1053" : "0.0.0.0:53")};
        cfg.api_listen = default_endpoint("127.0.0.1:8080");
    }
    cfg.dev = flags.dev;
    if (flags.dev) {  // dig AXFR @127.0.0.1 works out of the box, from this host only
        AclEntry local;
        local.action = AclAction::transfer;
        local.addresses = {*Prefix::parse("127.0.0.0/8"), *Prefix::parse("::1")};
        cfg.acl.push_back(std::move(local));
    }
    if (!flags.dns_listen.empty()) {
        cfg.dns_listen.clear();
        for (const auto& text : flags.dns_listen) {
            auto ep = Endpoint::parse(text);
            if (!ep) return fail("--dns-listen: " + ep.error());
            cfg.dns_listen.push_back(*ep);
        }
    }
    if (flags.api_listen) {
        auto ep = Endpoint::parse(*flags.api_listen);
        if (!ep) return fail("--api-listen: " + ep.error());
        cfg.api_listen = *ep;
    }
    if (flags.state) cfg.state_dir = *flags.state;
    if (flags.log_level) {
        auto level = parse_log_level(*flags.log_level);
        if (!level) return fail("--log-level: " + level.error());
        cfg.log_level = *level;
    }
    if (!flags.client_listen.empty()) {
        cfg.client_listen.clear();
        for (const auto& text : flags.client_listen) {
            auto ep = Endpoint::parse(text);
            if (!ep) return fail("--client-listen: " + ep.error());
            cfg.client_listen.push_back(*ep);
        }
    }
    if (auto r = check_client_listen(cfg); !r) return r.failure();
    return cfg;
}

}  // namespace patchbay
