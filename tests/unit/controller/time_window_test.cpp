// time_window: windows in force at boundaries (winter and summer time in Europe/Berlin),
// windows wrapping midnight, day bits, unknown zones; next_window_change across DST.
#include <catch2/catch.hpp>

#include <date/tz.h>

#include "time_window.h"

using namespace patchbay;
using std::chrono::system_clock;

namespace {

using Strings = std::vector<std::string>;

constexpr uint8_t monday = 1 << 0, friday = 1 << 4, saturday = 1 << 5, sunday = 1 << 6;
constexpr uint8_t weekdays = 0x1f, every_day = 0x7f;

Window window(const char* name, const char* zone, uint8_t days, int from_h, int from_m, int to_h, int to_m) {
    Window w;
    w.name = name;
    w.time_zone = zone;
    w.days = days;
    w.from_minute = static_cast<uint16_t>(from_h * 60 + from_m);
    w.to_minute = static_cast<uint16_t>(to_h * 60 + to_m);
    return w;
}

// An instant given as UTC wall time.
system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s = 0) {
    return date::sys_days{date::year{y} / mo / d} + std::chrono::hours{h} + std::chrono::minutes{mi} +
           std::chrono::seconds{s};
}

// An instant given as Berlin wall time (unambiguous ones only).
system_clock::time_point berlin(int y, unsigned mo, unsigned d, int h, int mi, int s = 0) {
    auto local = date::local_days{date::year{y} / mo / d} + std::chrono::hours{h} + std::chrono::minutes{mi} +
                 std::chrono::seconds{s};
    return date::locate_zone("Europe/Berlin")->to_sys(local);
}

std::string text(system_clock::time_point t) {
    if (t == system_clock::time_point::max()) return "never";
    return date::format("%F %T UTC", date::floor<std::chrono::seconds>(t));
}

const Window business = window("business", "Europe/Berlin", weekdays, 8, 0, 18, 0);
const Window friday_night = window("friday-night", "UTC", friday, 22, 0, 6, 0);
const Window weekend = window("weekend", "UTC", saturday | sunday, 0, 0, 24, 0);

}  // namespace

TEST_CASE("time_window: windows in force") {
    const Window mars = window("mars", "Mars/Olympus_Mons", every_day, 0, 0, 24, 0);
    const Window nothing = window("nothing", "UTC", every_day, 9, 0, 9, 0);
    const Window monday_only = window("monday", "UTC", monday, 0, 0, 24, 0);
    struct Row {
        const char* what;
        std::vector<Window> windows;
        system_clock::time_point at;
        Strings in_force;
    };
    const std::vector<Row> rows = {
        // 2024-01-10 is a Wednesday in winter time (UTC+1); 2024-07-10 in summer time (UTC+2).
        {"winter 07:59:59 Berlin: not yet", {business}, berlin(2024, 1, 10, 7, 59, 59), {}},
        {"winter 08:00:00 Berlin: in force", {business}, berlin(2024, 1, 10, 8, 0, 0), {"business"}},
        {"winter 08:00 Berlin is 07:00 UTC", {business}, utc(2024, 1, 10, 7, 0), {"business"}},
        {"winter 06:00 UTC is 07:00 Berlin", {business}, utc(2024, 1, 10, 6, 0), {}},
        {"winter 17:59:59 Berlin: in force", {business}, berlin(2024, 1, 10, 17, 59, 59), {"business"}},
        {"winter 18:00:00 Berlin: closed (to is exclusive)", {business}, berlin(2024, 1, 10, 18, 0, 0), {}},
        {"summer 07:59:59 Berlin: not yet", {business}, berlin(2024, 7, 10, 7, 59, 59), {}},
        {"summer 08:00:00 Berlin: in force", {business}, berlin(2024, 7, 10, 8, 0, 0), {"business"}},
        {"summer 08:00 Berlin is 06:00 UTC", {business}, utc(2024, 7, 10, 6, 0), {"business"}},
        {"summer 05:59:59 UTC is 07:59:59 Berlin", {business}, utc(2024, 7, 10, 5, 59, 59), {}},
        {"Saturday: not a business day", {business}, berlin(2024, 1, 13, 10, 0), {}},
        {"Friday 23:00 UTC: Friday night", {friday_night}, utc(2024, 1, 12, 23, 0), {"friday-night"}},
        {"Saturday 05:59:59: still Friday night", {friday_night}, utc(2024, 1, 13, 5, 59, 59), {"friday-night"}},
        {"Saturday 06:00: over", {friday_night}, utc(2024, 1, 13, 6, 0), {}},
        {"Friday 05:00: Thursday is not a day of it", {friday_night}, utc(2024, 1, 12, 5, 0), {}},
        {"Friday 21:59:59: not yet", {friday_night}, utc(2024, 1, 12, 21, 59, 59), {}},
        {"Saturday 23:00: Saturday is not a day of it", {friday_night}, utc(2024, 1, 13, 23, 0), {}},
        {"Saturday: weekend", {weekend}, utc(2024, 1, 13, 0, 0), {"weekend"}},
        {"Sunday 23:59:59: weekend (bit 6)", {weekend}, utc(2024, 1, 14, 23, 59, 59), {"weekend"}},
        {"Monday 00:00: not the weekend", {weekend}, utc(2024, 1, 15, 0, 0), {}},
        {"Monday: bit 0", {monday_only, weekend}, utc(2024, 1, 15, 12, 0), {"monday"}},
        {"several, in the order given", {weekend, friday_night, business}, utc(2024, 1, 13, 1, 0),
         {"weekend", "friday-night"}},
        {"an unknown zone is never in force", {mars, weekend}, utc(2024, 1, 13, 1, 0), {"weekend"}},
        {"from == to: never", {nothing}, utc(2024, 1, 13, 9, 0), {}},
        {"spring forward: 03:00 CEST (01:00 UTC) is past 02:30",
         {window("night", "Europe/Berlin", every_day, 2, 30, 4, 0)}, utc(2024, 3, 31, 1, 0), {"night"}},
        {"spring forward: 01:59:59 CET, before the jump", {window("night", "Europe/Berlin", every_day, 2, 30, 4, 0)},
         utc(2024, 3, 31, 0, 59, 59), {}},
    };
    for (const auto& row : rows) {
        INFO(row.what << " at " << text(row.at));
        CHECK(windows_in_force(row.windows, row.at) == row.in_force);
    }
}

TEST_CASE("time_window: the next change") {
    const Window night = window("night", "Europe/Berlin", every_day, 2, 30, 4, 0);
    const Window early = window("early", "Europe/Berlin", every_day, 0, 0, 2, 30);
    const Window always = window("always", "UTC", every_day, 0, 0, 24, 0);
    const Window never = window("never", "UTC", 0, 8, 0, 18, 0);
    const Window mars = window("mars", "Mars/Olympus_Mons", every_day, 8, 0, 18, 0);
    struct Row {
        const char* what;
        std::vector<Window> windows;
        system_clock::time_point after;
        system_clock::time_point next;
    };
    const auto never_changes = system_clock::time_point::max();
    const std::vector<Row> rows = {
        {"no windows", {}, utc(2024, 1, 10, 12, 0), never_changes},
        {"always and never in force", {always, never}, utc(2024, 1, 10, 12, 0), never_changes},
        {"an unknown zone never changes", {mars}, utc(2024, 1, 10, 12, 0), never_changes},
        {"Wednesday noon: closes at 18:00", {business}, berlin(2024, 1, 10, 12, 0), berlin(2024, 1, 10, 18, 0)},
        {"07:59:59: opens a second later", {business}, berlin(2024, 1, 10, 7, 59, 59), berlin(2024, 1, 10, 8, 0)},
        {"at the opening instant: the next is the closing", {business}, berlin(2024, 1, 10, 8, 0),
         berlin(2024, 1, 10, 18, 0)},
        {"Friday 18:00: Monday 08:00", {business}, berlin(2024, 1, 12, 18, 0), berlin(2024, 1, 15, 8, 0)},
        {"Friday 18:00 before spring forward: Monday 08:00 CEST = 06:00 UTC", {business},
         berlin(2024, 3, 29, 18, 0), utc(2024, 4, 1, 6, 0)},
        {"Friday 18:00 before fall back: Monday 08:00 CET = 07:00 UTC", {business}, berlin(2024, 10, 25, 18, 0),
         utc(2024, 10, 28, 7, 0)},
        {"Friday night, inside: Saturday 06:00", {friday_night}, utc(2024, 1, 12, 23, 0), utc(2024, 1, 13, 6, 0)},
        {"Saturday 06:00: next Friday 22:00", {friday_night}, utc(2024, 1, 13, 6, 0), utc(2024, 1, 19, 22, 0)},
        {"the earliest of several", {business, friday_night}, utc(2024, 1, 12, 20, 0), utc(2024, 1, 12, 22, 0)},
        {"the day before spring forward: 02:30 CET", {night}, utc(2024, 3, 30, 0, 0), utc(2024, 3, 30, 1, 30)},
        {"spring forward: 02:30 does not exist, opens at the jump (03:00 CEST)", {night}, utc(2024, 3, 31, 0, 30),
         utc(2024, 3, 31, 1, 0)},
        {"spring forward: then closes at 04:00 CEST", {night}, utc(2024, 3, 31, 1, 0), utc(2024, 3, 31, 2, 0)},
        {"fall back: closes at the first 02:30 (CEST)", {early}, utc(2024, 10, 26, 23, 0), utc(2024, 10, 27, 0, 30)},
        {"fall back: the clock shows 02:00 again, open again", {early}, utc(2024, 10, 27, 0, 30),
         utc(2024, 10, 27, 1, 0)},
        {"fall back: closes at the second 02:30 (CET)", {early}, utc(2024, 10, 27, 1, 0), utc(2024, 10, 27, 1, 30)},
    };
    for (const auto& row : rows) {
        INFO(row.what << " after " << text(row.after));
        CHECK(text(next_window_change(row.windows, row.after)) == text(row.next));
    }
}

TEST_CASE("time_window: the next change is where the windows in force change") {
    const std::vector<Window> windows = {business, friday_night, weekend,
                                         window("night", "Europe/Berlin", every_day, 2, 30, 4, 0)};
    // Walk three weeks around the spring-forward change, one change to the next.
    auto t = utc(2024, 3, 20, 0, 0);
    int changes = 0;
    while (t < utc(2024, 4, 10, 0, 0)) {
        auto next = next_window_change(windows, t);
        REQUIRE(next > t);
        INFO("from " << text(t) << " to " << text(next));
        CHECK(windows_in_force(windows, next - std::chrono::seconds{1}) == windows_in_force(windows, t));
        CHECK(windows_in_force(windows, next) != windows_in_force(windows, t));
        t = next;
        ++changes;
    }
    CHECK(changes > 40);
}
