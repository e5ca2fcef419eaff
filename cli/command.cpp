#include "command.h"

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "commands.h"
#include "span.h"
#include "timeline.h"
#include "tuple.h"
#include "utc_text.h"

namespace patchbay {

namespace {

using nlohmann::json;

Error usage(const std::string& message) { return fail(ErrorKind::invalid, message); }

// The commands that take `--NAME`, as "noun verb", in docs/cli.md's order; "wait" and
// "timeout" for every command that changes something.
std::vector<std::string> commands_taking(const std::string& name) {
    std::vector<std::string> out;
    for (const auto& c : cli_commands()) {
        auto options = options_of(c);
        bool takes = std::find(options.begin(), options.end(), name) != options.end() ||
                     (c.changes && (name == "wait" || name == "timeout"));
        if (takes) out.push_back(name_of(c));
    }
    return out;
}

// Fixed-width columns, the way `ip`/`systemctl` print tables.
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> width(header.size());
    for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
    for (const auto& row : rows)
        for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
    std::ostringstream out;
    auto line = [&](const std::vector<std::string>& cells) {
        std::string text;
        for (size_t i = 0; i < cells.size(); ++i) {
            text += cells[i];
            if (i + 1 < cells.size()) text += std::string(width[i] - cells[i].size() + 2, ' ');
        }
        text.erase(text.find_last_not_of(' ') + 1);  // an empty last column leaves no padding behind
        out << text << "\n";
    };
    line(header);
    for (const auto& row : rows) line(row);
    return out.str();
}

std::string str(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "";
    return v.dump();
}

// An account as listings show it: "-" for the platform's ('').
std::string account_text(const json& v) {
    std::string text = str(v);
    return text.empty() ? "-" : text;
}

std::string tuple_text(const json& t) {
    std::string address = str(t["address"]);
    if (address.find(':') != std::string::npos) address = "[" + address + "]";
    return str(t["service"]) + "/" + str(t["transport"]) + " " + address + ":" + str(t["port"]);
}

// "4s", "3m07s", "2h05m", "3d04h": how long ago, from milliseconds.
std::string ago(int64_t ms) {
    if (ms < 0) ms = 0;
    int64_t sec = ms / 1000;
    char buf[32];
    if (sec < 60) std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(sec));
    else if (sec < 3600) std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(sec / 60), static_cast<long long>(sec % 60));
    else if (sec < 86400)
        std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(sec / 3600), static_cast<long long>(sec % 3600 / 60));
    else std::snprintf(buf, sizeof buf, "%lldd%02lldh", static_cast<long long>(sec / 86400), static_cast<long long>(sec % 86400 / 3600));
    return buf;
}

int64_t num(const json& v) { return v.is_number() ? v.get<int64_t>() : 0; }

std::string instance_text(const json& i) {
    if (!i.is_object()) return "(server)";
    return str(i["domain"]) + " " + tuple_text(i);
}

// What should run on the server against what does (placement.h), in three lists.
std::string placement_text(const json& p) {
    if (!p.value("known", false))
        return "should run: unknown (its agent does not report its addresses and catalog)\n";
    std::ostringstream out;
    auto list = [&](const char* title, const json& items) {
        out << title << ": " << items.size() << "\n";
        for (const auto& i : items) {
            std::string state = str(i["active_state"]).empty() ? "not placed" : str(i["active_state"]);
            out << "  " << str(i["zone"]) << " " << tuple_text(i) << "  " << (str(i["unit"]).empty() ? "-" : str(i["unit"]))
                << "  " << state << (i.contains("error") ? ": " + str(i["error"]) : "") << "\n";
        }
    };
    list("should run and does", p.value("runs", json::array()));
    list("should run and does not", p.value("missing", json::array()));
    list("runs and should not", p.value("extra", json::array()));
    return out.str();
}

// The watchdog's answers (GET /v1/servers[/NAME]). "now" is the controller's: the last
// report's time plus its age, so the output does not depend on this host's clock.
std::string render_servers(const json& body) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : body) {
        int64_t now = num(s["last_report_ms"]) + num(s["age_ms"]);
        rows.push_back({str(s["name"]), str(s["state"]), ago(now - num(s["since_ms"])), ago(num(s["age_ms"])) + " ago",
                        str(s["instances"])});
    }
    return table({"SERVER", "STATE", "SINCE", "LAST-REPORT", "INSTANCES"}, rows);
}

std::string render_server(const json& s) {
    std::ostringstream out;
    int64_t now = num(s["last_report_ms"]) + num(s["age_ms"]);
    out << "server " << str(s["name"]) << ": " << str(s["state"]) << " for " << ago(now - num(s["since_ms"])) << " ("
        << str(s["reason"]) << ")\n";
    out << "last report " << ago(num(s["age_ms"])) << " ago (boot " << str(s["boot"]) << ", seq " << str(s["seq"])
        << ", " << str(s["reports"]) << " reports)\n";
    const json& h = s["host"];
    char host[96];
    std::snprintf(host, sizeof host, "host: load %.2f, cpu %.2f, memory %.2f\n", h.value("load1", 0.0),
                  h.value("cpu", 0.0), h.value("memory", 0.0));
    out << host;
    if (s.contains("serials") && !s["serials"].empty()) {
        out << "serials:";
        for (const auto& [zone, serial] : s["serials"].items()) out << " " << zone << "=" << str(serial);
        out << "\n";
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& i : s["instances"]) {
        std::string probe = "-";
        if (i["probe"].is_object()) {
            const json& p = i["probe"];
            probe = str(p["kind"]) + (p.value("ok", false) ? " ok " : " FAIL ") + str(p["latency_ms"]) + "ms x" +
                    str(p["streak"]);
        }
        rows.push_back({instance_text(i), str(i["state"]), ago(now - num(i["since_ms"])), str(i["active_state"]),
                        probe, str(i["reason"])});
    }
    out << "\n" << table({"INSTANCE", "STATE", "SINCE", "UNIT-STATE", "PROBE", "REASON"}, rows);
    if (s.contains("placement")) out << "\n" << placement_text(s["placement"]);
    if (!s["changes"].empty()) {
        rows.clear();
        for (const auto& c : s["changes"])
            rows.push_back({utc_text(num(c["at_ms"])), instance_text(c["instance"]), str(c["from"]) + " -> " + str(c["to"]),
                            str(c["reason"])});
        out << "\n" << table({"AT", "WHAT", "CHANGE", "REASON"}, rows);
    }
    if (!s["blocks"].empty()) {
        rows.clear();
        for (const auto& b : s["blocks"]) rows.push_back({utc_text(num(b["period_ms"])), str(b["state"])});
        out << "\n" << table({"PERIOD", "WORST"}, rows);
    }
    return out.str();
}

// A file sent as JSON text: it must be UTF-8 (JSON cannot carry other bytes).
Result<std::string> read_text_file(const std::string& path,
                                   const std::function<Result<std::string>(const std::string&)>& read_file) {
    auto text = read_file(path);
    if (!text) return text;
    try {
        (void)json(*text).dump();
    } catch (const json::type_error&) {
        return fail(ErrorKind::invalid, path + ": not UTF-8 text");
    }
    return text;
}

std::string render_explain(const json& e) {
    std::ostringstream out;
    out << "zone " << str(e["zone"]) << (str(e["account"]).empty() ? "" : " (account " + str(e["account"]) + ")")
        << "\n";
    for (const auto& q : e.value("question", json::array())) out << "  question: " << str(q) << "\n";
    out << "rule: " << str(e["rule"]);
    if (e.contains("rule_at") && e["rule_at"].is_string()) out << " (" << str(e["rule_at"]) << ")";
    out << "\n";
    for (const auto& r : e.value("passed", json::array()))
        out << "  passed over: " << str(r["rule"]) << ": " << str(r["why"]) << "\n";
    for (const auto& f : e.value("facts", json::array())) out << "  fact: " << str(f) << "\n";
    out << "answer:\n";
    if (e.value("answer", json::array()).empty()) out << "  (no records)\n";
    for (const auto& line : e.value("answer", json::array())) out << "  " << str(line) << "\n";
    return out.str();
}

// Is `text` a whole number in [lo, hi]?
bool whole_number(const std::string& text, int64_t lo, int64_t hi) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    return !text.empty() && ec == std::errc() && end == text.data() + text.size() && v >= lo && v <= hi;
}

// "2/3": of the hosts serving the change's zone, how many have applied it ("-": none serves it).
std::string applied_text(const json& hosts) {
    if (!hosts.is_array() || hosts.empty()) return "-";
    size_t applied = 0;
    for (const auto& h : hosts) applied += h.value("applied", false);
    return std::to_string(applied) + "/" + std::to_string(hosts.size());
}

// The change log (GET /v1/changes[/ID]). An author from before authors were kept is "-".
std::string render_changes(const json& body) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : body) {
        std::string author = str(c["author"]);
        rows.push_back({str(c["id"]), utc_text(num(c["at_ms"])), str(c["zone"]), str(c["serial"]), str(c["action"]),
                        author.empty() ? "-" : author, applied_text(c["hosts"])});
    }
    return table({"ID", "AT", "ZONE", "SERIAL", "ACTION", "AUTHOR", "APPLIED"}, rows);
}

// drain, undrain and drains ls (docs/drain.md).
std::string render_drain(const std::string& what, const json& body) {
    auto tuples = [](const json& d) {
        size_t n = d.value("removed", json::array()).size();
        return std::to_string(n) + (n == 1 ? " tuple" : " tuples");
    };
    if (what == "drain")
        return "draining " + str(body["address"]) + ": out of the client view now; its tuples are removed at " +
               utc_text(num(body["until_ms"])) + " (grace " + span_text(num(body["grace_ms"])) + ")\n";
    if (what == "undrain")
        return "undrained " + str(body["address"]) + ": back in the client view; " + tuples(body) + " put back\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& d : body)
        rows.push_back({str(d["address"]), str(d["state"]), utc_text(num(d["started_ms"])), utc_text(num(d["until_ms"])),
                        std::to_string(d.value("removed", json::array()).size()), str(d["author"])});
    return table({"ADDRESS", "STATE", "SINCE", "UNTIL", "REMOVED", "AUTHOR"}, rows);
}

std::string render_change(const json& c) {
    std::ostringstream out;
    std::string author = str(c["author"]);
    out << "change " << str(c["id"]) << ": " << str(c["action"]) << " " << str(c["zone"]) << " (serial "
        << str(c["serial"]) << ")\n";
    out << "at " << utc_text(num(c["at_ms"])) << " by " << (author.empty() ? "-" : author);
    if (!str(c["account"]).empty()) out << " (account " << str(c["account"]) << ")";
    out << "\n";
    if (!str(c["detail"]).empty()) out << "detail: " << str(c["detail"]) << "\n";
    if (c.contains("status")) out << "status: " << str(c["status"]) << "\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& h : c.value("hosts", json::array())) {
        std::string state = h.contains("status") ? str(h["status"]) : h.value("applied", false) ? "applied" : "pending";
        rows.push_back({str(h["server"]), str(h["serial"]), state, h.value("detail", "")});
    }
    if (rows.empty()) out << "\nno host reports a serial of " << str(c["zone"]) << "\n";
    else out << "\n" << table({"HOST", "SERIAL", "STATE", "DETAIL"}, rows);
    return out.str();
}

}  // namespace

Result<Invocation> parse_invocation(const std::vector<std::string>& argv,
                                    const std::function<std::optional<std::string>(const char*)>& env) {
    Invocation inv;
    inv.controller = env("PATCHBAY_CONTROLLER").value_or("http://127.0.0.1:8080");
    inv.token = env("PATCHBAY_TOKEN").value_or("");
    std::vector<std::string> words;
    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a.size() > 2 && a.starts_with("--")) {
            std::string name = a.substr(2), value;
            auto eq = name.find('=');
            if (eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
            } else {
                if (name == "help") {
                    inv.help = true;
                    continue;
                }
                if (name == "wait") {  // a flag: takes no value
                    inv.wait = true;
                    continue;
                }
                if (i + 1 >= argv.size()) return usage("--" + name + " needs a value");
                value = argv[++i];
            }
            if (name == "controller") inv.controller = value;
            else if (name == "token") inv.token = value;
            else if (name == "output") {
                if (value != "json" && value != "text") return usage("--output must be text or json, got '" + value + "'");
                inv.json = value == "json";
            } else if (name == "priority" || name == "weight" || name == "target" || name == "zone" ||
                       name == "account" || name == "role" || name == "name" || name == "template" ||
                       name == "transport" || name == "from" || name == "at" || name == "department" ||
                       name == "limit" || name == "range" || name == "period" || name == "timeout" ||
                       name == "grace")
                inv.options[name] = value;
            else if (name == "server") inv.servers.push_back(value);
            else return usage("unknown option --" + name);
        } else if (a == "-h") {
            inv.help = true;
        } else {
            words.push_back(a);
        }
    }
    // `patchbay help tuple add` is `patchbay tuple add --help`.
    if (!words.empty() && words[0] == "help") {
        inv.help = true;
        words.erase(words.begin());
    }
    if (words.empty()) {
        if (inv.help) return inv;
        return usage(overview_help());
    }
    inv.noun = words[0];
    size_t first_arg = 1;
    if (!find_command(inv.noun, "")) {
        if (words.size() < 2) {
            if (inv.help) return inv;
            return usage("'" + inv.noun + "' needs a verb\n" + noun_help(inv.noun));
        }
        inv.verb = words[1];
        first_arg = 2;
    }
    inv.args.assign(words.begin() + static_cast<long>(first_arg), words.end());
    return inv;
}

Result<std::string> help_text(const Invocation& inv) {
    if (inv.noun.empty()) return overview_help();
    if (const CommandSpec* command = find_command(inv.noun, inv.verb)) return command_help(*command);
    if (inv.verb.empty())
        if (std::string text = noun_help(inv.noun); !text.empty()) return text;
    return usage("unknown command '" + inv.noun + (inv.verb.empty() ? "" : " " + inv.verb) + "'\n" + overview_help());
}

Result<ApiRequest> plan_request(const Invocation& inv, const std::function<std::string(const std::string&)>& escape,
                                const std::function<Result<std::string>(const std::string&)>& read_file) {
    const auto& a = inv.args;
    auto want = [&](size_t lo, size_t hi, const char* shape) -> Result<void> {
        if (a.size() < lo || a.size() > hi)
            return usage("usage: patchbay " + inv.noun + " " + inv.verb + " " + shape);
        return {};
    };
    std::string what = inv.noun + (inv.verb.empty() ? "" : " " + inv.verb);
    for (const auto& [name, value] : inv.options) {
        std::vector<std::string> owners = commands_taking(name);
        if (std::find(owners.begin(), owners.end(), what) != owners.end()) continue;
        std::string list;
        for (size_t i = 0; i < owners.size(); ++i)
            list += (i == 0 ? "" : i + 1 == owners.size() ? " or " : ", ") + ("'" + owners[i] + "'");
        return usage("--" + name + " only goes with " + list);
    }
    auto option = [&](const char* name) -> std::optional<std::string> {
        auto it = inv.options.find(name);
        if (it == inv.options.end()) return std::nullopt;
        return it->second;
    };
    if (!inv.servers.empty() && what != "timeline") return usage("--server only goes with 'timeline'");
    const auto waiting = commands_taking("wait");
    if (inv.wait && std::find(waiting.begin(), waiting.end(), what) == waiting.end())
        return usage("--wait only goes with a command that changes something ('" + what + "' does not)");
    if (auto timeout = option("timeout")) {
        if (!inv.wait && what != "tuple move") return usage("--timeout goes with --wait");
        if (auto ok = parse_span(*timeout, "--timeout"); !ok) return usage(ok.error());
    }
    if (what == "timeline") {
        if (!a.empty()) return usage("usage: patchbay timeline [--range 24h] [--period P] [--server NAME]...");
        std::string query;
        for (const char* name : {"range", "period"}) {
            auto v = option(name);
            if (!v) continue;
            if (auto ok = parse_span(*v, "--" + std::string(name)); !ok) return usage(ok.error());
            query += std::string(query.empty() ? "?" : "&") + name + "=" + *v;
        }
        for (const auto& server : inv.servers) query += std::string(query.empty() ? "?" : "&") + "server=" + escape(server);
        return ApiRequest{"GET", "/v1/timelines" + query, std::nullopt};
    }
    if (what == "status") {
        if (!a.empty()) return usage("usage: patchbay status");
        return ApiRequest{"GET", "/v1/status", std::nullopt};
    }
    if (what == "zone ls" || what == "agent ls") {
        if (auto r = want(0, 0, ""); !r) return r.failure();
        return ApiRequest{"GET", inv.noun == "zone" ? "/v1/zones" : "/v1/agents", std::nullopt};
    }
    if (what == "servers ls") {
        if (auto r = want(0, 0, ""); !r) return r.failure();
        return ApiRequest{"GET", "/v1/servers", std::nullopt};
    }
    if (what == "server show") {
        if (auto r = want(1, 1, "NAME"); !r) return r.failure();
        return ApiRequest{"GET", "/v1/servers/" + escape(a[0]), std::nullopt};
    }
    if (what == "zone add" || what == "zone rm") {
        if (auto r = want(1, 1, inv.verb == "add" ? "DOMAIN [--account A [--template T]]" : "DOMAIN"); !r)
            return r.failure();
        if (inv.verb == "add") {
            json body{{"name", a[0]}};
            if (auto account = option("account")) body["account"] = *account;
            if (auto t = option("template")) {
                if (!option("account")) return usage("--template needs --account (templates are an account's)");
                body["template"] = *t;
            }
            return ApiRequest{"POST", "/v1/zones", body};
        }
        return ApiRequest{"DELETE", "/v1/zones/" + escape(a[0]), std::nullopt};
    }
    if (what == "zone import") {
        if (auto r = want(1, 1, "FILE [--zone DOMAIN] [--account A]"); !r) return r.failure();
        auto text = read_text_file(a[0], read_file);
        if (!text) return usage(text.error());
        json body{{"text", *text}, {"source", a[0]}};
        if (auto z = option("zone")) body["zone"] = *z;
        if (auto account = option("account")) body["account"] = *account;
        return ApiRequest{"POST", "/v1/zones/import", body};
    }
    if (what == "account ls" || what == "token ls") {
        if (auto r = want(0, 0, ""); !r) return r.failure();
        return ApiRequest{"GET", inv.noun == "account" ? "/v1/accounts" : "/v1/tokens", std::nullopt};
    }
    if (what == "account add" || what == "account rm") {
        if (auto r = want(1, 1, "NAME"); !r) return r.failure();
        if (inv.verb == "add") return ApiRequest{"POST", "/v1/accounts", json{{"name", a[0]}}};
        return ApiRequest{"DELETE", "/v1/accounts/" + escape(a[0]), std::nullopt};
    }
    if (what == "token create") {
        if (auto r = want(0, 0, "[--account NAME] --role ROLE [--name N]"); !r) return r.failure();
        auto role = option("role");
        if (!role) return usage("token create needs --role (admin, account-admin, account-viewer or agent)");
        if (*role != "admin" && *role != "account-admin" && *role != "account-viewer" && *role != "agent")
            return usage("--role must be admin, account-admin, account-viewer or agent, got '" + *role + "'");
        json body{{"role", *role}};
        if (auto account = option("account")) body["account"] = *account;
        if (auto name = option("name")) body["name"] = *name;
        return ApiRequest{"POST", "/v1/tokens", body};
    }
    if (what == "token revoke") {
        if (auto r = want(1, 1, "ID"); !r) return r.failure();
        return ApiRequest{"DELETE", "/v1/tokens/" + escape(a[0]), std::nullopt};
    }
    if (what == "zone export") {
        if (auto r = want(1, 1, "DOMAIN"); !r) return r.failure();
        return ApiRequest{"GET", "/v1/zones/" + escape(a[0]) + "/export", std::nullopt};
    }
    if (what == "tuple ls") {
        if (auto r = want(0, 1, "[DOMAIN]"); !r) return r.failure();
        if (a.empty()) return ApiRequest{"GET", "/v1/tuples", std::nullopt};
        return ApiRequest{"GET", "/v1/zones/" + escape(a[0]) + "/tuples", std::nullopt};
    }
    if (what == "tuple move") {
        // Checked offline; the move itself is steps (move.h), starting from the zone's tuples.
        if (auto r = want(5, 5, "DOMAIN SERVICE TRANSPORT FROM TO [--timeout 60s]"); !r) return r.failure();
        auto t = parse_tuple(a[0], a[1], a[2], "127.0.0.1", "1");
        if (!t) return usage(t.error());
        if (!Address::parse(a[3]) && !Endpoint::parse(a[3]))
            return usage("FROM: '" + a[3] + "' is not an ADDRESS or ADDRESS:PORT");
        if (auto to = Address::parse(a[4]); !to) return usage("TO: " + to.error());
        return ApiRequest{"GET", "/v1/zones/" + escape(t->domain) + "/tuples", std::nullopt};
    }
    if (what == "tuple add" || what == "tuple rm") {
        const char* shape = inv.verb == "add"
                                ? "DOMAIN SERVICE TRANSPORT ADDRESS PORT [--priority N] [--weight N] [--target NAME]"
                                : "DOMAIN SERVICE TRANSPORT ADDRESS PORT";
        if (auto r = want(5, 5, shape); !r) return r.failure();
        auto opt = [&](const char* name, const char* fallback) {
            auto it = inv.options.find(name);
            return it == inv.options.end() ? std::string(fallback) : it->second;
        };
        // Validate here so a typo is caught before anything is sent.
        auto t = parse_tuple(a[0], a[1], a[2], a[3], a[4], opt("priority", "1"), opt("weight", "100"),
                            opt("target", ""));
        if (!t) return usage(t.error());
        if (inv.verb == "rm")
            return ApiRequest{"DELETE",
                              "/v1/zones/" + escape(t->domain) + "/tuples/" + escape(t->key.service) + "/" +
                                  escape(t->key.transport) + "/" + escape(t->key.address.str()) + "/" +
                                  std::to_string(t->key.port),
                              std::nullopt};
        json body{{"service", t->key.service}, {"transport", t->key.transport}, {"address", t->key.address.str()},
                  {"port", t->key.port},       {"priority", t->priority},       {"weight", t->weight}};
        if (!t->target.empty()) body["target"] = t->target;
        return ApiRequest{"POST", "/v1/zones/" + escape(t->domain) + "/tuples", body};
    }
    if (inv.noun == "policy") {
        if (what == "policy check" || what == "policy set") {
            bool set = inv.verb == "set";
            if (auto r = want(set ? 2 : 1, set ? 2 : 1, set ? "ACCOUNT FILE" : "FILE"); !r) return r.failure();
            const std::string& path = a[set ? 1 : 0];
            auto text = read_text_file(path, read_file);
            if (!text) return usage(text.error());
            json body{{"text", *text}, {"file", std::filesystem::path(path).filename().string()}};
            if (!set) return ApiRequest{"POST", "/v1/settings/check", body};
            return ApiRequest{"PUT", "/v1/accounts/" + escape(a[0]) + "/settings", body};
        }
        if (what == "policy get" || what == "policy history") {
            if (auto r = want(1, 1, "ACCOUNT"); !r) return r.failure();
            return ApiRequest{"GET", "/v1/accounts/" + escape(a[0]) + "/settings" + (inv.verb == "get" ? "" : "/history"),
                              std::nullopt};
        }
        if (what == "policy rollback") {
            if (auto r = want(2, 2, "ACCOUNT VERSION"); !r) return r.failure();
            int64_t version = 0;
            auto [end, ec] = std::from_chars(a[1].data(), a[1].data() + a[1].size(), version);
            if (ec != std::errc() || end != a[1].data() + a[1].size() || version < 1)
                return usage("VERSION must be a settings version number (see 'patchbay policy history'), got '" +
                             a[1] + "'");
            return ApiRequest{"POST", "/v1/accounts/" + escape(a[0]) + "/settings/rollback", json{{"version", version}}};
        }
    }
    if (what == "explain") {
        if (a.size() != 2)
            return usage("usage: patchbay explain DOMAIN SERVICE [--transport tcp] [--from ADDRESS] [--at TIME] "
                         "[--department D]");
        std::string path = "/v1/zones/" + escape(a[0]) + "/explain?service=" + escape(a[1]) +
                           "&transport=" + escape(option("transport").value_or("tcp"));
        for (const char* name : {"from", "at", "department"})
            if (auto v = option(name)) path += std::string("&") + name + "=" + escape(*v);
        return ApiRequest{"GET", path, std::nullopt};
    }
    if (what == "changes ls") {
        if (auto r = want(0, 0, "[--zone DOMAIN] [--limit N]"); !r) return r.failure();
        std::string query;
        if (auto z = option("zone")) query += "&zone=" + escape(*z);
        if (auto limit = option("limit")) {
            if (!whole_number(*limit, 1, 1000)) return usage("--limit must be a whole number from 1 to 1000, got '" + *limit + "'");
            query += "&limit=" + *limit;
        }
        if (!query.empty()) query[0] = '?';
        return ApiRequest{"GET", "/v1/changes" + query, std::nullopt};
    }
    if (what == "changes show") {
        if (auto r = want(1, 1, "ID"); !r) return r.failure();
        if (!whole_number(a[0], 1, std::numeric_limits<int64_t>::max()))
            return usage("ID must be a change id (see 'patchbay changes ls'), got '" + a[0] + "'");
        return ApiRequest{"GET", "/v1/changes/" + a[0], std::nullopt};
    }
    if (what == "drain" || what == "undrain") {
        if (a.size() != 1)
            return usage(what == "drain" ? "usage: patchbay drain ADDRESS [--grace 30s]" : "usage: patchbay undrain ADDRESS");
        auto address = Address::parse(a[0]);
        if (!address) return usage("ADDRESS: " + address.error());
        if (what == "undrain") return ApiRequest{"DELETE", "/v1/drains/" + escape(address->str()), std::nullopt};
        json body{{"address", address->str()}};
        if (auto grace = option("grace")) {
            if (*grace != "0" && *grace != "0s")
                if (auto ok = parse_span(*grace, "--grace"); !ok) return usage(ok.error());
            body["grace"] = *grace;
        }
        return ApiRequest{"POST", "/v1/drains", body};
    }
    if (what == "drains ls") {
        if (auto r = want(0, 0, ""); !r) return r.failure();
        return ApiRequest{"GET", "/v1/drains", std::nullopt};
    }
    if (what == "alert test") {
        if (auto r = want(0, 1, "[POLICY] [--account A]"); !r) return r.failure();
        json body = a.empty() ? json::object() : json{{"policy", a[0]}};
        if (auto account = option("account")) body["account"] = *account;
        return ApiRequest{"POST", "/v1/alerts/test", body};
    }
    return usage("unknown command '" + what + "'\n" + overview_help());
}

std::string render(const Invocation& inv, const json& body) {
    if (inv.json) return body.dump(2) + "\n";
    std::string what = inv.noun + (inv.verb.empty() ? "" : " " + inv.verb);
    if (what == "zone ls") {
        std::vector<std::vector<std::string>> rows;
        for (const auto& z : body) rows.push_back({str(z["name"]), str(z["serial"]), account_text(z["account"])});
        return table({"ZONE", "SERIAL", "ACCOUNT"}, rows);
    }
    if (what == "account ls") {
        std::vector<std::vector<std::string>> rows;
        for (const auto& ac : body) rows.push_back({str(ac["name"]), utc_text(num(ac["created_at"]) * 1000)});
        return table({"ACCOUNT", "CREATED"}, rows);
    }
    if (what == "token ls") {
        std::vector<std::vector<std::string>> rows;
        for (const auto& t : body)
            rows.push_back({str(t["id"]), str(t["name"]), account_text(t["account"]), str(t["role"]),
                            utc_text(num(t["created_at"]) * 1000)});
        return table({"ID", "NAME", "ACCOUNT", "ROLE", "CREATED"}, rows);
    }
    // Only the token on stdout, so `T=$(patchbay token create …)` captures it.
    if (what == "token create") return str(body["token"]) + "\n";
    if (what == "token revoke") return "revoked token " + str(body["id"]) + " (" + str(body["name"]) + ")\n";
    if (what == "account add") return "added account " + str(body["name"]) + "\n";
    if (what == "account rm") return "removed account " + str(body["name"]) + "\n";
    if (what == "tuple ls") {
        std::vector<std::vector<std::string>> rows;
        for (const auto& t : body)
            rows.push_back({str(t["zone"]), str(t["service"]), str(t["transport"]), str(t["address"]),
                            str(t["port"]), str(t["priority"]), str(t["weight"]), str(t["target"])});
        return table({"ZONE", "SERVICE", "TRANSPORT", "ADDRESS", "PORT", "PRIORITY", "WEIGHT", "TARGET"}, rows);
    }
    if (what == "agent ls") {
        std::vector<std::vector<std::string>> rows;
        for (const auto& ag : body) {
            std::string domains;
            for (const auto& d : ag["domains"]) domains += (domains.empty() ? "" : ",") + str(d);
            rows.push_back({str(ag["name"]), str(ag["notify"]), domains});
        }
        return table({"AGENT", "NOTIFY", "DOMAINS"}, rows);
    }
    if (what == "servers ls") return render_servers(body);
    if (what == "changes ls") return render_changes(body);
    if (what == "changes show") return render_change(body);
    if (what == "drain" || what == "undrain" || what == "drains ls") return render_drain(what, body);
    if (what == "timeline") return render_timeline(body, TimelineStyle{inv.color, inv.width});
    if (what == "explain") return render_explain(body);
    if (what == "policy get") return str(body["text"]);
    if (what == "policy set" || what == "policy rollback")
        return "account " + str(body["account"]) + ": settings version " + str(body["version"]) +
               (str(body["note"]).empty() ? "" : " (" + str(body["note"]) + ")") + "\n";
    if (what == "policy check")
        return str(body["file"]) + ": ok (" + str(body["rules"]) + " rules, " + str(body["regions"]) + " regions, " +
               str(body["departments"]) + " departments, " + str(body["windows"]) + " windows, " +
               str(body["templates"]) + " templates, " + str(body["alerts"]) + " alert policies)\n";
    if (what == "policy history") {
        std::vector<std::vector<std::string>> rows;
        for (const auto& v : body)
            rows.push_back({str(v["version"]), utc_text(num(v["created_at"]) * 1000), str(v["author"]),
                            str(v["file"]), str(v["note"])});
        return table({"VERSION", "CREATED", "AUTHOR", "FILE", "NOTE"}, rows);
    }
    if (what == "server show") return render_server(body);
    if (what == "alert test") {
        std::vector<std::vector<std::string>> rows;
        for (const auto& r : body.value("results", json::array()))
            rows.push_back({str(r["policy"]), str(r["channel"]),
                            r.value("ok", false) ? "ok" : "failed: " + str(r["error"])});
        return table({"POLICY", "CHANNEL", "RESULT"}, rows);
    }
    if (what == "status") {
        std::ostringstream out;
        out << body["zones"].size() << " zones, " << str(body["tuples"]) << " tuples, " << body["agents"].size()
            << " agents\n";
        std::vector<std::vector<std::string>> rows;
        for (const auto& z : body["zones"]) rows.push_back({str(z["name"]), str(z["serial"])});
        if (!rows.empty()) out << table({"ZONE", "SERIAL"}, rows);
        return out.str();
    }
    std::string serial = " (serial " + str(body["serial"]) + ")";
    if (what == "zone add")
        return "added zone " + str(body["zone"]) + serial +
               (str(body["account"]).empty() ? "" : " to account " + str(body["account"])) + "\n";
    if (what == "zone export") return str(body["text"]);
    if (what == "zone import")
        return std::string(body.value("changed", true) ? "imported " : "unchanged ") + str(body["zone"]) + ": " +
               str(body["tuples"]) + " tuples, " + str(body["records"]) + " other records" + serial + "\n";
    if (what == "zone rm") return "removed zone " + str(body["zone"]) + "\n";
    if (what == "tuple add") {
        bool changed = body.value("changed", true);
        return std::string(changed ? "placed " : "unchanged ") + tuple_text(body["tuple"]) + " in " +
               str(body["zone"]) + serial + "\n";
    }
    if (what == "tuple rm") {
        std::string address = inv.args[3];
        return "removed " + inv.args[1] + "/" + inv.args[2] + " " + address + ":" + inv.args[4] + " from " +
               str(body["zone"]) + serial + "\n";
    }
    return body.dump(2) + "\n";
}

Result<std::string> read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(ErrorKind::invalid, "cannot read " + path + ": " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return fail(ErrorKind::invalid, "cannot read " + path + ": " + std::strerror(errno));
    return text.str();
}

int exit_code_for_answer(const Invocation& inv, const json& body) {
    // `alert test` is answered 200 when it ran; a channel that failed still fails the command.
    if (inv.noun == "alert" && inv.verb == "test" && body.is_object() && !body.value("ok", true)) return kExitFailed;
    return kExitOk;
}

int exit_code_for(long status) {
    if (status >= 200 && status < 300) return kExitOk;
    if (status == 400 || status == 422) return kExitUsage;
    if (status == 401 || status == 403) return kExitUnauthorized;
    if (status == 404) return kExitNotFound;
    if (status == 409) return kExitConflict;
    return kExitFailed;
}

}  // namespace patchbay
