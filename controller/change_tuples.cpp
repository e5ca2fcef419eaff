#include "change_tuples.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

namespace patchbay {

namespace {

using nlohmann::json;

json keys_json(const std::vector<TupleKey>& keys) {
    json out = json::array();
    for (const auto& k : keys) out.push_back(json::array({k.service, k.transport, k.address.str(), k.port}));
    return out;
}

std::vector<TupleKey> keys_from(const json& list) {
    std::vector<TupleKey> out;
    if (!list.is_array()) return out;
    for (const auto& k : list) {
        if (!k.is_array() || k.size() != 4 || !k[0].is_string() || !k[1].is_string() || !k[2].is_string() ||
            !k[3].is_number_unsigned() || k[3].get<uint64_t>() > 65535)
            continue;
        auto address = Address::parse(k[2].get<std::string>());
        if (!address) continue;
        out.push_back({k[0].get<std::string>(), k[1].get<std::string>(), *address, k[3].get<uint16_t>()});
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

ChangeTuples tuples_touched(const std::vector<Tuple>& before, const std::vector<Tuple>& after) {
    std::map<TupleKey, const Tuple*> old;
    for (const auto& t : before) old[t.key] = &t;
    ChangeTuples out;
    for (const auto& t : after) {
        auto it = old.find(t.key);
        if (it == old.end() || !(*it->second == t)) out.placed.push_back(t.key);
        if (it != old.end()) old.erase(it);
    }
    for (const auto& [key, t] : old) out.removed.push_back(key);
    std::sort(out.placed.begin(), out.placed.end());
    return out;
}

std::string change_tuples_text(const ChangeTuples& tuples) {
    if (tuples.placed.empty() && tuples.removed.empty()) return "";
    return json{{"placed", keys_json(tuples.placed)}, {"removed", keys_json(tuples.removed)}}.dump();
}

ChangeTuples change_tuples_from(std::string_view text) {
    if (text.empty()) return {};
    auto j = json::parse(text, nullptr, false);
    if (!j.is_object()) return {};
    return {keys_from(j.value("placed", json())), keys_from(j.value("removed", json()))};
}

}  // namespace patchbay
