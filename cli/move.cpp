#include "move.h"

#include <chrono>
#include <iostream>
#include <thread>

#include "api_client.h"
#include "span.h"
#include "wait.h"

namespace patchbay {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string key_text(const TupleKey& k) { return k.str(); }

json tuple_body(const Tuple& t) {
    return {{"service", t.key.service}, {"transport", t.key.transport}, {"address", t.key.address.str()},
            {"port", t.key.port},       {"priority", t.priority},       {"weight", t.weight}};
}

std::string tuple_path(const Tuple& t) {
    return "/v1/zones/" + ApiClient::segment(t.domain) + "/tuples/" + ApiClient::segment(t.key.service) + "/" +
           ApiClient::segment(t.key.transport) + "/" + ApiClient::segment(t.key.address.str()) + "/" +
           std::to_string(t.key.port);
}

int64_t since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

}  // namespace

Result<std::vector<MoveStep>> plan_move(const json& tuples, const std::string& domain, const std::string& service,
                                        const std::string& transport, const std::string& from, const std::string& to) {
    std::optional<Address> from_address;
    std::optional<uint16_t> from_port;
    if (auto a = Address::parse(from)) {
        from_address = *a;
    } else if (auto ep = Endpoint::parse(from)) {
        from_address = ep->address;
        from_port = ep->port;
    } else {
        return fail("FROM: '" + from + "' is not an ADDRESS or ADDRESS:PORT");
    }
    auto to_address = Address::parse(to);
    if (!to_address) return fail("TO: " + to_address.error());
    if (*to_address == *from_address) return fail("FROM and TO are the same address");
    std::vector<Tuple> all;
    for (const auto& t : tuples.is_array() ? tuples : json::array()) {
        auto tuple = parse_tuple(t.value("zone", domain), t.value("service", ""), t.value("transport", ""),
                                 t.value("address", ""), std::to_string(t.value("port", 0)),
                                 std::to_string(t.value("priority", 1)), std::to_string(t.value("weight", 100)),
                                 t.value("target", ""));
        if (tuple) all.push_back(std::move(*tuple));
    }
    std::vector<MoveStep> steps;
    for (const auto& t : all) {
        if (t.key.service != service || t.key.transport != transport || t.key.address != *from_address) continue;
        if (from_port && t.key.port != *from_port) continue;
        if (!t.target.empty())
            return fail(key_text(t.key) + " has an explicit target (" + t.target + "): move it by hand");
        Tuple moved = t;
        moved.key.address = *to_address;
        for (const auto& other : all)
            if (other.key == moved.key) return fail(key_text(moved.key) + " is in " + domain + " already");
        steps.push_back({t, moved});
    }
    if (steps.empty())
        return fail(ErrorKind::not_found, "no " + service + "/" + transport + " tuple on " + from + " in " + domain);
    return steps;
}

std::string instance_state(const json& server, const std::string& zone, const TupleKey& key) {
    for (const auto& i : server.value("instances", json::array()))
        if (i.value("domain", "") == zone && i.value("service", "") == key.service &&
            i.value("transport", "") == key.transport && i.value("address", "") == key.address.str() &&
            i.value("port", 0) == key.port)
            return i.value("state", "unknown");
    return "";
}

int run_move(const Invocation& inv, const ApiClient& client, const json& tuples) {
    const auto start = Clock::now();
    const auto& a = inv.args;
    auto steps = plan_move(tuples, a[0], a[1], a[2], a[3], a[4]);
    if (!steps) {
        std::cerr << "patchbay: " << steps.error() << "\n";
        return steps.kind() == ErrorKind::not_found ? kExitNotFound : kExitUsage;
    }
    int64_t timeout_ms = kDefaultWaitMs;
    if (auto it = inv.options.find("timeout"); it != inv.options.end()) timeout_ms = *parse_span(it->second, "--timeout");
    auto left = [&] { return std::max<int64_t>(timeout_ms - since(start), 0); };
    auto call = [&](const std::string& method, const std::string& path, const json* body) -> Result<json> {
        auto answer = client.call(method, path, body);
        if (!answer) return answer.failure();
        if (answer->status / 100 != 2)
            return fail(method + " " + path + ": HTTP " + std::to_string(answer->status) +
                        (answer->body.is_object() ? ": " + answer->body.value("error", std::string()) : ""));
        return answer->body;
    };
    // Take back what this move placed: the old tuples were never touched.
    std::vector<Tuple> placed;
    auto roll_back = [&](const std::string& why) {
        std::string undone = placed.empty() ? "nothing was placed" : "the new tuple was removed";
        for (const auto& t : placed)
            if (auto r = call("DELETE", tuple_path(t), nullptr); !r)
                undone = "removing the new tuple failed too (" + r.error() + ")";
        std::cerr << "patchbay: move failed: " << why << "; " << undone << ", " << a[3] << " keeps running\n";
        return kExitNotConverged;
    };

    // 1. The new tuples, and every host serving the zone running them.
    std::vector<int64_t> changes;
    for (const auto& s : *steps) {
        json body = tuple_body(s.to);
        auto added = call("POST", "/v1/zones/" + ApiClient::segment(s.to.domain) + "/tuples", &body);
        if (!added) return roll_back(added.error());
        placed.push_back(s.to);
        std::cout << "placed " << key_text(s.to.key) << " in " << s.to.domain << "\n" << std::flush;
        for (int64_t id : changes_to_wait_for(*added)) changes.push_back(id);
    }
    std::vector<std::string> hosts;
    for (int64_t id : changes) {
        json last;
        WaitVerdict v = wait_for_change(client, id, left(), last);
        if (v.exit_code != kExitOk) return roll_back("the new tuple did not start everywhere:\n" + v.text);
        for (const auto& h : last.value("hosts", json::array())) hosts.push_back(h.value("server", ""));
    }
    // 2. Up and healthy as the watchdog judges it (probes included), on some host.
    for (const auto& s : *steps) {
        std::string where, state;
        while (where.empty()) {
            for (const auto& host : hosts) {
                auto server = call("GET", "/v1/servers/" + ApiClient::segment(host), nullptr);
                if (!server) continue;
                state = instance_state(*server, s.to.domain, s.to.key);
                if (state == "up") where = host;
                if (!where.empty()) break;
            }
            if (!where.empty()) break;
            if (left() == 0)
                return roll_back(key_text(s.to.key) + " was not up within " + span_text(timeout_ms) +
                                 (state.empty() ? " (no host reports it: is " + a[4] + " bound on a host serving " +
                                                      s.to.domain + "?)"
                                                : " (it is " + state + ")"));
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        std::cout << key_text(s.to.key) << " is up on " << where << " after " << since(start) << " ms\n" << std::flush;
    }
    // 3. Only now the old ones go.
    std::vector<int64_t> removals;
    for (const auto& s : *steps) {
        auto removed = call("DELETE", tuple_path(s.from), nullptr);
        if (!removed) {
            std::cerr << "patchbay: " << removed.error() << "; " << key_text(s.from.key) << " is still placed\n";
            return kExitFailed;
        }
        std::cout << "removed " << key_text(s.from.key) << " from " << s.from.domain << "\n" << std::flush;
        for (int64_t id : changes_to_wait_for(*removed)) removals.push_back(id);
    }
    int code = kExitOk;
    if (inv.wait) {
        for (int64_t id : removals) {
            json last;
            WaitVerdict v = wait_for_change(client, id, left(), last);
            (v.exit_code == kExitOk ? std::cout : std::cerr) << v.text;
            if (v.exit_code != kExitOk) code = v.exit_code;
        }
    }
    std::cout << "moved " << steps->size() << (steps->size() == 1 ? " tuple" : " tuples") << " from " << a[3] << " to "
              << a[4] << " in " << (*steps)[0].from.domain << " in " << since(start) << " ms\n";
    return code;
}

}  // namespace patchbay
