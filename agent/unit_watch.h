// The systemd state of the instances this host runs, known within moments: a match on
// PropertiesChanged of org.freedesktop.systemd1.Unit under /org/freedesktop/systemd1/unit
// tells us the moment an instance's ActiveState moves (a killed main process makes it
// "failed" or "activating" at once), and a Get per instance reads its state when it is
// first watched and, on refresh(), its MemoryCurrent and CPUUsageNSec (systemd does not
// signal those). Needs the SystemdClient's Subscribe (systemd.h), already made.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "handles.h"
#include "result.h"

namespace patchbay {

struct UnitStatus {
    std::string active_state = "unknown";  // until systemd said
    std::optional<uint64_t> memory_bytes;
    std::optional<uint64_t> cpu_nsec;
    // Why it is not running, in systemd's words (unit_error): while failed, or after a
    // start job of ours that did not end "done", until it is active again.
    std::string error;
    bool operator==(const UnitStatus&) const = default;
};

// Why a failed service failed, from its Service properties Result, ExecMainCode
// (CLD_EXITED 1, CLD_KILLED 2, CLD_DUMPED 3) and ExecMainStatus: "exit-code: status 1",
// "signal: KILL", "core-dump: signal SEGV", or the Result as systemd says it ("timeout",
// "start-limit-hit", "oom-kill"). Pure.
std::string failure_text(const std::string& result, int32_t code, int32_t status);

// The error an instance reports: the unit's own reason (failure_text) when systemd gave
// one, else "start job: RESULT" when our StartUnit job ended otherwise than "done" (a
// failed dependency leaves the unit inactive, with no Result of its own). Pure.
std::string unit_error(const std::string& failure, const std::string& start_job_result);

// The D-Bus object path of a unit and back (sd_bus_path_encode/decode under
// /org/freedesktop/systemd1/unit); nullopt for a path that is not a unit's.
std::string unit_object_path(const std::string& unit);
std::optional<std::string> unit_of_object_path(const std::string& path);
// systemd says "not accounted" with UINT64_MAX. Pure.
std::optional<uint64_t> accounted(uint64_t value);
// Whether an ActiveState change is news for the controller: every move is (active ⇒
// deactivating/failed/activating means the service is going or gone; back to active
// means it returned; unknown ⇒ anything is the first word from systemd); the same state
// said again is not. Pure.
bool state_change_matters(const std::string& before, const std::string& after);

// Whether a move takes a unit that ran (or was starting) out of service: to failed,
// inactive or deactivating from anything else systemd said, or active ⇒ activating (its
// process died and Restart= starts it again). Pure.
bool unit_fell(const std::string& before, const std::string& after);

class UnitWatch {
public:
    // A unit's ActiveState moved (before, after).
    using Changed = std::function<void(const std::string& unit, const std::string& before, const std::string& after)>;

    // Errors: the match could not be installed.
    static Result<std::unique_ptr<UnitWatch>> create(sd_bus* bus, Changed changed);
    UnitWatch(const UnitWatch&) = delete;
    UnitWatch& operator=(const UnitWatch&) = delete;
    ~UnitWatch();

    // Watches exactly `units` from now on (new ones are read at once).
    void watch(const std::set<std::string>& units);
    // Reads memory and CPU (and the state, in case a signal was missed) of every unit.
    void refresh();
    // What is known of `unit` (default: unknown).
    UnitStatus status(const std::string& unit) const;
    // A start job of ours for `unit` ended with `result` (JobRemoved): anything but "done"
    // is kept as the unit's error until it is active again, told as a change of the same state.
    void start_job_ended(const std::string& unit, const std::string& result);

private:
    struct Watched {
        UnitStatus status;
        std::string failure;    // failure_text while failed
        std::string start_job;  // result of a start job not "done", until active
    };
    struct Call {
        UnitWatch* owner;
        std::function<void(sd_bus_message*)> reply;  // nullptr message: the call failed
        BusSlotPtr slot;
    };
    UnitWatch(sd_bus* bus, Changed changed) : bus_(bus), changed_(std::move(changed)) {}
    void get(const std::string& unit, const char* interface, const char* property,
             std::function<void(sd_bus_message*)> reply);
    void read_state(const std::string& unit);
    void read_failure(const std::string& unit);
    void set_state(const std::string& unit, const std::string& state);
    // Recomputes the error of `w` and tells a change as the same state again.
    void set_error(const std::string& unit, Watched& w);
    static int on_properties(sd_bus_message* m, void* self, sd_bus_error* error);
    static int on_reply(sd_bus_message* m, void* data, sd_bus_error* error);

    sd_bus* bus_;
    Changed changed_;
    std::map<std::string, Watched> units_;
    BusSlotPtr match_;
    std::list<std::unique_ptr<Call>> calls_;
};

}  // namespace patchbay
