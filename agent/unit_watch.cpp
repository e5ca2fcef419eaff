#include "unit_watch.h"

#include <cstdlib>
#include <cstring>

#include "log.h"

namespace patchbay {

namespace {

constexpr const char* kDestination = "org.freedesktop.systemd1";
constexpr const char* kUnitPrefix = "/org/freedesktop/systemd1/unit";
constexpr const char* kUnitInterface = "org.freedesktop.systemd1.Unit";
constexpr const char* kServiceInterface = "org.freedesktop.systemd1.Service";

std::optional<uint64_t> read_u64_variant(sd_bus_message* m) {
    uint64_t v = 0;
    if (sd_bus_message_read(m, "v", "t", &v) < 0) return std::nullopt;
    return accounted(v);
}

}  // namespace

std::string unit_object_path(const std::string& unit) {
    char* path = nullptr;
    if (sd_bus_path_encode(kUnitPrefix, unit.c_str(), &path) < 0) return {};
    std::string out(path);
    std::free(path);
    return out;
}

std::optional<std::string> unit_of_object_path(const std::string& path) {
    char* name = nullptr;
    if (sd_bus_path_decode(path.c_str(), kUnitPrefix, &name) <= 0 || !name) return std::nullopt;
    std::string out(name);
    std::free(name);
    return out;
}

std::optional<uint64_t> accounted(uint64_t value) {
    if (value == UINT64_MAX) return std::nullopt;
    return value;
}

std::string failure_text(const std::string& result, int32_t code, int32_t status) {
    constexpr int32_t kExited = 1, kKilled = 2, kDumped = 3;  // CLD_* of <signal.h>
    auto signal_name = [](int32_t n) {
        const char* name = sigabbrev_np(n);
        return name ? std::string(name) : std::to_string(n);
    };
    if (result == "exit-code" || (result == "success" && code == kExited && status != 0))
        return "exit-code: status " + std::to_string(status);
    if (result == "signal" || (result == "success" && code == kKilled)) return "signal: " + signal_name(status);
    if (result == "core-dump" || (result == "success" && code == kDumped))
        return "core-dump: signal " + signal_name(status);
    if (result == "success") return "";
    return result;
}

std::string unit_error(const std::string& failure, const std::string& start_job_result) {
    if (!failure.empty()) return failure;
    if (start_job_result.empty() || start_job_result == "done") return "";
    return "start job: " + start_job_result;
}

bool state_change_matters(const std::string& before, const std::string& after) {
    return before != after;
}

bool unit_fell(const std::string& before, const std::string& after) {
    auto out = [](const std::string& s) { return s == "failed" || s == "inactive" || s == "deactivating"; };
    if (before == "active" && after == "activating") return true;  // killed; Restart= starts it again
    return out(after) && !out(before) && before != "unknown";
}

Result<std::unique_ptr<UnitWatch>> UnitWatch::create(sd_bus* bus, Changed changed) {
    std::unique_ptr<UnitWatch> w(new UnitWatch(bus, std::move(changed)));
    std::string rule = std::string("type='signal',sender='") + kDestination +
                       "',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',"
                       "path_namespace='" + kUnitPrefix + "',arg0='" + kUnitInterface + "'";
    sd_bus_slot* slot = nullptr;
    if (int r = sd_bus_add_match_async(bus, &slot, rule.c_str(), &UnitWatch::on_properties, nullptr, w.get()); r < 0)
        return fail(std::string("cannot watch unit states: ") + std::strerror(-r));
    w->match_.reset(slot);
    return w;
}

UnitWatch::~UnitWatch() {
    calls_.clear();
    match_.reset();
}

void UnitWatch::watch(const std::set<std::string>& units) {
    for (auto it = units_.begin(); it != units_.end();)
        it = units.count(it->first) ? std::next(it) : units_.erase(it);
    for (const auto& u : units)
        if (units_.emplace(u, Watched{UnitStatus{}, "", ""}).second) read_state(u);
}

void UnitWatch::refresh() {
    for (const auto& [unit, status] : units_) {
        read_state(unit);
        std::string u = unit;
        get(u, kServiceInterface, "MemoryCurrent", [this, u](sd_bus_message* m) {
            auto it = units_.find(u);
            if (it != units_.end()) it->second.status.memory_bytes = m ? read_u64_variant(m) : std::nullopt;
        });
        get(u, kServiceInterface, "CPUUsageNSec", [this, u](sd_bus_message* m) {
            auto it = units_.find(u);
            if (it != units_.end()) it->second.status.cpu_nsec = m ? read_u64_variant(m) : std::nullopt;
        });
    }
}

UnitStatus UnitWatch::status(const std::string& unit) const {
    auto it = units_.find(unit);
    return it == units_.end() ? UnitStatus{} : it->second.status;
}

void UnitWatch::start_job_ended(const std::string& unit, const std::string& result) {
    auto it = units_.find(unit);
    if (it == units_.end() || result == "done") return;  // done: the state says the rest
    it->second.start_job = result;
    set_error(unit, it->second);
}

void UnitWatch::set_error(const std::string& unit, Watched& w) {
    std::string error = unit_error(w.failure, w.start_job);
    if (error == w.status.error) return;
    w.status.error = std::move(error);
    changed_(unit, w.status.active_state, w.status.active_state);
}

void UnitWatch::read_state(const std::string& unit) {
    get(unit, kUnitInterface, "ActiveState", [this, unit](sd_bus_message* m) {
        const char* state = nullptr;
        // A unit systemd does not know (never loaded, or gone) is not running.
        if (!m || sd_bus_message_read(m, "v", "s", &state) < 0 || !state) return set_state(unit, "inactive");
        set_state(unit, state);
    });
}

void UnitWatch::set_state(const std::string& unit, const std::string& state) {
    auto it = units_.find(unit);
    if (it == units_.end()) return;
    Watched& w = it->second;
    std::string before = std::exchange(w.status.active_state, state);
    if (!state_change_matters(before, state)) return;
    if (state == "failed") read_failure(unit);
    else w.failure.clear();
    if (state == "active") w.start_job.clear();
    w.status.error = unit_error(w.failure, w.start_job);  // told with this change
    changed_(unit, before, state);
}

void UnitWatch::read_failure(const std::string& unit) {
    // Three Gets in a row; the reason is told as a change of the same state once known.
    get(unit, kServiceInterface, "Result", [this, unit](sd_bus_message* m) {
        const char* result = nullptr;
        if (!m || sd_bus_message_read(m, "v", "s", &result) < 0 || !result) return;
        get(unit, kServiceInterface, "ExecMainCode", [this, unit, r = std::string(result)](sd_bus_message* mc) {
            int32_t code = 0;
            if (mc && sd_bus_message_read(mc, "v", "i", &code) < 0) code = 0;
            get(unit, kServiceInterface, "ExecMainStatus", [this, unit, r, code](sd_bus_message* ms) {
                int32_t status = 0;
                if (ms && sd_bus_message_read(ms, "v", "i", &status) < 0) status = 0;
                auto it = units_.find(unit);
                if (it == units_.end() || it->second.status.active_state != "failed") return;
                it->second.failure = failure_text(r, code, status);
                set_error(unit, it->second);
            });
        });
    });
}

void UnitWatch::get(const std::string& unit, const char* interface, const char* property,
                    std::function<void(sd_bus_message*)> reply) {
    auto& call = calls_.emplace_back(std::make_unique<Call>(Call{this, std::move(reply), nullptr}));
    sd_bus_slot* slot = nullptr;
    std::string path = unit_object_path(unit);
    int r = sd_bus_call_method_async(bus_, &slot, kDestination, path.c_str(), "org.freedesktop.DBus.Properties",
                                     "Get", &UnitWatch::on_reply, call.get(), "ss", interface, property);
    if (r < 0) {
        auto failed = std::move(calls_.back());
        calls_.pop_back();
        failed->reply(nullptr);
        return;
    }
    call->slot.reset(slot);
}

int UnitWatch::on_reply(sd_bus_message* m, void* data, sd_bus_error*) {
    auto* call = static_cast<Call*>(data);
    UnitWatch* self = call->owner;
    auto reply = std::move(call->reply);
    self->calls_.remove_if([call](const std::unique_ptr<Call>& c) { return c.get() == call; });
    try {
        reply(sd_bus_message_is_method_error(m, nullptr) ? nullptr : m);
    } catch (const std::exception& e) {
        log_error(std::string("internal error after a unit property: ") + e.what());
    }
    return 0;
}

int UnitWatch::on_properties(sd_bus_message* m, void* data, sd_bus_error*) {
    auto* self = static_cast<UnitWatch*>(data);
    const char* path = sd_bus_message_get_path(m);
    auto unit = path ? unit_of_object_path(path) : std::nullopt;
    if (!unit || !self->units_.count(*unit)) return 0;
    const char* interface = nullptr;
    if (sd_bus_message_read(m, "s", &interface) < 0) return 0;
    if (sd_bus_message_enter_container(m, 'a', "{sv}") < 0) return 0;
    while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
        const char* name = nullptr;
        if (sd_bus_message_read(m, "s", &name) < 0) return 0;
        if (std::strcmp(name, "ActiveState") == 0) {
            const char* state = nullptr;
            if (sd_bus_message_read(m, "v", "s", &state) < 0 || !state) return 0;
            try {
                self->set_state(*unit, state);
            } catch (const std::exception& e) {
                log_error(std::string("internal error after a unit state change: ") + e.what());
            }
        } else if (sd_bus_message_skip(m, "v") < 0) {
            return 0;
        }
        if (sd_bus_message_exit_container(m) < 0) return 0;
    }
    return 0;
}

}  // namespace patchbay
