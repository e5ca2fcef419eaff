#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <thread>

#include "api_watchdog.h"
#include "temp_dir.h"
#include "watchdog.h"

using namespace patchbay;

namespace {

constexpr int64_t T0 = 1'794'999'980'000;  // 20 s into a minute

InstanceReport http(const char* active, std::optional<ProbeResult> probe = std::nullopt, const char* addr = "10.10.10.121") {
    InstanceReport i;
    auto t = parse_tuple("hostdomain.com", "http", "tcp", addr, "80");
    REQUIRE(t);
    i.domain = t->domain;
    i.key = t->key;
    i.unit = std::string("patchbay-http@") + addr + ":80.service";
    i.active_state = active;
    i.probe = std::move(probe);
    return i;
}

Report report(const char* agent, uint64_t seq, std::vector<InstanceReport> instances, const char* boot = "b1") {
    Report r;
    r.agent = agent;
    r.boot = boot;
    r.seq = seq;
    r.at_ms = T0;
    r.serials = {{"hostdomain.com", 7}};
    r.instances = std::move(instances);
    return r;
}

ProbeResult bad(uint32_t streak) { return ProbeResult{"http", false, 3, "connection refused", streak}; }
ProbeResult good(uint32_t streak) { return ProbeResult{"http", true, 3, "", streak}; }

InstanceRef ref121() {
    auto t = parse_tuple("hostdomain.com", "http", "tcp", "10.10.10.121", "80");
    return InstanceRef{t->domain, t->key};
}

std::unique_ptr<Watchdog> open_at(const test::TempDir& dir, HealthCriteria c = {}, int64_t now = T0) {
    auto w = Watchdog::open(dir.db(), c, now);
    REQUIRE(w);
    return std::move(*w);
}

std::vector<Report> one(Report r) {
    std::vector<Report> v;
    v.push_back(std::move(r));
    return v;
}

}  // namespace

TEST_CASE("watchdog: reports move states, and each move is a change with its reason") {
    test::TempDir dir;
    auto w = open_at(dir);
    auto r = w->ingest(one(report("h1", 1, {http("active")})), T0);
    REQUIRE(r);
    CHECK(r->accepted == 1);
    REQUIRE(r->changes.size() == 2);
    CHECK(r->changes[0].instance == ref121());
    CHECK(r->changes[0].to == Health::up);
    CHECK_FALSE(r->changes[1].instance);
    CHECK(r->changes[1].server == "h1");
    CHECK(r->changes[1].to == Health::up);
    CHECK(w->health()->at(ref121()) == Health::up);

    r = w->ingest(one(report("h1", 2, {http("active", bad(1))})), T0 + 1000);
    REQUIRE(r);
    CHECK(r->changes.empty());  // one failure: kept
    r = w->ingest(one(report("h1", 3, {http("active", bad(2))})), T0 + 2000);
    REQUIRE(r);
    REQUIRE(r->changes.size() == 2);
    CHECK(r->changes[1].to == Health::down);
    CHECK(r->changes[1].reason == "http/tcp 10.10.10.121:80: probe http: connection refused (2 in a row)");
    auto s = w->server("h1");
    REQUIRE(s);
    CHECK(s->state == Health::down);
    CHECK(s->since_ms == T0 + 2000);
    CHECK(s->reports == 3);
    CHECK(s->serials.at("hostdomain.com") == 7);
    CHECK(w->health()->at(ref121()) == Health::down);
    CHECK_FALSE(w->server("nobody"));
}

TEST_CASE("watchdog: a report whose serials moved is said so (the change log's hosts applied)") {
    test::TempDir dir;
    auto w = open_at(dir);
    auto first = w->ingest(one(report("h1", 1, {http("active")})), T0);
    REQUIRE(first);
    REQUIRE(first->serials.size() == 1);  // the first word of a server
    CHECK(first->serials[0].server == "h1");
    CHECK(first->serials[0].serials.at("hostdomain.com") == 7);
    auto same = w->ingest(one(report("h1", 2, {http("active")})), T0 + 1000);
    REQUIRE(same);
    CHECK(same->serials.empty());
    auto r = report("h1", 3, {http("active")});
    r.serials["hostdomain.com"] = 8;
    auto moved = w->ingest(one(std::move(r)), T0 + 2000);
    REQUIRE(moved);
    REQUIRE(moved->serials.size() == 1);
    CHECK(moved->serials[0].serials.at("hostdomain.com") == 8);
}

TEST_CASE("watchdog: duplicates are acknowledged and ignored; a new boot starts over") {
    test::TempDir dir;
    auto w = open_at(dir);
    std::vector<Report> batch;
    batch.push_back(report("h1", 5, {http("active")}));
    batch.push_back(report("h1", 5, {http("failed")}));  // the same seq again: ignored
    batch.push_back(report("h1", 3, {http("failed")}));  // older: ignored
    batch.push_back(report("h2", 1, {}));
    auto r = w->ingest(std::move(batch), T0);
    REQUIRE(r);
    CHECK(r->accepted == 2);
    CHECK(r->duplicates == 2);
    CHECK(w->server("h1")->state == Health::up);
    r = w->ingest(one(report("h1", 1, {http("failed")}, "b2")), T0 + 10);  // restarted agent
    REQUIRE(r);
    CHECK(r->accepted == 1);
    CHECK(w->server("h1")->state == Health::down);
    CHECK(w->server("h1")->reports == 2);
    CHECK(w->server("h2")->state == Health::up);  // reporting, no instances
}

TEST_CASE("watchdog: gaps in an agent's sequence are counted as lost reports, across a restart too") {
    test::TempDir dir;
    {
        auto w = open_at(dir);
        REQUIRE(w->ingest(one(report("h1", 1, {http("active")})), T0));
        REQUIRE(w->ingest(one(report("h1", 2, {http("active")})), T0 + 10));
        CHECK(w->server("h1")->lost == 0);
        REQUIRE(w->ingest(one(report("h1", 5, {http("active")})), T0 + 20));  // 3 and 4 never came
        CHECK(w->server("h1")->lost == 2);
        REQUIRE(w->ingest(one(report("h1", 4, {http("active")})), T0 + 30));  // late: a duplicate now
        CHECK(w->server("h1")->lost == 2);
        REQUIRE(w->ingest(one(report("h1", 3, {http("failed")}, "b2")), T0 + 40));  // new boot from 3: 1, 2 lost
        CHECK(w->server("h1")->lost == 4);
        REQUIRE(w->tick(T0 + 1000));
    }
    auto w = open_at(dir, {}, T0 + 2000);
    CHECK(w->server("h1")->lost == 4);
}

TEST_CASE("watchdog: a unit's CPU rate comes from its two last reports") {
    test::TempDir dir;
    HealthCriteria c;
    c.unit_cpu_warning = 0.9;
    auto w = open_at(dir, c);
    auto with_cpu = [](uint64_t seq, int64_t at_ms, uint64_t cpu_nsec) {
        auto i = http("active");
        i.cpu_nsec = cpu_nsec;
        Report r = report("h1", seq, {i});
        r.at_ms = at_ms;
        return r;
    };
    REQUIRE(w->ingest(one(with_cpu(1, T0, 0)), T0));
    REQUIRE(w->ingest(one(with_cpu(2, T0 + 2000, 400'000'000)), T0 + 2000));  // 0.2 CPU
    CHECK(w->server("h1")->state == Health::up);
    REQUIRE(w->ingest(one(with_cpu(3, T0 + 4000, 2'400'000'000)), T0 + 4000));  // 1.0 CPU
    CHECK(w->server("h1")->state == Health::warning);
    CHECK_THAT(w->server("h1")->reason, Catch::Contains("unit cpu 1.00 CPU > 0.90"));
}

TEST_CASE("watchdog: a silent server goes down with its instances, and comes back") {
    test::TempDir dir;
    HealthCriteria c;
    c.heartbeat_timeout_seconds = 6;
    auto w = open_at(dir, c);
    REQUIRE(w->ingest(one(report("h1", 1, {http("active")})), T0));
    auto t = w->tick(T0 + 5999);
    REQUIRE(t);
    CHECK(t->empty());
    t = w->tick(T0 + 6000);
    REQUIRE(t);
    REQUIRE(t->size() == 2);
    CHECK((*t)[0].instance == ref121());
    CHECK((*t)[1].reason == "no report for 6 s");
    CHECK(w->server("h1")->state == Health::down);
    CHECK(w->health()->at(ref121()) == Health::down);
    t = w->tick(T0 + 9000);  // already down: no new change
    REQUIRE(t);
    CHECK(t->empty());
    auto r = w->ingest(one(report("h1", 2, {http("active")})), T0 + 9500);
    REQUIRE(r);
    CHECK(w->server("h1")->state == Health::up);
}

TEST_CASE("watchdog: the change callback gets every change and the new health map") {
    test::TempDir dir;
    auto w = open_at(dir);
    std::vector<std::vector<StateChange>> calls;
    HealthMapPtr last;
    w->on_change([&](const std::vector<StateChange>& changes, HealthMapPtr map) {
        calls.push_back(changes);
        last = map;
    });
    REQUIRE(w->ingest(one(report("h1", 1, {http("active")})), T0));
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].size() == 2);
    CHECK(last->at(ref121()) == Health::up);
    REQUIRE(w->ingest(one(report("h1", 2, {http("active")})), T0 + 1000));
    CHECK(calls.size() == 1);  // nothing changed: not called
    REQUIRE(w->tick(T0 + 60'000));
    REQUIRE(calls.size() == 2);
    CHECK(last->at(ref121()) == Health::down);
    // An instance that is no longer reported leaves the map (no state change, still a call).
    REQUIRE(w->ingest(one(report("h1", 3, {http("active", std::nullopt, "10.10.10.122")})), T0 + 61'000));
    CHECK(last->count(ref121()) == 0);
    CHECK(last->size() == 1);
}

TEST_CASE("watchdog: states, changes and blocks survive a restart; retention deletes old history") {
    test::TempDir dir;
    HealthCriteria c;
    c.period_seconds = 60;
    c.retention_days = 1;
    {
        auto w = open_at(dir, c);
        REQUIRE(w->ingest(one(report("h1", 1, {http("active")})), T0));
        REQUIRE(w->ingest(one(report("h1", 2, {http("active", bad(2))})), T0 + 10'000));
        REQUIRE(w->ingest(one(report("h1", 3, {http("active", bad(3))})), T0 + 11'000));
        // Destroyed without a tick, as by SIGKILL: the changes were committed already.
    }
    {
        auto w = open_at(dir, c, T0 + 12'000);
        auto s = w->server("h1");
        REQUIRE(s);
        CHECK(s->state == Health::down);
        CHECK(s->since_ms == T0 + 10'000);
        CHECK(s->seq == 2);  // the last report that changed a state; seq 3 was not flushed
        REQUIRE(s->instances.size() == 1);
        CHECK(s->instances[0].state == Health::down);
        CHECK(s->instances[0].seen.unit == "patchbay-http@10.10.10.121:80.service");
        auto changes = w->changes("h1", 0, T0 + 60'000, 100);
        REQUIRE(changes);
        CHECK(changes->size() == 4);  // up, up (server), down, down (server)
        CHECK(w->health()->at(ref121()) == Health::down);

        REQUIRE(w->ingest(one(report("h1", 4, {http("active", good(2))})), T0 + 13'000));
        REQUIRE(w->tick(T0 + 14'000));  // flushes the counters
    }
    auto w = open_at(dir, c, T0 + 30'000);
    CHECK(w->server("h1")->reports == 3);  // seq 3 died unflushed with the first process
    CHECK(w->server("h1")->state == Health::up);
    // The minute T0 falls in closes at the next minute: its block is the worst it saw.
    REQUIRE(w->ingest(one(report("h1", 5, {http("active")})), T0 + 44'000));  // not silent
    REQUIRE(w->tick(T0 + 45'000));  // next minute (T0 is 20 s into one)
    auto blocks = w->blocks("h1", 0, T0 + 120'000);
    REQUIRE(blocks);
    REQUIRE(blocks->size() == 2);
    CHECK((*blocks)[0].period_ms == period_start(T0, 60));
    CHECK((*blocks)[0].worst == Health::up);  // reopened after restart: only what it saw since
    CHECK((*blocks)[1].worst == Health::up);  // the open period
    // Two days on: a period closes and everything older than a day is deleted.
    REQUIRE(w->ingest(one(report("h1", 6, {http("active")})), T0 + 2 * 86'400'000));
    REQUIRE(w->tick(T0 + 2 * 86'400'000 + 60'000));
    auto changes = w->changes("h1", 0, T0 + 86'400'000, 100);
    REQUIRE(changes);
    CHECK(changes->empty());
    blocks = w->blocks("h1", 0, T0 + 86'400'000);
    REQUIRE(blocks);
    CHECK(blocks->empty());
}

TEST_CASE("watchdog: a server that goes silent after a restart keeps one row per instance") {
    test::TempDir dir;
    {
        auto w = open_at(dir);
        REQUIRE(w->ingest(one(report("h1", 1, {http("active")})), T0));
    }
    {
        auto w = open_at(dir, {}, T0 + 1000);
        REQUIRE(w->tick(T0 + 60'000));  // silent: down, and its rows flushed
    }
    auto w = open_at(dir, {}, T0 + 61'000);
    auto s = w->server("h1");
    REQUIRE(s);
    CHECK(s->state == Health::down);
    REQUIRE(s->instances.size() == 1);
    CHECK(s->instances[0].seen.unit == "patchbay-http@10.10.10.121:80.service");
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(dir.db().c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* q = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT json_array_length(last_report, '$.instances') FROM watch_servers", -1, &q,
                               nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(q) == SQLITE_ROW);
    CHECK(sqlite3_column_int(q, 0) == 1);  // not the loaded instances twice
    sqlite3_finalize(q);
    sqlite3_close(db);
}

TEST_CASE("watchdog: blocks keep the worst state of their period") {
    test::TempDir dir;
    auto w = open_at(dir);
    REQUIRE(w->ingest(one(report("h1", 1, {http("active")})), T0));
    REQUIRE(w->ingest(one(report("h1", 2, {http("failed")})), T0 + 5'000));
    REQUIRE(w->ingest(one(report("h1", 3, {http("active")})), T0 + 6'000));
    REQUIRE(w->ingest(one(report("h1", 4, {http("active")})), T0 + 39'000));  // not silent
    REQUIRE(w->tick(T0 + 40'000));  // the next minute
    auto blocks = w->blocks("h1", 0, T0 + 120'000);
    REQUIRE(blocks);
    REQUIRE(blocks->size() == 2);
    CHECK((*blocks)[0].worst == Health::down);
    CHECK((*blocks)[1].worst == Health::up);
}

TEST_CASE("watchdog: a block keeps its period's reports and busiest host; all servers' blocks at once") {
    test::TempDir dir;
    auto w = open_at(dir);
    auto with_host = [](Report r, double cpu, double memory) {
        r.host.cpu = cpu;
        r.host.memory = memory;
        return r;
    };
    REQUIRE(w->ingest(one(with_host(report("h1", 1, {http("active")}), 0.25, 0.5)), T0));
    REQUIRE(w->ingest(one(with_host(report("h1", 2, {http("active")}), 0.75, 0.25)), T0 + 5'000));
    REQUIRE(w->ingest(one(with_host(report("h2", 1, {http("active", std::nullopt, "10.10.10.122")}), 0.5, 0.5)),
                      T0 + 6'000));
    // The open period, before any tick closed it.
    auto open = w->blocks("h1", 0, T0 + 120'000);
    REQUIRE(open);
    REQUIRE(open->size() == 1);
    CHECK((*open)[0].metrics == BlockMetrics{2, 0.75, 0.5});
    REQUIRE(w->ingest(one(with_host(report("h1", 3, {http("active")}), 0.5, 0.125)), T0 + 39'000));
    REQUIRE(w->tick(T0 + 40'000));  // the next minute: the first period is written
    REQUIRE(w->ingest(one(with_host(report("h1", 4, {http("active")}), 0.125, 0.125)), T0 + 41'000));
    auto all = w->all_blocks(0, T0 + 120'000);
    REQUIRE(all);
    REQUIRE(all->size() == 2);
    const auto& h1 = all->at("h1");
    REQUIRE(h1.size() == 2);
    CHECK(h1[0].period_ms == period_start(T0, 60));
    CHECK(h1[0].metrics == BlockMetrics{3, 0.75, 0.5});
    CHECK(h1[1].metrics == BlockMetrics{1, 0.125, 0.125});
    REQUIRE(all->at("h2").size() == 2);  // its closed period, and its open one (no report yet)
    CHECK(all->at("h2")[1].metrics.reports == 0);
    CHECK_FALSE(all->at("h2")[1].metrics.cpu_max);
    // Only periods within the range.
    auto later = w->all_blocks(period_start(T0, 60) + 60'000, T0 + 120'000);
    REQUIRE(later);
    CHECK(later->at("h1").size() == 1);
}

TEST_CASE("watchdog: a report before the tick that closes its period counts in its own period") {
    test::TempDir dir;
    auto w = open_at(dir);
    REQUIRE(w->ingest(one(report("h1", 1, {http("active")})), T0));
    // 45 s on is the next minute (T0 is 20 s into one); no tick has closed the first yet.
    REQUIRE(w->ingest(one(report("h1", 2, {http("failed")})), T0 + 45'000));
    auto before_tick = w->blocks("h1", 0, T0 + 120'000);
    REQUIRE(before_tick);
    REQUIRE(before_tick->size() == 2);
    CHECK((*before_tick)[0].worst == Health::up);
    CHECK((*before_tick)[0].metrics.reports == 1);
    CHECK((*before_tick)[1].worst == Health::down);
    REQUIRE(w->tick(T0 + 46'000));  // writes the closed one
    auto after_tick = w->blocks("h1", 0, T0 + 120'000);
    REQUIRE(after_tick);
    CHECK(*after_tick == *before_tick);
}

TEST_CASE("history: a database made before blocks had metrics gains the columns, its blocks without them") {
    test::TempDir dir;
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(dir.db().c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db,
                         "CREATE TABLE state_blocks (server TEXT NOT NULL, period_ms INTEGER NOT NULL, "
                         "state INTEGER NOT NULL, PRIMARY KEY (server, period_ms)) WITHOUT ROWID;"
                         "INSERT INTO state_blocks VALUES ('old', 60000, 3);",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    auto h = History::open(dir.db());
    REQUIRE(h);
    auto blocks = h->blocks("old", 0, 120'000);
    REQUIRE(blocks);
    REQUIRE(blocks->size() == 1);
    CHECK(blocks->front().worst == Health::down);
    CHECK(blocks->front().metrics == BlockMetrics{});
    HistoryBatch b;
    b.blocks.push_back(StateBlock{"old", 60000, Health::up, BlockMetrics{2, 0.5, 0.25}});
    REQUIRE(h->write(b));  // closed again: the worse state stays, the metrics add up
    blocks = h->blocks("old", 0, 120'000);
    CHECK(blocks->front().worst == Health::down);
    CHECK(blocks->front().metrics == BlockMetrics{2, 0.5, 0.25});
}

TEST_CASE("watchdog: when the change cannot be committed, ingest fails and no state moves") {
    test::TempDir dir;
    auto w = open_at(dir);
    REQUIRE(w->ingest(one(report("h1", 1, {http("active")})), T0));
    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(dir.db().c_str(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "DROP TABLE state_changes", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(other);
    auto r = w->ingest(one(report("h1", 2, {http("failed")})), T0 + 1000);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error(), Catch::Contains("history database"));
    CHECK(w->server("h1")->state == Health::up);
    CHECK(w->server("h1")->seq == 1);
    CHECK(w->health()->at(ref121()) == Health::up);
    r = w->ingest(one(report("h9", 1, {http("active")})), T0 + 1000);
    REQUIRE_FALSE(r);
    CHECK_FALSE(w->server("h9"));  // a new server is not half there either
}

TEST_CASE("watchdog timer: ticks on its own and stops on destruction") {
    test::TempDir dir;
    auto w = open_at(dir);
    REQUIRE(w->ingest(one(report("h1", 1, {http("active")})), T0));
    {
        WatchdogTimer timer(*w, std::chrono::milliseconds(5), [] { return T0 + 60'000; });
        for (int i = 0; i < 400 && timer.ticks() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        CHECK(timer.ticks() >= 2);
    }
    CHECK(w->server("h1")->state == Health::down);
}

TEST_CASE("watchdog API answers: summary, detail, history range") {
    ServerStatus s;
    s.name = "h1";
    s.state = Health::warning;
    s.since_ms = 1000;
    s.last_report_ms = 5000;
    s.reports = 3;
    s.serials = {{"hostdomain.com", 7}};
    s.instances.push_back(InstanceStatus{ref121(), http("active", good(3)), Health::warning, 2000, "slow"});
    auto sum = server_summary_json(s, 6500);
    CHECK(sum["state"] == "warning");
    CHECK(sum["age_ms"] == 1500);
    CHECK(sum["instances"] == 1);
    CHECK(sum["serials"]["hostdomain.com"] == 7);
    auto detail = server_detail_json(
        s, {StateChange{2000, "h1", ref121(), Health::up, Health::warning, "slow", {}}},
        {StateBlock{"h1", 0, Health::warning, {}}}, 6500);
    CHECK(detail["instances"][0]["address"] == "10.10.10.121");
    CHECK(detail["instances"][0]["probe"]["streak"] == 3);
    CHECK(detail["changes"][0]["to"] == "warning");
    CHECK(detail["changes"][0]["instance"]["port"] == 80);
    CHECK(detail["blocks"][0]["state"] == "warning");

    auto range = history_range(std::nullopt, std::nullopt, 100'000'000);
    REQUIRE(range);
    CHECK(range->from_ms == 100'000'000 - 86'400'000);
    range = history_range(std::string("5"), std::string("9"), 100);
    REQUIRE(range);
    CHECK(range->from_ms == 5);
    CHECK(range->to_ms == 9);
    auto badr = history_range(std::string("yesterday"), std::nullopt, 100);
    REQUIRE_FALSE(badr);
    CHECK(badr.error() == "from: must be unix milliseconds, got 'yesterday'");
    CHECK_FALSE(history_range(std::string("9"), std::string("5"), 100));
}

namespace {

InstanceReport in_zone(const char* zone, const char* addr, std::optional<ProbeResult> probe) {
    InstanceReport i;
    auto t = parse_tuple(zone, "http", "tcp", addr, "80");
    REQUIRE(t);
    i.domain = t->domain;
    i.key = t->key;
    i.unit = std::string("patchbay-http@") + addr + ":80.service";
    i.active_state = "active";
    i.probe = std::move(probe);
    return i;
}

InstanceRef ref_of(const InstanceReport& i) { return InstanceRef{i.domain, i.key}; }

// a.example belongs to account a, whose [health] says down_after = 1 and nothing else;
// b.example to b, which has no [health]; c.example to the platform.
AccountsSnapshotPtr two_accounts() {
    auto s = std::make_shared<AccountsSnapshot>();
    s->zone_accounts = {{"a.example", "a"}, {"b.example", "b"}};
    HealthOverrides a;
    a.down_after = 1;
    s->health["a"] = a;
    return s;
}

}  // namespace

TEST_CASE("watchdog: an instance is judged by its zone's account's [health], over the controller's") {
    test::TempDir dir;
    HealthCriteria platform;
    platform.down_after = 3;
    platform.latency_warning_ms = 100;
    auto w = open_at(dir, platform);
    w->set_accounts(two_accounts());
    CHECK(w->criteria_for("a.example").down_after == 1);
    CHECK(w->criteria_for("a.example").latency_warning_ms == 100);  // not given by a: the controller's
    CHECK(w->criteria_for("b.example").down_after == 3);
    CHECK(w->criteria_for("c.example").down_after == 3);
    CHECK(w->criteria().down_after == 3);

    auto a = in_zone("a.example", "10.0.0.1", good(2));
    auto b = in_zone("b.example", "10.0.0.2", good(2));
    auto c = in_zone("c.example", "10.0.0.3", good(2));
    REQUIRE(w->ingest(one(report("h1", 1, {a, b, c})), T0));
    CHECK(w->health()->at(ref_of(a)) == Health::up);

    // The same single failure on all three: a's criteria take a down at once, b and the
    // platform's zone keep their state until the controller's 3 in a row.
    a.probe = b.probe = c.probe = bad(1);
    auto r = w->ingest(one(report("h1", 2, {a, b, c})), T0 + 1000);
    REQUIRE(r);
    CHECK(w->health()->at(ref_of(a)) == Health::down);
    CHECK(w->health()->at(ref_of(b)) == Health::up);
    CHECK(w->health()->at(ref_of(c)) == Health::up);
    REQUIRE(r->changes.size() == 2);
    CHECK(r->changes[0].instance == ref_of(a));
    CHECK(r->changes[0].accounts == std::vector<std::string>{"a"});
    CHECK_FALSE(r->changes[1].instance);  // the server, judged by the controller's criteria
    CHECK(r->changes[1].to == Health::down);
    CHECK(r->changes[1].accounts == std::vector<std::string>{"a", "b"});  // hosts both; the platform's zone names none

    a.probe = b.probe = c.probe = bad(2);
    REQUIRE(w->ingest(one(report("h1", 3, {a, b, c})), T0 + 2000));
    CHECK(w->health()->at(ref_of(b)) == Health::up);
    a.probe = b.probe = c.probe = bad(3);
    r = w->ingest(one(report("h1", 4, {a, b, c})), T0 + 3000);
    REQUIRE(r);
    CHECK(w->health()->at(ref_of(b)) == Health::down);
    CHECK(w->health()->at(ref_of(c)) == Health::down);
    REQUIRE(r->changes.size() == 2);
    CHECK(r->changes[0].accounts == std::vector<std::string>{"b"});
    CHECK(r->changes[1].accounts.empty());  // the platform's zone

    // New criteria apply from the next judgment: b gets down_after = 1 too, and a success
    // then a failure of b now moves it at once.
    auto both = std::make_shared<AccountsSnapshot>(*two_accounts());
    both->health["b"] = both->health["a"];
    w->set_accounts(both);
    a.probe = b.probe = c.probe = good(3);
    REQUIRE(w->ingest(one(report("h1", 5, {a, b, c})), T0 + 4000));
    a.probe = b.probe = c.probe = bad(1);
    REQUIRE(w->ingest(one(report("h1", 6, {a, b, c})), T0 + 5000));
    CHECK(w->health()->at(ref_of(b)) == Health::down);
    CHECK(w->health()->at(ref_of(c)) == Health::up);
}

TEST_CASE("watchdog: a silent server's changes name the accounts of its instances") {
    test::TempDir dir;
    auto w = open_at(dir);
    w->set_accounts(two_accounts());
    REQUIRE(w->ingest(one(report("h1", 1, {in_zone("b.example", "10.0.0.2", good(2)),
                                           in_zone("a.example", "10.0.0.1", good(2))})),
                      T0));
    auto r = w->tick(T0 + 60'000);
    REQUIRE(r);
    REQUIRE(r->size() == 3);
    CHECK((*r)[0].accounts == std::vector<std::string>{"b"});
    CHECK((*r)[1].accounts == std::vector<std::string>{"a"});
    CHECK((*r)[2].accounts == std::vector<std::string>{"a", "b"});
}

TEST_CASE("watchdog: the load map goes out when a host's CPU moves a tenth or its addresses change") {
    test::TempDir dir;
    auto w = open_at(dir);
    std::vector<LoadMapPtr> sent;
    w->on_load([&sent](LoadMapPtr load) { sent.push_back(std::move(load)); });
    auto at = [](const char* agent, uint64_t seq, double cpu, std::vector<InstanceReport> instances) {
        Report r = report(agent, seq, std::move(instances));
        r.host.cpu = cpu;
        return one(std::move(r));
    };
    auto a1 = in_zone("a.example", "10.0.0.1", good(2));
    auto b1 = in_zone("b.example", "10.0.0.1", good(2));  // the same address in two zones
    auto a2 = in_zone("a.example", "10.0.0.2", good(2));
    REQUIRE(w->ingest(at("h1", 1, 0.31, {a1, b1}), T0));
    REQUIRE(sent.size() == 1);  // first report of h1
    CHECK(*sent[0] == LoadMap{{*Address::parse("10.0.0.1"), 0.31}});
    REQUIRE(w->ingest(at("h1", 2, 0.33, {a1, b1}), T0 + 1000));
    CHECK(sent.size() == 1);  // within the same tenth: set_load would change nothing
    REQUIRE(w->ingest(at("h2", 1, 0.9, {a2}), T0 + 1000));
    REQUIRE(sent.size() == 2);
    CHECK(*sent[1] == LoadMap{{*Address::parse("10.0.0.1"), 0.33}, {*Address::parse("10.0.0.2"), 0.9}});
    REQUIRE(w->ingest(at("h1", 3, 0.52, {a1, b1}), T0 + 2000));
    REQUIRE(sent.size() == 3);
    CHECK(sent[2]->at(*Address::parse("10.0.0.1")) == 0.52);
    REQUIRE(w->ingest(at("h2", 2, 0.9, {a2, a1}), T0 + 2000));  // h2 now reports 10.0.0.1 too
    REQUIRE(sent.size() == 4);
    CHECK(sent[3]->at(*Address::parse("10.0.0.1")) == 0.9);  // the busier of the two
    REQUIRE(w->ingest(at("h2", 2, 0.1, {a2}), T0 + 2000));    // a duplicate: nothing
    CHECK(sent.size() == 4);
    CHECK(*w->load() == *sent[3]);
}
