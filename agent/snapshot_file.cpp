#include "snapshot_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "atomic_file.h"

namespace patchbay {

namespace {

using nlohmann::json;

constexpr int kVersion = 1;

Result<Tuple> tuple_from(const std::string& domain, const json& j, const std::string& where) {
    if (!j.is_object()) return fail(where + ": must be an object");
    auto text = [&](const char* field) -> std::string {
        auto it = j.find(field);
        if (it == j.end()) return "";
        if (it->is_string()) return it->get<std::string>();
        if (it->is_number_unsigned()) return std::to_string(it->get<uint64_t>());
        return "?";
    };
    auto t = parse_tuple(domain, text("service"), text("transport"), text("address"), text("port"), text("priority"),
                         text("weight"), text("target"));
    if (!t) return fail(where + ": " + t.error());
    return t;
}

}  // namespace

std::string snapshot_file_text(const std::vector<KnownSnapshot>& snapshots) {
    json domains = json::array();
    for (const auto& s : snapshots) {
        json tuples = json::array();
        for (const auto& t : s.tuples)
            tuples.push_back({{"service", t.key.service}, {"transport", t.key.transport},
                              {"address", t.key.address.str()}, {"port", t.key.port}, {"priority", t.priority},
                              {"weight", t.weight}, {"target", t.target}});
        domains.push_back({{"domain", s.domain}, {"serial", s.serial}, {"tuples", tuples}});
    }
    return json{{"version", kVersion}, {"domains", domains}}.dump() + "\n";
}

Result<std::vector<KnownSnapshot>> snapshot_file_from(std::string_view text) {
    auto j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail("not a JSON object");
    if (j.value("version", json()) != kVersion) return fail("version: must be " + std::to_string(kVersion));
    auto domains = j.find("domains");
    if (domains == j.end() || !domains->is_array()) return fail("domains: must be an array");
    std::vector<KnownSnapshot> out;
    for (size_t n = 0; n < domains->size(); ++n) {
        const json& d = (*domains)[n];
        std::string where = "domains[" + std::to_string(n) + "]";
        if (!d.is_object() || !d.contains("domain") || !d["domain"].is_string())
            return fail(where + ".domain: must be a string");
        if (!d.contains("serial") || !d["serial"].is_number_unsigned() || d["serial"].get<uint64_t>() > 0xffffffffu)
            return fail(where + ".serial: must be a whole number 0..4294967295");
        if (!d.contains("tuples") || !d["tuples"].is_array()) return fail(where + ".tuples: must be an array");
        KnownSnapshot s;
        s.serial = d["serial"].get<uint32_t>();
        const json& tuples = d["tuples"];
        for (size_t i = 0; i < tuples.size(); ++i) {
            auto t = tuple_from(d["domain"].get<std::string>(), tuples[i], where + ".tuples[" + std::to_string(i) + "]");
            if (!t) return t.failure();
            s.tuples.push_back(std::move(*t));
        }
        auto name = parse_tuple(d["domain"].get<std::string>(), "x", "tcp", "127.0.0.1", "1");
        if (!name) return fail(where + ".domain: " + name.error());
        s.domain = name->domain;
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<KnownSnapshot> starting_snapshots(const std::vector<KnownSnapshot>& loaded,
                                              const std::vector<std::string>& domains) {
    std::vector<KnownSnapshot> out;
    for (const auto& domain : domains) {
        // A file written by hand could name a domain twice: the first one counts.
        auto it = std::find_if(loaded.begin(), loaded.end(), [&](const auto& s) { return s.domain == domain; });
        if (it != loaded.end()) out.push_back(*it);
    }
    return out;
}

std::string describe_snapshots(const std::vector<KnownSnapshot>& snapshots) {
    std::string out;
    for (const auto& s : snapshots)
        out += (out.empty() ? "" : ", ") + s.domain + " serial " + std::to_string(s.serial) + " (" +
               std::to_string(s.tuples.size()) + " tuples)";
    return out;
}

Result<std::optional<std::vector<KnownSnapshot>>> load_snapshot_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (errno == ENOENT) return std::optional<std::vector<KnownSnapshot>>();
        return fail(path + ": " + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto snapshots = snapshot_file_from(text.str());
    if (!snapshots) return fail(path + ": " + snapshots.error());
    return std::optional<std::vector<KnownSnapshot>>(std::move(*snapshots));
}

Result<void> save_snapshot_file(const std::string& path, const std::vector<KnownSnapshot>& snapshots) {
    return write_atomically(path, path + ".tmp", snapshot_file_text(snapshots));
}

}  // namespace patchbay
