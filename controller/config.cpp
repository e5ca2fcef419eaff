#include "config.h"

#include <fstream>
#include <sstream>

#include <toml++/toml.h>

namespace patchbay {

namespace {

std::string where(const std::string& origin, const toml::source_region& src) {
    return origin + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column);
}

Result<Endpoint> endpoint_at(const toml::node& node, const std::string& origin, const std::string& key) {
    auto text = node.value<std::string>();
    if (!text) return fail(where(origin, node.source()) + ": " + key + " must be a string \"ADDR:PORT\"");
    auto ep = Endpoint::parse(*text);
    if (!ep) return fail(where(origin, node.source()) + ": " + key + ": " + ep.error());
    return ep;
}

Endpoint default_endpoint(const char* text) { return *Endpoint::parse(text); }

}  // namespace

Result<ControllerConfig> parse_controller_config(const std::string& text, const std::string& origin) {
    toml::table root;
    try {
        root = toml::parse(text, origin);
    } catch (const toml::parse_error& e) {
        return fail(where(origin, e.source()) + ": " + std::string(e.description()));
    }
    ControllerConfig cfg;
    cfg.dns_listen = {default_endpoint("0.0.0.0:53")};
    cfg.api_listen = default_endpoint("127.0.0.1:8080");
    for (auto& [section, node] : root) {
        auto* table = node.as_table();
        std::string name(section.str());
        if (!table || (name != "controller" && name != "dns" && name != "api"))
            return fail(where(origin, node.source()) + ": unknown section '" + name +
                        "' (expected [controller], [dns], [api])");
        for (auto& [k, value] : *table) {
            std::string key = name + "." + std::string(k.str());
            if (key == "controller.state") {
                auto s = value.value<std::string>();
                if (!s || s->empty()) return fail(where(origin, value.source()) + ": " + key + " must be a directory path");
                cfg.state_dir = *s;
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
    return cfg;
}

}  // namespace patchbay
