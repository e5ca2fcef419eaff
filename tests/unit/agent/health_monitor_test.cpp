// The health side as a whole, without systemd: instances come and go, probes run, and
// the reports a fake controller receives say so; plus the unit watch's pure parts.
#include <catch2/catch.hpp>

#include <httplib.h>
#include <sys/socket.h>

#include <mutex>
#include <thread>

#include "event_loop.h"
#include "fd.h"
#include "health_monitor.h"
#include "socket_address.h"

using namespace patchbay;
using patchbay::test::Loop;
using patchbay::test::TempDir;

TEST_CASE("unit watch: object paths, accounting, which changes are news") {
    std::string unit = "patchbay-http@10.10.10.121:80-tcp.service";
    std::string path = unit_object_path(unit);
    CHECK(path == "/org/freedesktop/systemd1/unit/patchbay_2dhttp_4010_2e10_2e10_2e121_3a80_2dtcp_2eservice");
    CHECK(unit_of_object_path(path) == unit);
    CHECK(unit_of_object_path("/org/freedesktop/systemd1/job/42") == std::nullopt);
    CHECK(accounted(UINT64_MAX) == std::nullopt);
    CHECK(accounted(4096) == uint64_t{4096});
    struct Case {
        const char* before;
        const char* after;
        bool matters;
    };
    const Case cases[] = {
        {"active", "failed", true},        // killed, Restart=no
        {"active", "activating", true},    // killed, Restart= brings it back
        {"active", "deactivating", true},  // being stopped
        {"failed", "active", true},        // back
        {"unknown", "active", true},       // systemd's first word
        {"active", "active", false},
    };
    for (const auto& c : cases) {
        INFO(c.before << " ⇒ " << c.after);
        CHECK(state_change_matters(c.before, c.after) == c.matters);
    }
}

TEST_CASE("unit watch: which moves are a fall (told at once, before a restart can hide it)") {
    for (const char* before : {"active", "activating", "reloading"})
        for (const char* after : {"failed", "inactive", "deactivating"}) {
            INFO(before << " ⇒ " << after);
            CHECK(unit_fell(before, after));
        }
    CHECK_FALSE(unit_fell("deactivating", "inactive"));  // already told when it left
    CHECK_FALSE(unit_fell("failed", "inactive"));
    CHECK_FALSE(unit_fell("unknown", "failed"));  // the first word, not a move
    CHECK_FALSE(unit_fell("failed", "activating"));
    CHECK(unit_fell("active", "activating"));  // its process died; Restart= starts it again
}

TEST_CASE("unit watch: why a failed service failed, in systemd's words") {
    struct Row {
        const char* result;
        int32_t code, status;
        const char* says;
    };
    for (const auto& row : std::vector<Row>{
             {"exit-code", 1, 1, "exit-code: status 1"},
             {"signal", 2, 9, "signal: KILL"},
             {"core-dump", 3, 11, "core-dump: signal SEGV"},
             {"timeout", 0, 0, "timeout"},
             {"start-limit-hit", 1, 1, "start-limit-hit"},
             {"oom-kill", 2, 9, "oom-kill"},
             {"success", 1, 0, ""},            // stopped cleanly: no reason
             {"success", 1, 2, "exit-code: status 2"},  // Result lags: the exit says it
             {"success", 2, 15, "signal: TERM"},
             {"signal", 2, 200, "signal: 200"},  // no name for it
         }) {
        INFO(row.result << " " << row.code << " " << row.status);
        CHECK(failure_text(row.result, row.code, row.status) == row.says);
    }
}

TEST_CASE("unit watch: an instance's error, from the unit's reason or our start job") {
    struct Row {
        const char* failure;
        const char* start_job;
        const char* says;
    };
    for (const auto& row : std::vector<Row>{
             {"", "", ""},
             {"", "done", ""},                                   // started: nothing to say
             {"", "dependency", "start job: dependency"},         // inactive, no Result of its own
             {"", "failed", "start job: failed"},                 // systemd's reason not read yet
             {"", "timeout", "start job: timeout"},
             {"exit-code: status 1", "failed", "exit-code: status 1"},  // systemd says it better
             {"start-limit-hit", "", "start-limit-hit"},
         }) {
        INFO(row.failure << " / " << row.start_job);
        CHECK(unit_error(row.failure, row.start_job) == row.says);
    }
}

TEST_CASE("health monitor: the host's addresses and catalog, sorted, without repeats") {
    auto [addresses, catalog] = host_facts({*Address::parse("10.0.0.2"), *Address::parse("2001:db8::1"),
                                            *Address::parse("10.0.0.1")},
                                           {{"sip", "udp"}, {"http", "tcp"}, {"sip", "tcp"}, {"http", "tcp"}});
    CHECK(addresses == std::vector<std::string>{"10.0.0.1", "10.0.0.2", "2001:db8::1"});
    CHECK(catalog == std::vector<std::string>{"http/tcp", "sip/tcp", "sip/udp"});
}

TEST_CASE("health monitor: which probe results are news") {
    for (uint32_t streak : {1u, 2u, 4u}) CHECK(probe_result_matters(ProbeResult{"tcp", true, 1, "", streak}));
    for (uint32_t streak : {5u, 6u, 1000u}) CHECK_FALSE(probe_result_matters(ProbeResult{"tcp", false, 1, "x", streak}));
    Plan plan;
    TupleKey k{"http", "tcp", *Address::parse("10.0.0.1"), 80};
    plan.start = {Action{k, "a.service", "d.example", 1, 100}};
    plan.keep = {Action{k, "b.service", "d.example", 1, 100}, Action{k, "adopted.service", "", 0, 0}};
    plan.stop = {Action{k, "c.service", "", 0, 0}};
    auto placed = placed_instances(plan);
    REQUIRE(placed.size() == 2);
    CHECK(placed[0].unit == "a.service");
    CHECK(placed[1].unit == "b.service");
}

namespace {

struct Controller {
    httplib::Server server;
    std::thread thread;
    std::mutex mutex;
    std::vector<Report> received;
    int port = 0;
    Controller() {
        server.Post("/v1/reports", [this](const httplib::Request& req, httplib::Response& res) {
            auto reports = reports_from(nlohmann::json::parse(req.body));
            std::lock_guard lock(mutex);
            for (auto& r : *reports) received.push_back(r);
            res.set_content("{\"accepted\":1,\"duplicates\":0}", "application/json");
        });
        port = server.bind_to_any_port("127.0.0.1");
        thread = std::thread([this] { server.listen_after_bind(); });
        while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~Controller() {
        server.stop();
        thread.join();
    }
    std::optional<Report> last() {
        std::lock_guard lock(mutex);
        if (received.empty()) return std::nullopt;
        return received.back();
    }
    size_t count() {
        std::lock_guard lock(mutex);
        return received.size();
    }
};

}  // namespace

TEST_CASE("health monitor: instances, probes and serials reach the controller") {
    Controller controller;
    Loop loop;
    TempDir dir;
    auto curl = CurlLoop::create(loop.get()).value();

    UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    SocketAddress sa = to_socket_address(*Endpoint::parse("127.0.0.1:0"));
    REQUIRE(::bind(listener.get(), sa.get(), sa.len) == 0);
    REQUIRE(::listen(listener.get(), 16) == 0);
    uint16_t port = local_endpoint(listener.get())->port;

    AgentConfig config;
    config.name = "h121";
    config.controller = "http://127.0.0.1:" + std::to_string(controller.port);
    config.spool_dir = (dir.path / "spool").string();
    config.report_seconds = 3600;
    ProbeConfig probe;
    probe.kind = "tcp";
    probe.interval_ms = 100;
    probe.timeout_ms = 100;
    config.services = {ServiceConfig{"http", "patchbay-http@.service", {"tcp"}, probe},
                       ServiceConfig{"smtp", "patchbay-smtp@.service", {"tcp"}}};
    auto monitor = HealthMonitor::create(loop.get(), nullptr, *curl, config);
    REQUIRE(monitor.ok());
    auto& m = **monitor;

    // The first report at once: nothing placed yet.
    REQUIRE(loop.run_until([&] { return controller.count() >= 1; }));
    CHECK(controller.last()->instances.empty());

    TupleKey http{"http", "tcp", *Address::parse("127.0.0.1"), port};
    TupleKey smtp{"smtp", "tcp", *Address::parse("127.0.0.1"), 25};
    m.set_instances({Action{http, "patchbay-http@127.0.0.1:" + std::to_string(port) + "-tcp.service", "d.example", 1, 100},
                     Action{smtp, "patchbay-smtp@127.0.0.1:25-tcp.service", "d.example", 1, 100}});
    m.set_serials({{"d.example", 42}});
    // Reports follow the first runs of the probe (streak < 5), then only the heartbeat.
    REQUIRE(loop.run_until([&] {
        auto r = controller.last();
        return r && r->instances.size() == 2 && r->instances[0].probe && r->instances[0].probe->streak == 4;
    }));
    auto r = *controller.last();
    CHECK(r.serials.at("d.example") == 42);
    CHECK(r.instances[0].key == http);
    CHECK(r.instances[0].active_state == "unknown");  // no systemd here
    CHECK(r.instances[0].probe->ok);
    CHECK(r.instances[0].probe->kind == "tcp");
    CHECK(r.instances[1].key == smtp);
    CHECK_FALSE(r.instances[1].probe);  // no probe section: only the unit's state
    CHECK(r.host.memory > 0);
    size_t before = controller.count();
    loop.run_for(400);  // streak 5, 6, 7, 8: not news
    CHECK(controller.count() == before);

    // The service dies: the next probe run fails, reported at once.
    listener.reset();
    REQUIRE(loop.run_until([&] {
        auto last = controller.last();
        return last && !last->instances.empty() && last->instances[0].probe && !last->instances[0].probe->ok;
    }, 1000));
    // Refused, or reset when a run's connection sat in the backlog as the listener closed.
    const auto error = controller.last()->instances[0].probe->error;
    CHECK((error == "connect: Connection refused" || error == "connect: Connection reset by peer"));
    CHECK(controller.last()->instances[0].probe->streak == 1);

    // The instance goes away: reported, and its prober stops.
    m.set_instances({});
    REQUIRE(loop.run_until([&] { return controller.last()->instances.empty(); }));
    CHECK(m.content().instances.empty());

    // The host's addresses and catalog ride on every report; a new address is told at once.
    m.set_host({"127.0.0.1"}, {"http/tcp", "smtp/tcp"});
    CHECK(controller.last()->addresses == std::vector<std::string>{});  // none told yet: empty, not absent
    REQUIRE(loop.run_until([&] { return !controller.last()->addresses->empty(); }, 1000));
    CHECK(*controller.last()->addresses == std::vector<std::string>{"127.0.0.1"});
    CHECK(*controller.last()->catalog == std::vector<std::string>{"http/tcp", "smtp/tcp"});
    m.set_host({"10.0.0.7", "127.0.0.1"}, {"http/tcp", "smtp/tcp"});  // long before the hour's heartbeat
    REQUIRE(loop.run_until([&] { return controller.last()->addresses->size() == 2; }, 1000));
}
