#include "systemd.h"

#include <cstring>

#include "log.h"
#include "unit_name.h"

namespace patchbay {

namespace {

constexpr const char* kDestination = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";

std::string bus_error_text(const sd_bus_error* e, int r) {
    if (e && sd_bus_error_is_set(e))
        return std::string(e->name) + (e->message ? std::string(": ") + e->message : "");
    return std::strerror(r < 0 ? -r : r);
}

}  // namespace

Result<std::unique_ptr<SystemdClient>> SystemdClient::connect(sd_event* event, JobRemoved on_job) {
    std::unique_ptr<SystemdClient> c(new SystemdClient(std::move(on_job)));
    sd_bus* bus = nullptr;
    if (int r = sd_bus_open_system(&bus); r < 0)
        return fail(std::string("cannot connect to the system bus: ") + std::strerror(-r));
    c->bus_.reset(bus);
    if (int r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL); r < 0)
        return fail(std::string("cannot attach the bus to the loop: ") + std::strerror(-r));
    sd_bus_slot* slot = nullptr;
    if (int r = sd_bus_match_signal_async(bus, &slot, kDestination, kPath, kManager, "JobRemoved",
                                          &SystemdClient::on_job_removed, nullptr, c.get());
        r < 0)
        return fail(std::string("cannot subscribe to JobRemoved: ") + std::strerror(-r));
    c->job_removed_.reset(slot);
    // systemd sends most Manager signals only once some client has called Subscribe().
    c->call("Subscribe", nullptr, [](sd_bus_message*, const sd_bus_error* e) {
        if (e && sd_bus_error_is_set(e))
            log_warning("systemd Subscribe failed: " + bus_error_text(e, 0));
    });
    return c;
}

SystemdClient::~SystemdClient() {
    calls_.clear();  // unref the slots first: no reply callback may outlive us
    job_removed_.reset();
}

void SystemdClient::call(const char* method, const std::function<int(sd_bus_message*)>& build,
                         std::function<void(sd_bus_message*, const sd_bus_error*)> reply) {
    sd_bus_message* raw = nullptr;
    int r = sd_bus_message_new_method_call(bus_.get(), &raw, kDestination, kPath, kManager, method);
    BusMessagePtr m(raw);
    if (r >= 0 && build) r = build(m.get());
    auto& entry = calls_.emplace_back(std::make_unique<Call>(Call{this, std::move(reply), nullptr}));
    sd_bus_slot* slot = nullptr;
    if (r >= 0) r = sd_bus_call_async(bus_.get(), &slot, m.get(), &SystemdClient::on_reply, entry.get(), 0);
    if (r < 0) {
        auto failed = std::move(calls_.back());
        calls_.pop_back();
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_error_set_errno(&e, r);
        failed->reply(nullptr, &e);
        sd_bus_error_free(&e);
        return;
    }
    entry->slot.reset(slot);
}

int SystemdClient::on_reply(sd_bus_message* m, void* data, sd_bus_error*) {
    auto* call = static_cast<Call*>(data);
    SystemdClient* self = call->owner;
    auto reply = std::move(call->reply);
    // Forget the call before running its continuation, which may well send new calls.
    // (sd-bus holds its own reference to the slot while dispatching.)
    self->calls_.remove_if([call](const std::unique_ptr<Call>& c) { return c.get() == call; });
    try {
        const sd_bus_error* e = sd_bus_message_get_error(m);
        reply(m, e && sd_bus_error_is_set(e) ? e : nullptr);
    } catch (const std::exception& ex) {
        log_error(std::string("internal error after a systemd reply: ") + ex.what());
    }
    return 0;
}

int SystemdClient::on_job_removed(sd_bus_message* m, void* data, sd_bus_error*) {
    auto* self = static_cast<SystemdClient*>(data);
    uint32_t id = 0;
    const char *job = nullptr, *unit = nullptr, *result = nullptr;
    if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) < 0) return 0;
    try {
        self->on_job_(job, unit, result);
    } catch (const std::exception& ex) {
        log_error(std::string("internal error after JobRemoved: ") + ex.what());
    }
    return 0;
}

void SystemdClient::list_instances(const std::vector<CatalogEntry>& catalog,
                                   std::function<void(Result<std::vector<RunningInstance>>)> done) {
    std::vector<std::string> patterns;
    for (const auto& entry : catalog) {
        // "patchbay-http@.service" ⇒ "patchbay-http@*.service"
        std::string p = entry.unit_template;
        p.insert(p.find('@') + 1, "*");
        patterns.push_back(p);
    }
    auto build = [patterns](sd_bus_message* m) {
        const char* states[] = {"active", "activating", "reloading", nullptr};
        int r = sd_bus_message_append_strv(m, const_cast<char**>(states));
        if (r < 0) return r;
        std::vector<const char*> p;
        for (const auto& s : patterns) p.push_back(s.c_str());
        p.push_back(nullptr);
        return sd_bus_message_append_strv(m, const_cast<char**>(p.data()));
    };
    call("ListUnitsByPatterns", build,
         [catalog, done = std::move(done)](sd_bus_message* m, const sd_bus_error* e) {
             if (e) return done(fail("ListUnitsByPatterns: " + bus_error_text(e, 0)));
             std::vector<RunningInstance> out;
             int r = sd_bus_message_enter_container(m, 'a', "(ssssssouso)");
             while (r >= 0) {
                 const char *name, *desc, *load, *active, *sub, *following, *path, *jobtype, *jobpath;
                 uint32_t jobid;
                 r = sd_bus_message_read(m, "(ssssssouso)", &name, &desc, &load, &active, &sub,
                                         &following, &path, &jobid, &jobtype, &jobpath);
                 if (r <= 0) break;
                 for (const auto& entry : catalog)
                     if (auto key = parse_instance_unit(entry.unit_template, entry.service, name))
                         out.push_back({name, *key});
             }
             if (r < 0) return done(fail(std::string("ListUnitsByPatterns reply: ") + std::strerror(-r)));
             done(std::move(out));
         });
}

void SystemdClient::unit_job(const char* method, const std::string& unit,
                             std::function<void(Result<std::string>)> done) {
    bool is_stop = std::strcmp(method, "StopUnit") == 0;
    std::string what = std::string(method) + " " + unit;
    call(method, [unit](sd_bus_message* m) { return sd_bus_message_append(m, "ss", unit.c_str(), "replace"); },
         [is_stop, what, done = std::move(done)](sd_bus_message* m, const sd_bus_error* e) {
             if (e) {
                 // systemd forgets a stopped template instance: stopping it again is a no-op.
                 if (is_stop && sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit"))
                     return done(std::string());
                 return done(fail(what + ": " + bus_error_text(e, 0)));
             }
             const char* job = nullptr;
             if (int r = sd_bus_message_read(m, "o", &job); r < 0)
                 return done(fail(what + ": bad reply: " + std::strerror(-r)));
             done(std::string(job));
         });
}

void SystemdClient::start_unit(const std::string& unit, std::function<void(Result<std::string>)> done) {
    unit_job("StartUnit", unit, std::move(done));
}

void SystemdClient::stop_unit(const std::string& unit, std::function<void(Result<std::string>)> done) {
    unit_job("StopUnit", unit, std::move(done));
}

}  // namespace patchbay
