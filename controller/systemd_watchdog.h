// systemd's service watchdog (WatchdogSec= in units/patchbay-controller.service): a thread
// sends WATCHDOG=1 every half interval, but only while `alive` says the controller still
// works (main.cpp: the health ticks go on and the store answers). A controller that hangs
// stops pinging and systemd restarts it; one that merely runs on does not get restarted.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "ticker.h"

namespace patchbay {

class SystemdWatchdog {
public:
    // Sends one notification (sd_notify in the daemon; a recorder in the tests).
    using Send = std::function<void(const char*)>;

    // Starts pinging when systemd asked for it (sd_watchdog_enabled: WATCHDOG_USEC set and,
    // if WATCHDOG_PID is set, ours); nullptr when it did not, so nothing runs.
    static std::unique_ptr<SystemdWatchdog> start_if_enabled(std::function<bool()> alive);

    // Every `interval`, sends "WATCHDOG=1" when `alive()` returns true. `alive` runs on the
    // pinging thread and may block: a blocked check is a missed ping, as it should be.
    SystemdWatchdog(std::chrono::milliseconds interval, std::function<bool()> alive, Send send);
    uint64_t pings() const;

private:
    std::atomic<uint64_t> pings_{0};
    Ticker ticker_;  // last: stopped (joined) before the members it uses go
};

}  // namespace patchbay
