// The report's JSON form (report.h): field by field, every error naming its path.
#include "report.h"

#include <cmath>
#include <initializer_list>
#include <limits>

namespace patchbay {

namespace {

using nlohmann::json;

Error at(const std::string& path, const std::string& what) { return fail(path + ": " + what); }

Result<void> only_fields(const json& j, const std::string& path, std::initializer_list<const char*> known) {
    if (!j.is_object()) return at(path.empty() ? "report" : path, "must be a JSON object");
    for (const auto& [key, value] : j.items()) {
        bool ok = false;
        for (const char* k : known) ok = ok || key == k;
        if (!ok) return at(path.empty() ? key : path + "." + key, "unknown field");
    }
    return {};
}

std::string join(const std::string& path, const char* field) { return path.empty() ? field : path + "." + field; }

Result<std::string> text(const json& j, const std::string& path, const char* field, bool required, size_t max) {
    auto it = j.find(field);
    if (it == j.end() || it->is_null()) {
        if (required) return at(join(path, field), "is required");
        return std::string();
    }
    if (!it->is_string()) return at(join(path, field), "must be a string");
    auto s = it->get<std::string>();
    if (s.size() > max) return at(join(path, field), "longer than " + std::to_string(max) + " bytes");
    return s;
}

Result<uint64_t> whole(const json& j, const std::string& path, const char* field, uint64_t max, bool required) {
    auto it = j.find(field);
    if (it == j.end() || it->is_null()) {
        if (required) return at(join(path, field), "is required");
        return uint64_t{0};
    }
    bool whole = it->is_number_unsigned() || (it->is_number_integer() && it->get<int64_t>() >= 0);
    if (!whole || it->get<uint64_t>() > max)
        return at(join(path, field), "must be a whole number 0.." + std::to_string(max));
    return it->get<uint64_t>();
}

Result<double> number(const json& j, const std::string& path, const char* field, double max) {
    auto it = j.find(field);
    if (it == j.end() || it->is_null()) return 0.0;
    if (!it->is_number()) return at(join(path, field), "must be a number");
    double v = it->get<double>();
    if (!std::isfinite(v) || v < 0 || v > max) return at(join(path, field), "must be a number 0.." + json(max).dump());
    return v;
}

// An optional array of strings, each checked and normalised by `check`.
template <typename Check>
Result<std::optional<std::vector<std::string>>> text_list(const json& j, const std::string& path, const char* field,
                                                          Check check) {
    auto it = j.find(field);
    if (it == j.end() || it->is_null()) return std::optional<std::vector<std::string>>();
    if (!it->is_array() || it->size() > 4096) return at(join(path, field), "must be an array of at most 4096 strings");
    std::vector<std::string> out;
    for (size_t n = 0; n < it->size(); ++n) {
        std::string where = join(path, field) + "[" + std::to_string(n) + "]";
        if (!(*it)[n].is_string()) return at(where, "must be a string");
        auto v = check((*it)[n].get<std::string>());
        if (!v) return at(where, v.error());
        out.push_back(std::move(*v));
    }
    return std::optional<std::vector<std::string>>(std::move(out));
}

Result<ProbeResult> probe_from(const json& j, const std::string& path) {
    if (auto r = only_fields(j, path, {"kind", "ok", "latency_ms", "error", "streak"}); !r) return r.failure();
    ProbeResult p;
    auto kind = text(j, path, "kind", true, 16);
    if (!kind) return kind.failure();
    p.kind = *kind;
    auto ok = j.find("ok");
    if (ok == j.end() || !ok->is_boolean()) return at(path + ".ok", "must be true or false");
    p.ok = ok->get<bool>();
    auto latency = number(j, path, "latency_ms", 86400e3);
    if (!latency) return latency.failure();
    p.latency_ms = *latency;
    auto error = text(j, path, "error", false, 1024);
    if (!error) return error.failure();
    p.error = *error;
    if (auto it = j.find("streak"); it != j.end() && !it->is_null()) {
        auto streak = whole(j, path, "streak", 0xffffffffu, true);
        if (!streak) return streak.failure();
        if (*streak == 0) return at(path + ".streak", "must be 1 or more");
        p.streak = static_cast<uint32_t>(*streak);
    }
    return p;
}

Result<InstanceReport> instance_from(const json& j, const std::string& path) {
    if (auto r = only_fields(j, path, {"domain", "service", "transport", "address", "port", "unit", "active_state",
                                       "probe", "memory_bytes", "cpu_nsec", "error"});
        !r)
        return r.failure();
    InstanceReport i;
    std::string fields[4];
    const char* names[4] = {"domain", "service", "transport", "address"};
    for (int n = 0; n < 4; ++n) {
        auto v = text(j, path, names[n], true, 255);
        if (!v) return v.failure();
        fields[n] = *v;
    }
    auto port = whole(j, path, "port", 65535, true);
    if (!port) return port.failure();
    auto tuple = parse_tuple(fields[0], fields[1], fields[2], fields[3], std::to_string(*port));
    if (!tuple) return at(path, tuple.error());
    i.domain = tuple->domain;
    i.key = tuple->key;
    auto unit = text(j, path, "unit", false, 512);
    if (!unit) return unit.failure();
    i.unit = *unit;
    auto state = text(j, path, "active_state", true, 32);
    if (!state) return state.failure();
    i.active_state = *state;
    if (auto it = j.find("probe"); it != j.end() && !it->is_null()) {
        auto p = probe_from(*it, path + ".probe");
        if (!p) return p.failure();
        i.probe = *p;
    }
    for (auto [field, slot] : {std::pair{"memory_bytes", &i.memory_bytes}, std::pair{"cpu_nsec", &i.cpu_nsec}}) {
        if (auto it = j.find(field); it != j.end() && !it->is_null()) {
            auto v = whole(j, path, field, std::numeric_limits<uint64_t>::max(), true);
            if (!v) return v.failure();
            *slot = *v;
        }
    }
    auto error = text(j, path, "error", false, 1024);
    if (!error) return error.failure();
    i.error = *error;
    return i;
}

json to_json(const InstanceReport& i) {
    json j{{"domain", i.domain},          {"service", i.key.service}, {"transport", i.key.transport},
           {"address", i.key.address.str()}, {"port", i.key.port},    {"unit", i.unit},
           {"active_state", i.active_state}};
    if (i.probe) {
        json p{{"kind", i.probe->kind},
               {"ok", i.probe->ok},
               {"latency_ms", i.probe->latency_ms},
               {"streak", i.probe->streak}};
        if (!i.probe->error.empty()) p["error"] = i.probe->error;
        j["probe"] = p;
    }
    if (i.memory_bytes) j["memory_bytes"] = *i.memory_bytes;
    if (i.cpu_nsec) j["cpu_nsec"] = *i.cpu_nsec;
    if (!i.error.empty()) j["error"] = i.error;
    return j;
}

Result<Report> report_at(const json& j, const std::string& path) {
    if (auto r = only_fields(j, path, {"agent", "boot", "seq", "at_ms", "serials", "host", "instances",
                                       "addresses", "catalog"}); !r)
        return r.failure();
    Report rep;
    auto agent = text(j, path, "agent", true, 255);
    if (!agent) return agent.failure();
    if (agent->empty()) return at(join(path, "agent"), "must not be empty");
    rep.agent = *agent;
    auto boot = text(j, path, "boot", true, 64);
    if (!boot) return boot.failure();
    rep.boot = *boot;
    auto seq = whole(j, path, "seq", std::numeric_limits<int64_t>::max(), true);
    if (!seq) return seq.failure();
    if (*seq == 0) return at(join(path, "seq"), "must be 1 or more");
    rep.seq = *seq;
    auto at_ms = whole(j, path, "at_ms", std::numeric_limits<int64_t>::max(), true);
    if (!at_ms) return at_ms.failure();
    rep.at_ms = static_cast<int64_t>(*at_ms);
    if (auto it = j.find("serials"); it != j.end() && !it->is_null()) {
        if (!it->is_object()) return at(join(path, "serials"), "must be an object of domain: serial");
        for (const auto& [domain, serial] : it->items()) {
            auto v = whole(*it, join(path, "serials"), domain.c_str(), 0xffffffffu, true);
            if (!v) return v.failure();
            auto name = parse_tuple(domain, "x", "tcp", "127.0.0.1", "1");
            if (!name) return at(join(path, "serials"), name.error());
            rep.serials[name->domain] = static_cast<uint32_t>(*v);
        }
    }
    if (auto it = j.find("host"); it != j.end() && !it->is_null()) {
        std::string hp = join(path, "host");
        if (auto r = only_fields(*it, hp, {"load1", "cpu", "memory"}); !r) return r.failure();
        auto load = number(*it, hp, "load1", 1e6);
        auto cpu = number(*it, hp, "cpu", 1);
        auto mem = number(*it, hp, "memory", 1);
        for (auto* r : {&load, &cpu, &mem})
            if (!*r) return r->failure();
        rep.host = HostMetrics{*load, *cpu, *mem};
    }
    if (auto it = j.find("instances"); it != j.end() && !it->is_null()) {
        if (!it->is_array()) return at(join(path, "instances"), "must be an array");
        for (size_t n = 0; n < it->size(); ++n) {
            auto i = instance_from((*it)[n], join(path, "instances") + "[" + std::to_string(n) + "]");
            if (!i) return i.failure();
            rep.instances.push_back(std::move(*i));
        }
    }
    auto addresses = text_list(j, path, "addresses", [](const std::string& v) -> Result<std::string> {
        auto a = Address::parse(v);
        if (!a) return a.failure();
        return a->str();
    });
    if (!addresses) return addresses.failure();
    rep.addresses = std::move(*addresses);
    auto catalog = text_list(j, path, "catalog", [](const std::string& v) -> Result<std::string> {
        auto slash = v.find('/');
        if (slash == std::string::npos) return fail(v + ": must be SERVICE/TRANSPORT");
        auto t = parse_tuple("x.example", v.substr(0, slash), v.substr(slash + 1), "127.0.0.1", "1");
        if (!t) return fail(v + ": " + t.error());
        return t->key.service + "/" + t->key.transport;
    });
    if (!catalog) return catalog.failure();
    rep.catalog = std::move(*catalog);
    return rep;
}

}  // namespace

json to_json(const Report& r) {
    json instances = json::array();
    for (const auto& i : r.instances) instances.push_back(to_json(i));
    json j{{"agent", r.agent},
            {"boot", r.boot},
            {"seq", r.seq},
            {"at_ms", r.at_ms},
            {"serials", r.serials},
            {"host", {{"load1", r.host.load1}, {"cpu", r.host.cpu}, {"memory", r.host.memory}}},
            {"instances", instances}};
    if (r.addresses) j["addresses"] = *r.addresses;
    if (r.catalog) j["catalog"] = *r.catalog;
    return j;
}

Result<Report> report_from(const json& body) { return report_at(body, ""); }

json reports_body(const std::vector<Report>& reports) {
    json list = json::array();
    for (const auto& r : reports) list.push_back(to_json(r));
    return {{"reports", list}};
}

Result<std::vector<Report>> reports_from(const json& body) {
    if (auto r = only_fields(body, "body", {"reports"}); !r) return r.failure();
    auto it = body.find("reports");
    if (it == body.end() || !it->is_array()) return at("reports", "is required, an array of reports");
    if (it->size() > 10000) return at("reports", "more than 10000 reports in one request");
    std::vector<Report> out;
    out.reserve(it->size());
    for (size_t n = 0; n < it->size(); ++n) {
        auto r = report_at((*it)[n], "reports[" + std::to_string(n) + "]");
        if (!r) return r.failure();
        out.push_back(std::move(*r));
    }
    return out;
}

}  // namespace patchbay
