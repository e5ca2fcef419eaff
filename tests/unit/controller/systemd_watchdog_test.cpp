// systemd_watchdog: WATCHDOG=1 goes out every interval while the liveness check passes and
// stops while it fails; nothing runs unless systemd asked for a watchdog (WATCHDOG_USEC).
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "systemd_watchdog.h"

using namespace patchbay;
using namespace std::chrono_literals;

namespace {

struct Recorder {
    std::mutex mutex;
    std::vector<std::string> sent;
    size_t count() {
        std::lock_guard lock(mutex);
        return sent.size();
    }
};

}  // namespace

TEST_CASE("systemd watchdog: pings while alive, none while the check fails") {
    Recorder rec;
    std::atomic<bool> alive{true};
    SystemdWatchdog dog(5ms, [&alive] { return alive.load(); }, [&rec](const char* s) {
        std::lock_guard lock(rec.mutex);
        rec.sent.emplace_back(s);
    });
    std::this_thread::sleep_for(100ms);
    size_t alive_pings = rec.count();
    CHECK(alive_pings >= 5);
    CHECK(dog.pings() == alive_pings);
    {
        std::lock_guard lock(rec.mutex);
        for (const auto& s : rec.sent) CHECK(s == "WATCHDOG=1");
    }
    alive = false;
    std::this_thread::sleep_for(20ms);  // a check already past `alive` may still send one
    size_t at_hang = rec.count();
    std::this_thread::sleep_for(100ms);
    CHECK(rec.count() == at_hang);
    alive = true;
    std::this_thread::sleep_for(100ms);
    CHECK(rec.count() > at_hang);
}

TEST_CASE("systemd watchdog: off unless systemd asked for it (WATCHDOG_USEC, WATCHDOG_PID)") {
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    CHECK(SystemdWatchdog::start_if_enabled([] { return true; }) == nullptr);
    setenv("WATCHDOG_USEC", "2000000", 1);
    setenv("WATCHDOG_PID", "1", 1);  // another process's watchdog, not ours
    CHECK(SystemdWatchdog::start_if_enabled([] { return true; }) == nullptr);
    setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
    CHECK(SystemdWatchdog::start_if_enabled([] { return true; }) != nullptr);
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
}
