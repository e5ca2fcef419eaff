#include "convergence.h"

#include <algorithm>

#include "transfer.h"

namespace patchbay {

namespace {

using nlohmann::json;

const InstanceStatus* find_instance(const ServerStatus& s, const std::string& zone, const TupleKey& key) {
    for (const auto& i : s.instances)
        if (i.instance.domain == zone && i.instance.key == key) return &i;
    return nullptr;
}

std::string unit_of(const InstanceStatus& i) { return i.seen.unit.empty() ? i.instance.key.str() : i.seen.unit; }

ChangeHost judge(const ChangeRow& change, const ServerStatus& s, uint32_t reported) {
    ChangeHost h{s.name, reported, Progress::pending, "", s.last_report_ms};
    if (reported != change.serial && !serial_newer(reported, change.serial)) {
        h.detail = "at serial " + std::to_string(reported);
        return h;
    }
    std::vector<std::string> failed, waiting;
    for (const auto& key : change.tuples.placed) {
        const InstanceStatus* i = find_instance(s, change.zone, key);
        if (!i) continue;  // not one of this host's addresses
        const std::string& state = i->seen.active_state;
        if (state == "active") continue;
        // An error without "failed": a start job that failed on a dependency leaves the
        // unit inactive; the agent reports why (start job: dependency).
        if (state == "failed" || !i->seen.error.empty())
            failed.push_back(unit_of(*i) + " " + (state == "failed" ? "failed" : state) +
                             (i->seen.error.empty() ? "" : ": " + i->seen.error));
        else
            waiting.push_back(unit_of(*i) + " " + (state.empty() ? "not reported yet" : state));
    }
    for (const auto& key : change.tuples.removed)
        if (const InstanceStatus* i = find_instance(s, change.zone, key)) waiting.push_back(unit_of(*i) + " still placed");
    auto join = [](const std::vector<std::string>& parts) {
        std::string out;
        for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
        return out;
    };
    if (!failed.empty()) {
        h.progress = Progress::failed;
        h.detail = join(failed);
    } else if (!waiting.empty()) {
        h.detail = join(waiting);
    } else {
        h.progress = Progress::applied;
    }
    return h;
}

json keys_json(const std::vector<TupleKey>& keys) {
    json out = json::array();
    for (const auto& k : keys) out.push_back(k.str());
    return out;
}

}  // namespace

const char* progress_name(Progress p) {
    switch (p) {
        case Progress::applied: return "applied";
        case Progress::failed: return "failed";
        case Progress::pending: break;
    }
    return "pending";
}

std::vector<ChangeHost> change_hosts(const ChangeRow& change, const std::vector<ServerStatus>& servers) {
    std::vector<ChangeHost> out;
    for (const auto& s : servers) {
        auto it = s.serials.find(change.zone);
        if (it != s.serials.end()) out.push_back(judge(change, s, it->second));
    }
    std::sort(out.begin(), out.end(), [](const ChangeHost& a, const ChangeHost& b) { return a.server < b.server; });
    return out;
}

Progress change_progress(const std::vector<ChangeHost>& hosts) {
    bool failed = false;
    for (const auto& h : hosts) {
        if (h.progress == Progress::pending) return Progress::pending;
        failed = failed || h.progress == Progress::failed;
    }
    return failed ? Progress::failed : Progress::applied;
}

json change_json(const ChangeRow& c, const std::vector<ChangeHost>& hosts) {
    json h = json::array();
    for (const auto& host : hosts) {
        json one{{"server", host.server},
                 {"serial", host.serial},
                 {"applied", host.progress == Progress::applied},
                 {"status", progress_name(host.progress)},
                 {"last_report_ms", host.last_report_ms}};
        if (!host.detail.empty()) one["detail"] = host.detail;
        h.push_back(std::move(one));
    }
    return {{"id", c.id},
            {"at_ms", c.at_ms},
            {"zone", c.zone},
            {"account", c.account},
            {"serial", c.serial},
            {"action", c.action},
            {"detail", c.detail},
            {"author", c.author},
            {"status", progress_name(change_progress(hosts))},
            {"placed", keys_json(c.tuples.placed)},
            {"removed", keys_json(c.tuples.removed)},
            {"hosts", h}};
}

}  // namespace patchbay
