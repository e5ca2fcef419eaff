// The unit watch against a stand-in for systemd on a private dbus-daemon: it owns the
// name org.freedesktop.systemd1 and serves ActiveState (with PropertiesChanged),
// MemoryCurrent and CPUUsageNSec under /org/freedesktop/systemd1/unit. No systemd needed.
#include <catch2/catch.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <map>

#include "event_loop.h"
#include "unit_watch.h"

using namespace patchbay;
using patchbay::test::Loop;
using patchbay::test::TempDir;

extern char** environ;

namespace {

struct FakeSystemd {
    std::map<std::string, std::string> states;
    uint64_t memory = 123456;
    uint64_t cpu = UINT64_MAX;  // not accounted
    std::string result = "exit-code";  // why the main process ended (Service.Result)
    int32_t code = 1, status = 3;      // CLD_EXITED, exit status 3
};

FakeSystemd* fake_of(void* userdata) { return static_cast<FakeSystemd*>(userdata); }

int get_state(sd_bus*, const char* path, const char*, const char*, sd_bus_message* reply, void* userdata,
              sd_bus_error*) {
    auto unit = unit_of_object_path(path);
    auto& states = fake_of(userdata)->states;
    auto it = unit ? states.find(*unit) : states.end();
    return sd_bus_message_append(reply, "s", it == states.end() ? "inactive" : it->second.c_str());
}

int get_memory(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void* userdata, sd_bus_error*) {
    return sd_bus_message_append(reply, "t", fake_of(userdata)->memory);
}

int get_cpu(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void* userdata, sd_bus_error*) {
    return sd_bus_message_append(reply, "t", fake_of(userdata)->cpu);
}

int get_result(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void* userdata, sd_bus_error*) {
    return sd_bus_message_append(reply, "s", fake_of(userdata)->result.c_str());
}

int get_code(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void* userdata, sd_bus_error*) {
    return sd_bus_message_append(reply, "i", fake_of(userdata)->code);
}

int get_status(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void* userdata, sd_bus_error*) {
    return sd_bus_message_append(reply, "i", fake_of(userdata)->status);
}

int find_unit(sd_bus*, const char*, const char*, void* userdata, void** found, sd_bus_error*) {
    *found = userdata;
    return 1;
}

const sd_bus_vtable kUnit[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("ActiveState", "s", get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_VTABLE_END,
};
const sd_bus_vtable kService[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("MemoryCurrent", "t", get_memory, 0, 0),
    SD_BUS_PROPERTY("CPUUsageNSec", "t", get_cpu, 0, 0),
    SD_BUS_PROPERTY("Result", "s", get_result, 0, 0),
    SD_BUS_PROPERTY("ExecMainCode", "i", get_code, 0, 0),
    SD_BUS_PROPERTY("ExecMainStatus", "i", get_status, 0, 0),
    SD_BUS_VTABLE_END,
};

// A private bus: dbus-daemon on a socket in `dir`, killed when dropped.
struct PrivateBus {
    pid_t pid = 0;
    std::string address;
    explicit PrivateBus(const std::filesystem::path& dir) {
        std::string socket = (dir / "bus").string();
        address = "unix:path=" + socket;
        std::string listen = "--address=" + address;
        const char* argv[] = {"dbus-daemon", "--session", "--nofork", "--nopidfile", listen.c_str(), nullptr};
        if (posix_spawnp(&pid, "dbus-daemon", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) pid = 0;
        for (int i = 0; pid && i < 200 && !std::filesystem::exists(socket); ++i) ::usleep(10'000);
    }
    ~PrivateBus() {
        if (pid) {
            ::kill(pid, SIGTERM);
            ::waitpid(pid, nullptr, 0);
        }
    }
    BusPtr connect(sd_event* event) const {
        sd_bus* b = nullptr;
        sd_bus_new(&b);
        BusPtr bus(b);
        sd_bus_set_address(b, address.c_str());
        sd_bus_set_bus_client(b, 1);
        if (sd_bus_start(b) < 0) return nullptr;
        sd_bus_attach_event(b, event, SD_EVENT_PRIORITY_NORMAL);
        return bus;
    }
};

}  // namespace

TEST_CASE("unit watch: states, changes and accounting from a stand-in systemd") {
    TempDir dir;
    PrivateBus daemon(dir.path);
    if (!daemon.pid || !std::filesystem::exists(dir.path / "bus")) {
        WARN("dbus-daemon is not available: unit watch not exercised");
        return;
    }
    Loop loop;
    FakeSystemd fake;
    BusPtr systemd = daemon.connect(loop.get());
    REQUIRE(systemd);
    REQUIRE(sd_bus_request_name(systemd.get(), "org.freedesktop.systemd1", 0) >= 0);
    sd_bus_slot* raw = nullptr;
    REQUIRE(sd_bus_add_fallback_vtable(systemd.get(), &raw, "/org/freedesktop/systemd1/unit",
                                       "org.freedesktop.systemd1.Unit", kUnit, find_unit, &fake) >= 0);
    BusSlotPtr unit_slot(raw);
    REQUIRE(sd_bus_add_fallback_vtable(systemd.get(), &raw, "/org/freedesktop/systemd1/unit",
                                       "org.freedesktop.systemd1.Service", kService, find_unit, &fake) >= 0);
    BusSlotPtr service_slot(raw);

    BusPtr agent = daemon.connect(loop.get());
    REQUIRE(agent);
    std::vector<std::string> changes;
    auto watch = UnitWatch::create(agent.get(), [&](const std::string& unit, const std::string& before,
                                                    const std::string& after) {
        changes.push_back(unit + " " + before + "=>" + after);
    });
    REQUIRE(watch.ok());
    auto& w = **watch;

    const std::string web = "patchbay-http@127.0.0.1:80-tcp.service";
    const std::string other = "patchbay-http@127.0.0.2:80-tcp.service";
    fake.states[web] = "active";
    fake.states[other] = "active";
    CHECK(w.status(web).active_state == "unknown");
    w.watch({web});
    REQUIRE(loop.run_until([&] { return w.status(web).active_state == "active"; }));
    CHECK(changes == std::vector<std::string>{web + " unknown=>active"});
    // Let the match be in place before the first signal.
    loop.run_for(100);

    // The main process is killed: systemd says so at once, and so do we.
    auto emit = [&](const std::string& unit, const std::string& state) {
        fake.states[unit] = state;
        REQUIRE(sd_bus_emit_properties_changed(systemd.get(), unit_object_path(unit).c_str(),
                                               "org.freedesktop.systemd1.Unit", "ActiveState", nullptr) >= 0);
    };
    auto start = std::chrono::steady_clock::now();
    emit(web, "failed");
    REQUIRE(loop.run_until([&] { return w.status(web).active_state == "failed"; }, 1000));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500));
    CHECK(changes.back() == web + " active=>failed");
    // Why, in systemd's words, read once it failed and told as the same state again.
    REQUIRE(loop.run_until([&] { return !w.status(web).error.empty(); }, 1000));
    CHECK(w.status(web).error == "exit-code: status 3");
    CHECK(changes.back() == web + " failed=>failed");
    // Back up: the reason is gone.
    emit(web, "active");
    REQUIRE(loop.run_until([&] { return w.status(web).active_state == "active"; }, 1000));
    CHECK(w.status(web).error.empty());
    fake.result = "signal";
    fake.code = 2;
    fake.status = 9;
    emit(web, "failed");
    REQUIRE(loop.run_until([&] { return !w.status(web).error.empty(); }, 1000));
    CHECK(w.status(web).error == "signal: KILL");

    // A start job of ours that failed on a dependency: the unit stays inactive, with no
    // reason of its own; the job's result is the error until the unit is active again.
    emit(web, "inactive");
    REQUIRE(loop.run_until([&] { return w.status(web).active_state == "inactive"; }, 1000));
    CHECK(w.status(web).error.empty());
    w.start_job_ended(web, "done");  // nothing to say
    CHECK(w.status(web).error.empty());
    w.start_job_ended(web, "dependency");
    CHECK(w.status(web).error == "start job: dependency");
    CHECK(changes.back() == web + " inactive=>inactive");
    emit(web, "activating");  // tried again: still not running, still the reason
    REQUIRE(loop.run_until([&] { return w.status(web).active_state == "activating"; }, 1000));
    CHECK(w.status(web).error == "start job: dependency");
    // It failed on its own: systemd's reason is the better one.
    fake.result = "exit-code";
    fake.code = 1;
    fake.status = 3;
    emit(web, "failed");
    REQUIRE(loop.run_until([&] { return w.status(web).error == "exit-code: status 3"; }, 1000));
    emit(web, "active");
    REQUIRE(loop.run_until([&] { return w.status(web).active_state == "active"; }, 1000));
    CHECK(w.status(web).error.empty());
    w.start_job_ended(other, "failed");  // not watched: nothing
    CHECK(w.status(other).error.empty());

    // A unit we do not watch says nothing to us.
    size_t before = changes.size();
    emit(other, "failed");
    loop.run_for(200);
    CHECK(changes.size() == before);

    // Memory and CPU come on refresh; systemd's "not accounted" is left out.
    w.refresh();
    REQUIRE(loop.run_until([&] { return w.status(web).memory_bytes.has_value(); }));
    CHECK(*w.status(web).memory_bytes == 123456);
    CHECK_FALSE(w.status(web).cpu_nsec);

    // Not watched any more: forgotten.
    w.watch({});
    CHECK(w.status(web).active_state == "unknown");
}
