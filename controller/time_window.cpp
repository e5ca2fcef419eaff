// time_window: a window's state is a function of the local wall time (day of week,
// minute). That changes only where the wall clock crosses `from` or `to`, or jumps (a
// zone transition); next_window_change lists those instants for the coming week and
// returns the first at which the state really differs.
#include "time_window.h"

#include <algorithm>
#include <unordered_map>

#include <date/tz.h>

namespace patchbay {

namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::system_clock;

// date::locate_zone returns a pointer that stays valid for the life of the program; an
// unknown name (or missing tzdata) is remembered as nullptr, so it costs one lookup.
const date::time_zone* zone_named(const std::string& name) {
    thread_local std::unordered_map<std::string, const date::time_zone*> located;
    auto it = located.find(name);
    if (it != located.end()) return it->second;
    const date::time_zone* zone = nullptr;
    try {
        zone = date::locate_zone(name);
    } catch (const std::exception&) {
        zone = nullptr;
    }
    located.emplace(name, zone);
    return zone;
}

bool has_day(uint8_t days, date::weekday day) { return ((days >> (day.iso_encoding() - 1)) & 1) != 0; }

// Whether `w` holds at the local wall time `local`.
bool holds(const Window& w, date::local_seconds local) {
    auto day = date::floor<date::days>(local);
    auto minute = static_cast<unsigned>(date::floor<minutes>(local - day).count());
    date::weekday weekday{day};
    if (w.from_minute < w.to_minute) return has_day(w.days, weekday) && w.from_minute <= minute && minute < w.to_minute;
    if (w.from_minute > w.to_minute)  // wraps: from `from` on its day to `to` on the next
        return (has_day(w.days, weekday) && minute >= w.from_minute) ||
               (has_day(w.days, weekday - date::days{1}) && minute < w.to_minute);
    return false;
}

bool holds_at(const Window& w, const date::time_zone& zone, date::sys_seconds t) { return holds(w, zone.to_local(t)); }

// The first instant after `t` at which `w` changes state; max() if none within a week
// (a weekly pattern that does not change in 8 days never does).
system_clock::time_point next_change(const Window& w, const date::time_zone& zone, system_clock::time_point t) {
    const auto now = date::floor<seconds>(t);
    const auto horizon = now + date::days{9};
    std::vector<date::sys_seconds> instants;
    instants.reserve(40);
    // Where the wall clock crosses a boundary: twice when the clock shows it twice,
    // at the jump when it skips it (to_sys gives the transition for a nonexistent time).
    const auto today = date::floor<date::days>(zone.to_local(now));
    for (int d = -1; d <= 8; ++d) {
        for (uint16_t m : {w.from_minute, w.to_minute}) {
            auto local = date::local_seconds{today + date::days{d}} + minutes{m};
            instants.push_back(zone.to_sys(local, date::choose::earliest));
            instants.push_back(zone.to_sys(local, date::choose::latest));
        }
    }
    // Where the wall clock jumps.
    for (auto info = zone.get_info(now); info.end <= horizon; info = zone.get_info(info.end))
        instants.push_back(info.end);
    std::sort(instants.begin(), instants.end());
    const bool state = holds_at(w, zone, now);
    for (auto instant : instants)
        if (instant > t && holds_at(w, zone, instant) != state) return instant;
    return system_clock::time_point::max();
}

}  // namespace

std::vector<std::string> windows_in_force(const std::vector<Window>& windows, system_clock::time_point t) {
    std::vector<std::string> names;
    const auto at = date::floor<seconds>(t);
    for (const auto& w : windows) {
        const date::time_zone* zone = zone_named(w.time_zone);
        if (zone == nullptr) continue;
        bool in_force = false;
        try {
            in_force = holds_at(w, *zone, at);
        } catch (const std::exception&) {
            // tzdata unreadable for this zone: never in force
        }
        if (in_force) names.push_back(w.name);
    }
    return names;
}

system_clock::time_point next_window_change(const std::vector<Window>& windows, system_clock::time_point t) {
    auto next = system_clock::time_point::max();
    for (const auto& w : windows) {
        const date::time_zone* zone = zone_named(w.time_zone);
        if (zone == nullptr) continue;
        try {
            next = std::min(next, next_change(w, *zone, t));
        } catch (const std::exception&) {
            // as above: a window we cannot read never changes
        }
    }
    return next;
}

}  // namespace patchbay
