#include "config.h"

#include <unistd.h>

#include <climits>
#include <fstream>
#include <map>
#include <set>
#include <span>
#include <sstream>

#include <toml++/toml.h>

#include "config_keys.h"
#include "domain.h"
#include "unit_name.h"

namespace patchbay {

namespace {

// Thrown inside this file only, for the first error found; parse_config turns it into a
// Result, so callers never see an exception.
struct ConfigError {
    std::string message;
};

class Reader {
public:
    explicit Reader(std::string_view source) : source_(source) {}

    [[noreturn]] void error(const toml::source_region& at, const std::string& what) const {
        std::ostringstream out;
        out << source_ << ':' << at.begin.line << ':' << at.begin.column << ": " << what;
        throw ConfigError{out.str()};
    }

    // Rejects every key of `table` not in `known`, naming it where it stands.
    void only_keys(const toml::table& table, std::string_view table_name, std::span<const std::string_view> known) const {
        for (auto&& [key, node] : table) {
            bool found = false;
            for (auto k : known) found = found || key.str() == k;
            if (!found)
                error(key.source(), "unknown key '" + std::string(key.str()) + "' in " +
                                        std::string(table_name));
        }
    }

    std::string string_at(const toml::node& node, std::string_view key) const {
        if (auto s = node.value<std::string>(); node.is_string() && s) return *s;
        error(node.source(), "'" + std::string(key) + "' must be a string");
    }

    int int_at(const toml::node& node, std::string_view key, int low, int high) const {
        // value_exact: value<int64_t>() would also convert a float, with undefined
        // behaviour when it is out of range (found by tests/fuzz/agent_config_fuzz).
        auto v = node.value_exact<int64_t>();
        if (!v)
            error(node.source(), "'" + std::string(key) + "' must be an integer");
        if (*v < low || *v > high)
            error(node.source(), "'" + std::string(key) + "' must be between " +
                                     std::to_string(low) + " and " + std::to_string(high) +
                                     ", not " + std::to_string(*v));
        return static_cast<int>(*v);
    }

    // A list of strings; each element's position is passed to `each` for its own errors.
    template <class Each>
    void strings_at(const toml::node& node, std::string_view key, Each each) const {
        const toml::array* array = node.as_array();
        if (!array) error(node.source(), "'" + std::string(key) + "' must be a list of strings");
        for (const toml::node& element : *array) each(element, string_at(element, key));
    }

private:
    std::string source_;
};

// Where to point when something is missing from the whole file.
toml::source_region start_of_file() { return toml::source_region{{1, 1}, {1, 1}, nullptr}; }

// [agent] report_seconds, spool_dir, spool_max (issue 4).
void read_report_keys(const Reader& r, const toml::table& agent, AgentConfig& c) {
    if (auto* n = agent.get("report_seconds")) c.report_seconds = r.int_at(*n, "report_seconds", 1, 3600);
    if (auto* n = agent.get("spool_max")) c.spool_max = r.int_at(*n, "spool_max", 1, 1000000);
    if (auto* n = agent.get("spool_dir")) {
        c.spool_dir = r.string_at(*n, "spool_dir");
        if (!c.spool_dir.starts_with('/'))
            r.error(n->source(), "'spool_dir' must be an absolute path, not '" + c.spool_dir + "'");
    }
    if (auto* n = agent.get("state_file")) {
        c.state_file = r.string_at(*n, "state_file");
        if (!c.state_file->empty() && !c.state_file->starts_with('/'))
            r.error(n->source(), "'state_file' must be an absolute path (or \"\" for none), not '" + *c.state_file + "'");
    }
}

// [agent] log_level (docs/logs.md).
void read_log_level(const Reader& r, const toml::table& agent, AgentConfig& c) {
    const toml::node* n = agent.get("log_level");
    if (!n) return;
    auto level = parse_log_level(r.string_at(*n, "log_level"));
    if (!level) r.error(n->source(), "'log_level': " + level.error());
    c.log_level = *level;
}

// [services.X.probe]; `where` is "[services.X.probe]" for messages.
ProbeConfig read_probe(const Reader& r, const toml::node& node, const std::string& where) {
    const toml::table* table = node.as_table();
    if (!table) r.error(node.source(), "'probe' must be a table (" + where + ")");
    r.only_keys(*table, where, agent_keys::probe);
    ProbeConfig p;
    const toml::node* kind = table->get("kind");
    if (!kind) r.error(table->source(), where + " needs 'kind': \"tcp\", \"http\", \"https\", \"sip\" or \"command\"");
    p.kind = r.string_at(*kind, "kind");
    static const std::set<std::string> kinds{"tcp", "http", "https", "sip", "command"};
    if (!kinds.count(p.kind))
        r.error(kind->source(), "unknown probe kind '" + p.kind + "' (want tcp, http, https, sip or command)");
    if (auto* n = table->get("interval_ms")) p.interval_ms = r.int_at(*n, "interval_ms", 100, 3600000);
    if (auto* n = table->get("timeout_ms")) p.timeout_ms = r.int_at(*n, "timeout_ms", 10, 600000);
    bool http = p.kind == "http" || p.kind == "https";
    if (auto* n = table->get("path")) {
        if (!http) r.error(n->source(), "'path' is only for http and https probes");
        p.path = r.string_at(*n, "path");
        if (!p.path.starts_with('/') || p.path.find_first_of(" \t\r\n") != std::string::npos)
            r.error(n->source(), "'path' must start with '/' and hold no spaces, not '" + p.path + "'");
    }
    if (auto* n = table->get("expect_status")) {
        if (!http) r.error(n->source(), "'expect_status' is only for http and https probes");
        p.expect_status = r.int_at(*n, "expect_status", 100, 599);
    }
    const toml::node* command = table->get("command");
    if (command && p.kind != "command") r.error(command->source(), "'command' is only for command probes");
    if (p.kind == "command") {
        if (!command) r.error(table->source(), where + " needs 'command', e.g. command = [\"/usr/bin/check\", \"--quick\"]");
        r.strings_at(*command, "command", [&](const toml::node& at, const std::string& text) {
            if (p.command.empty() && !text.starts_with('/'))
                r.error(at.source(), "the program of 'command' must be an absolute path, not '" + text + "'");
            p.command.push_back(text);
        });
        if (p.command.empty()) r.error(command->source(), "'command' must not be empty");
    }
    if (p.timeout_ms > p.interval_ms)
        r.error(table->source(), where + ": timeout_ms (" + std::to_string(p.timeout_ms) +
                                     ") must not exceed interval_ms (" + std::to_string(p.interval_ms) + ")");
    return p;
}

void read_agent(const Reader& r, const toml::table& agent, AgentConfig& c) {
    r.only_keys(agent, "[agent]", agent_keys::agent);
    if (auto* n = agent.get("name")) {
        c.name = r.string_at(*n, "name");
        if (c.name.empty()) r.error(n->source(), "'name' must not be empty");
    }
    const toml::node* domains = agent.get("domains");
    if (!domains) r.error(agent.source(), "[agent] needs 'domains', e.g. domains = [\"example.com\"]");
    std::set<std::string> seen;
    r.strings_at(*domains, "domains", [&](const toml::node& at, const std::string& text) {
        auto d = normalize_domain(text);
        if (!d) r.error(at.source(), "bad domain '" + text + "': " + d.error());
        if (!seen.insert(*d).second) r.error(at.source(), "domain '" + *d + "' is listed twice");
        c.domains.push_back(*d);
    });
    if (c.domains.empty()) r.error(domains->source(), "'domains' must list at least one domain");

    if (auto* n = agent.get("resolvers")) {
        c.resolvers.clear();
        r.strings_at(*n, "resolvers", [&](const toml::node& at, const std::string& text) {
            auto e = Endpoint::parse(text);
            if (!e) r.error(at.source(), "bad resolver '" + text + "' (want ADDR:PORT): " + e.error());
            c.resolvers.push_back(*e);
        });
        if (c.resolvers.empty()) r.error(n->source(), "'resolvers' must not be empty");
    }
    if (auto* n = agent.get("poll_seconds")) c.poll_seconds = r.int_at(*n, "poll_seconds", 1, 86400);
    if (auto* n = agent.get("idle_poll_seconds"))
        c.idle_poll_seconds = r.int_at(*n, "idle_poll_seconds", 1, 86400);
    if (auto* n = agent.get("query_timeout_ms"))
        c.query_timeout_ms = r.int_at(*n, "query_timeout_ms", 10, 60000);
    if (auto* n = agent.get("notify_listen")) c.notify_listen = r.string_at(*n, "notify_listen");
    if (!c.notify_listen.empty()) {
        auto e = Endpoint::parse(c.notify_listen);
        if (!e) {
            auto* n = agent.get("notify_listen");
            r.error(n ? n->source() : agent.source(),
                    "bad notify_listen '" + c.notify_listen + "' (want ADDR:PORT, or \"\" to disable): " +
                        e.error());
        }
        c.notify_endpoint = *e;
    }
    if (auto* n = agent.get("metrics_listen")) {
        std::string text = r.string_at(*n, "metrics_listen");
        auto e = Endpoint::parse(text);
        if (!e) r.error(n->source(), "bad metrics_listen '" + text + "' (want ADDR:PORT): " + e.error());
        c.metrics_listen = *e;
    }
    if (auto* n = agent.get("controller")) {
        c.controller = r.string_at(*n, "controller");
        if (!c.controller.starts_with("http://") && !c.controller.starts_with("https://"))
            r.error(n->source(), "'controller' must be an http:// or https:// URL, not '" +
                                     c.controller + "'");
        while (c.controller.ends_with('/')) c.controller.pop_back();
    }
    if (auto* n = agent.get("token_file")) c.token_file = r.string_at(*n, "token_file");
    if (auto* n = agent.get("env_dir")) {
        c.env_dir = r.string_at(*n, "env_dir");
        if (!c.env_dir.starts_with('/'))
            r.error(n->source(), "'env_dir' must be an absolute path, not '" + c.env_dir + "'");
    }
    read_report_keys(r, agent, c);
    read_log_level(r, agent, c);
}

void read_services(const Reader& r, const toml::node& node, AgentConfig& c) {
    const toml::table* services = node.as_table();
    if (!services) r.error(node.source(), "'services' must be a table of [services.NAME] tables");
    std::map<std::string, std::string> template_owner;
    std::set<std::string> names;
    for (auto&& [key, value] : *services) {
        std::string label(key.str());
        auto name = normalize_service(label);
        if (!name) r.error(key.source(), "bad service name '" + label + "': " + name.error());
        if (!names.insert(*name).second)
            r.error(key.source(), "service '" + *name + "' is defined twice");
        const toml::table* table = value.as_table();
        if (!table) r.error(value.source(), "'services." + label + "' must be a table");
        std::string where = "[services." + label + "]";
        r.only_keys(*table, where, agent_keys::service);

        ServiceConfig s{*name, "", {"tcp", "udp"}};
        const toml::node* unit = table->get("unit");
        if (!unit) r.error(table->source(), where + " needs 'unit', e.g. unit = \"patchbay-" + *name + "@.service\"");
        s.unit_template = r.string_at(*unit, "unit");
        if (auto ok = check_unit_template(s.unit_template); !ok) r.error(unit->source(), ok.error());
        auto [owner, inserted] = template_owner.emplace(s.unit_template, *name);
        if (!inserted)
            r.error(unit->source(), "unit template '" + s.unit_template +
                                        "' is already used by service '" + owner->second + "'");
        if (auto* t = table->get("transports")) {
            s.transports.clear();
            r.strings_at(*t, "transports", [&](const toml::node& at, const std::string& text) {
                auto tr = normalize_transport(text);
                if (!tr) r.error(at.source(), "bad transport '" + text + "': " + tr.error());
                for (const auto& have : s.transports)
                    if (have == *tr) r.error(at.source(), "transport '" + *tr + "' is listed twice");
                s.transports.push_back(*tr);
            });
            if (s.transports.empty()) r.error(t->source(), "'transports' must not be empty");
        }
        if (auto* p = table->get("probe")) s.probe = read_probe(r, *p, "[services." + label + ".probe]");
        c.services.push_back(std::move(s));
    }
    if (c.services.empty())
        r.error(node.source(), "no services: add at least one [services.NAME] table with a 'unit'");
}

}  // namespace

std::vector<CatalogEntry> AgentConfig::catalog() const {
    std::vector<CatalogEntry> out;
    for (const auto& s : services) out.push_back({s.name, s.unit_template});
    return out;
}

Result<AgentConfig> parse_config(std::string_view text, std::string_view source,
                                 const ConfigDefaults& defaults) {
    Reader r(source);
    try {
        toml::table doc;
        try {
            doc = toml::parse(text, source);
        } catch (const toml::parse_error& e) {
            r.error(e.source(), std::string(e.description()));
        }
        r.only_keys(doc, "the top level (want [agent] and [services.NAME])", agent_keys::top);
        AgentConfig c;
        c.name = defaults.hostname;
        c.resolvers = defaults.resolvers;
        const toml::node* agent = doc.get("agent");
        if (!agent || !agent->is_table())
            r.error(agent ? agent->source() : start_of_file(),
                    "missing [agent] table (with at least domains = [...])");
        read_agent(r, *agent->as_table(), c);
        const toml::node* services = doc.get("services");
        if (!services)
            r.error(start_of_file(),
                    "missing [services.NAME] tables: the agent needs at least one service");
        read_services(r, *services, c);
        if (c.resolvers.empty())
            r.error(agent->source(),
                    "no resolvers: set resolvers = [\"ADDR:PORT\"] (/etc/resolv.conf lists none)");
        if (c.name.empty()) r.error(agent->source(), "no agent name: set name = \"...\"");
        return c;
    } catch (const ConfigError& e) {
        return fail(e.message);
    }
}

std::vector<Endpoint> parse_resolv_conf(std::string_view text) {
    std::vector<Endpoint> out;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string keyword, address;
        if (!(words >> keyword >> address) || keyword != "nameserver") continue;
        auto a = Address::parse(address);  // a scoped "fe80::1%eth0" does not parse: skipped
        if (a) out.push_back(Endpoint{*a, 53});
    }
    return out;
}

Result<AgentConfig> load_config(const std::string& path) {
    std::ifstream file(path);
    if (!file) return fail(path + ": cannot read the configuration file");
    std::ostringstream text;
    text << file.rdbuf();

    ConfigDefaults defaults;
    char host[HOST_NAME_MAX + 1] = {};
    if (gethostname(host, sizeof host - 1) == 0) defaults.hostname = host;
    std::ifstream resolv("/etc/resolv.conf");
    if (resolv) {
        std::ostringstream r;
        r << resolv.rdbuf();
        defaults.resolvers = parse_resolv_conf(r.str());
    }
    return parse_config(text.str(), path, defaults);
}

}  // namespace patchbay
