#include "systemd_watchdog.h"

#include <systemd/sd-daemon.h>

#include <algorithm>

namespace patchbay {

std::unique_ptr<SystemdWatchdog> SystemdWatchdog::start_if_enabled(std::function<bool()> alive) {
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return nullptr;
    // Half the interval, as sd_watchdog_enabled(3) advises; at least 1 ms.
    auto interval = std::max(std::chrono::milliseconds(1), std::chrono::milliseconds(usec / 2000));
    return std::make_unique<SystemdWatchdog>(interval, std::move(alive),
                                             [](const char* state) { sd_notify(0, state); });
}

SystemdWatchdog::SystemdWatchdog(std::chrono::milliseconds interval, std::function<bool()> alive, Send send)
    : ticker_(interval, [this, alive = std::move(alive), send = std::move(send)] {
          if (!alive()) return;
          send("WATCHDOG=1");
          ++pings_;
      }) {}

uint64_t SystemdWatchdog::pings() const { return pings_.load(); }

}  // namespace patchbay
