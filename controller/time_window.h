// time_window: which of an account's weekly time windows ([windows.NAME] in its settings
// file, settings.h) are in force at an instant, and when that next changes (issue 5).
// Pure functions of the windows and the instant, over the system's tzdata (Howard
// Hinnant's date/tz).
//
// A window is read on the local wall clock of its time zone: it holds when the local day
// is one of its `days` and the local minute is in [from, to); one with to < from wraps
// past midnight and holds from `from` on its days until `to` on the day after (so
// "Fri 22:00–06:00" holds Friday night until Saturday 06:00, not Friday 00:00–06:00).
// from == to holds never. Across a DST change the wall clock decides: a boundary the
// clock skips (02:30 on a spring-forward day in Europe/Berlin) takes effect at the jump
// (03:00 CEST); one the clock shows twice (02:30 on a fall-back day) is crossed twice.
// A window whose time zone is unknown (the settings parser rejects those) is never in
// force and never changes.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "settings.h"

namespace patchbay {

// The names of the windows in force at `t`, in the order of `windows`. Never throws.
std::vector<std::string> windows_in_force(const std::vector<Window>& windows, std::chrono::system_clock::time_point t);

// The earliest instant after `t` at which some window of `windows` opens or closes (so
// windows_in_force gives another set from then on); time_point::max() when none ever
// will (no windows, or only windows that always or never hold). Never throws.
std::chrono::system_clock::time_point next_window_change(const std::vector<Window>& windows,
                                                         std::chrono::system_clock::time_point t);

}  // namespace patchbay
