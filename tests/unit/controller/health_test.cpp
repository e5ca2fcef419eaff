#include <catch2/catch.hpp>

#include "health.h"

using namespace patchbay;

namespace {

constexpr Health U = Health::unknown, UP = Health::up, W = Health::warning, D = Health::down;

InstanceReport instance(const char* active, std::optional<ProbeResult> probe = std::nullopt,
                        std::optional<uint64_t> memory = std::nullopt) {
    InstanceReport i;
    auto t = parse_tuple("hostdomain.com", "http", "tcp", "10.10.10.121", "80");
    REQUIRE(t);
    i.domain = t->domain;
    i.key = t->key;
    i.active_state = active;
    i.probe = std::move(probe);
    i.memory_bytes = memory;
    return i;
}

ProbeResult ok(uint32_t streak, double latency = 10) { return ProbeResult{"http", true, latency, "", streak}; }
ProbeResult bad(uint32_t streak) { return ProbeResult{"http", false, 3, "connection refused", streak}; }

}  // namespace

TEST_CASE("classification: each rule, from each previous state") {
    HealthCriteria c;  // defaults: down_after 2, up_after 2, latency 500 ms, cpu/memory 0.95
    c.unit_memory_warning_bytes = 1000;
    c.load_warning = 4;
    const HostMetrics calm{0.5, 0.2, 0.3};
    struct Row {
        const char* what;
        Health previous;
        InstanceReport seen;
        HostMetrics host;
        Health want;
        bool kept;
        const char* reason;  // a part of it
    };
    const std::vector<Row> rows = {
        {"systemd failed: down at once", UP, instance("failed", ok(5)), calm, D, false, "unit failed"},
        {"systemd inactive: down at once", UP, instance("inactive"), calm, D, false, "unit inactive"},
        {"a new instance not started yet (inactive) waits", U, instance("inactive"), calm, U, true, ""},
        {"a new instance whose start failed: down", U, instance("failed"), calm, D, false, "unit failed"},
        {"no word from systemd and no probe: waits", U, instance("unknown"), calm, U, true, ""},
        {"no word from systemd and no probe, when up: kept", UP, instance("unknown"), calm, UP, true, ""},
        {"no word from systemd, the probe decides", U, instance("unknown", ok(2)), calm, UP, false, "probe http ok"},
        {"systemd deactivating: down at once", W, instance("deactivating"), calm, D, false, "unit deactivating"},
        {"first ok report of an active unit without probe: up at once", U, instance("active"), calm, UP, false,
         "unit active"},
        {"active without probe after down: up", D, instance("active"), calm, UP, false, "unit active"},
        {"one failure is not enough", UP, instance("active", bad(1)), calm, UP, true, ""},
        {"down_after failures: down", UP, instance("active", bad(2)), calm, D, false,
         "probe http: connection refused (2 in a row)"},
        {"more failures: still down", D, instance("active", bad(7)), calm, D, false, "(7 in a row)"},
        {"one success after down is not enough", D, instance("active", ok(1)), calm, D, true, ""},
        {"up_after successes: up", D, instance("active", ok(2)), calm, UP, false, "probe http ok (2 in a row)"},
        {"from unknown, one probe success waits", U, instance("active", ok(1)), calm, U, true, ""},
        {"from unknown, one probe failure waits", U, instance("active", bad(1)), calm, U, true, ""},
        {"activating counts as failing: kept", UP, instance("activating"), calm, UP, true, ""},
        {"activating with a failing probe streak: down", UP, instance("activating", bad(2)), calm, D, false,
         "probe http"},
        {"slow probe: warning", U, instance("active", ok(3, 812)), calm, W, false, "probe http latency 812 ms > 500 ms"},
        {"slow but failing twice: down wins", W, instance("active", bad(2)), calm, D, false, "probe http"},
        {"unit memory over: warning", UP, instance("active", ok(4), 2000), calm, W, false, "unit memory 2000 bytes"},
        {"host load over: warning", UP, instance("active"), HostMetrics{4.5, 0.1, 0.1}, W, false, "host load 4.50 > 4.00"},
        {"host cpu over: warning", UP, instance("active", ok(9)), HostMetrics{0, 0.97, 0.1}, W, false, "host cpu 0.97"},
        {"host memory over: warning", UP, instance("active", ok(9)), HostMetrics{0, 0, 0.99}, W, false,
         "host memory 0.99"},
        {"warning re-checked on a success while warning: back up", W, instance("active", ok(1)), calm, UP, false,
         "probe http ok (1 in a row)"},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        auto v = judge_instance(row.previous, row.seen, row.host, c);
        CHECK(v.state == row.want);
        CHECK(v.kept == row.kept);
        CHECK_THAT(v.reason, Catch::Contains(row.reason));
    }
}

TEST_CASE("classification: thresholds of 0 are off") {
    HealthCriteria c;
    c.latency_warning_ms = 0;
    c.cpu_warning = 0;
    c.memory_warning = 0;
    auto v = judge_instance(Health::up, instance("active", ok(3, 90000)), HostMetrics{99, 1, 1}, c);
    CHECK(v.state == Health::up);
    CHECK(judge_host(HostMetrics{99, 1, 1}, c).state == Health::up);
}

TEST_CASE("classification: a unit's CPU time per second over unit_cpu_warning is a warning") {
    InstanceReport before = instance("active", ok(3));
    InstanceReport now = before;
    before.cpu_nsec = 1'000'000'000;
    now.cpu_nsec = 2'900'000'000;  // 1.9 CPU s in 2 s of wall time
    auto rate = unit_cpu_rate(before, 10'000, now, 12'000);
    REQUIRE(rate);
    CHECK(*rate == Approx(0.95));
    CHECK_FALSE(unit_cpu_rate(now, 10'000, before, 12'000));  // the counter went back: restarted
    CHECK_FALSE(unit_cpu_rate(before, 12'000, now, 12'000));  // no time between
    CHECK_FALSE(unit_cpu_rate(instance("active"), 10'000, now, 12'000));  // not accounted before

    HealthCriteria c;
    CHECK(judge_instance(Health::up, now, {}, c, rate).state == Health::up);  // off by default
    c.unit_cpu_warning = 0.9;
    auto v = judge_instance(Health::up, now, {}, c, rate);
    CHECK(v.state == Health::warning);
    CHECK(v.reason == "unit cpu 0.95 CPU > 0.90");
    CHECK(judge_instance(Health::up, now, {}, c, 0.5).state == Health::up);
    CHECK(judge_instance(Health::up, now, {}, c).state == Health::up);  // rate unknown
}

TEST_CASE("hysteresis: a flapping probe never flaps the state") {
    HealthCriteria c;
    c.down_after = 3;
    c.up_after = 2;
    struct Row {
        const char* what;
        std::string probes;  // '+' ok, '-' failed, as the agent sees them run after run
        std::string states;  // U, u(p), d(own) after each
    };
    const std::vector<Row> rows = {
        {"steady up", "++++", "Uuuu"},
        {"alternating from up stays up", "++-+-+-+", "Uuuuuuuu"},
        {"three failures to go down, two successes back", "++---+-++", "Uuuuddddu"},
        {"alternating while down stays down", "---+-+-+", "UUdddddd"},
        {"short dips do not count", "++--+--+", "Uuuuuuuu"},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        Health state = Health::unknown;
        std::string seen;
        uint32_t streak = 0;
        char last = 0;
        for (char p : row.probes) {
            streak = p == last ? streak + 1 : 1;  // the agent's count of runs in a row
            last = p;
            auto v = judge_instance(state, instance("active", p == '+' ? ok(streak) : bad(streak)), {}, c);
            if (!v.kept) state = v.state;
            seen += state == Health::unknown ? 'U' : state == Health::up ? 'u' : state == Health::down ? 'd' : 'w';
        }
        CHECK(seen == row.states);
    }
}

TEST_CASE("worse keeps the worst and labels its reason; periods start on their boundary") {
    Verdict up{Health::up, "fine"};
    auto w = worse(up, Verdict{Health::down, "refused"}, "http/tcp 10.0.0.1:80");
    CHECK(w.state == Health::down);
    CHECK(w.reason == "http/tcp 10.0.0.1:80: refused");
    CHECK(worse(w, Verdict{Health::down, "other"}).reason == "http/tcp 10.0.0.1:80: refused");
    CHECK(worse(up, Verdict{Health::unknown, "?"}).state == Health::up);
    CHECK(period_start(125'000, 60) == 120'000);
    CHECK(period_start(120'000, 60) == 120'000);
    CHECK(period_start(-1, 60) == -60'000);
    CHECK(silence_reason(6'400) == "no report for 6 s");
}
