// systemd's Manager over sd-bus, asynchronously on the agent's loop: list the running
// instances of the catalog's templates, start and stop instances, and hear JobRemoved.
// What runs is always read from the bus, never assumed from what we asked for.
#pragma once

#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "handles.h"
#include "reconcile.h"
#include "result.h"

namespace patchbay {

class SystemdClient {
public:
    // A job finished: its object path, its unit and systemd's result ("done", "failed",
    // "canceled", "timeout", "dependency", "skipped").
    using JobRemoved = std::function<void(const std::string& job, const std::string& unit,
                                          const std::string& result)>;

    // Connects to the system bus (DBUS_SYSTEM_BUS_ADDRESS is honoured), attaches it to
    // `event` and subscribes to JobRemoved. Errors: no bus.
    static Result<std::unique_ptr<SystemdClient>> connect(sd_event* event, JobRemoved on_job);
    SystemdClient(const SystemdClient&) = delete;
    SystemdClient& operator=(const SystemdClient&) = delete;
    ~SystemdClient();

    // The instances of `catalog`'s templates that are active, activating or reloading
    // (ListUnitsByPatterns), as reconcile's `running`.
    void list_instances(const std::vector<CatalogEntry>& catalog,
                        std::function<void(Result<std::vector<RunningInstance>>)> done);
    // StartUnit/StopUnit(unit, "replace"); `done` gets the job path. For a stop,
    // NoSuchUnit means the instance is already inactive: success with an empty job path.
    void start_unit(const std::string& unit, std::function<void(Result<std::string>)> done);
    void stop_unit(const std::string& unit, std::function<void(Result<std::string>)> done);
    // The connection, for watchers of unit properties (unit_watch.h); owned here.
    sd_bus* bus() const { return bus_.get(); }

private:
    struct Call {
        SystemdClient* owner;
        std::function<void(sd_bus_message*, const sd_bus_error*)> reply;
        BusSlotPtr slot;
    };

    explicit SystemdClient(JobRemoved on_job) : on_job_(std::move(on_job)) {}
    // Sends one method call of org.freedesktop.systemd1.Manager; `build` appends arguments.
    void call(const char* method, const std::function<int(sd_bus_message*)>& build,
              std::function<void(sd_bus_message*, const sd_bus_error*)> reply);
    void unit_job(const char* method, const std::string& unit,
                  std::function<void(Result<std::string>)> done);
    static int on_reply(sd_bus_message* m, void* data, sd_bus_error* error);
    static int on_job_removed(sd_bus_message* m, void* data, sd_bus_error* error);

    JobRemoved on_job_;
    BusPtr bus_;
    BusSlotPtr job_removed_;
    std::list<std::unique_ptr<Call>> calls_;  // in flight; dropping one cancels its reply
};

}  // namespace patchbay
