// The reporter against a fake controller (a cpp-httplib server in a thread): order,
// retries, refusals, spooling while the controller is away, heartbeat.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include "event_loop.h"
#include "reporter.h"

using namespace patchbay;
using patchbay::test::Loop;
using patchbay::test::TempDir;

TEST_CASE("reporter: what each answer does to the reports") {
    struct Case {
        bool transport_ok;
        long status;
        Delivery want;
    };
    const Case cases[] = {
        {true, 200, Delivery::delivered}, {true, 202, Delivery::delivered}, {true, 400, Delivery::refused},
        {true, 401, Delivery::retry},     {true, 404, Delivery::retry},     {true, 503, Delivery::retry},
        {true, 500, Delivery::retry},     {false, 0, Delivery::retry},      {true, 302, Delivery::retry},
    };
    for (const auto& c : cases) {
        INFO(c.status);
        CHECK(delivery_of(c.transport_ok, c.status) == c.want);
    }
    CHECK(refused_index("reports[3].seq: must be 1 or more") == size_t{3});
    CHECK(refused_index("reports[0]: must be a JSON object") == size_t{0});
    CHECK(refused_index("reports: is required") == std::nullopt);
    CHECK(refused_index("reports[x]") == std::nullopt);
    CHECK(refused_index("body: unknown field") == std::nullopt);
    CHECK(next_backoff_ms(0, 250, 5000) == 250);
    CHECK(next_backoff_ms(250, 250, 5000) == 500);
    CHECK(next_backoff_ms(4000, 250, 5000) == 5000);
    CHECK(next_backoff_ms(5000, 250, 5000) == 5000);
}

namespace {

// A fake controller: records each POSTed report's seq; answers with `status` (or with
// 400 naming the first report whose seq is in `bad`).
class FakeController {
public:
    explicit FakeController(int port = 0) { start(port); }
    ~FakeController() { stop(); }

    void start(int port) {
        server_ = std::make_unique<httplib::Server>();
        server_->Post("/v1/reports", [this](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard lock(mutex_);
            posts_++;
            if (req.get_header_value("Authorization") != expect_auth) {
                res.status = 401;
                return;
            }
            auto body = nlohmann::json::parse(req.body);
            auto reports = reports_from(body);
            if (!reports) {
                res.status = 400;
                res.set_content(nlohmann::json{{"error", reports.error()}}.dump(), "application/json");
                return;
            }
            for (size_t i = 0; i < reports->size(); ++i)
                if (bad.count((*reports)[i].seq)) {
                    res.status = 400;
                    std::string e = name_bad ? "reports[" + std::to_string(i) + "].seq: bad" : "nope";
                    res.set_content(nlohmann::json{{"error", e}}.dump(), "application/json");
                    return;
                }
            if (status != 200) {
                res.status = status;
                return;
            }
            batches.push_back(reports->size());
            for (auto& r : *reports) received.push_back(std::move(r));
            res.set_content(nlohmann::json{{"accepted", batches.back()}, {"duplicates", 0}}.dump(), "application/json");
        });
        if (port == 0) port_ = server_->bind_to_any_port("127.0.0.1");
        else if (server_->bind_to_port("127.0.0.1", port)) port_ = port;
        thread_ = std::thread([this] { server_->listen_after_bind(); });
        // stop() before the thread listens would be lost (and join() would wait forever).
        while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    void stop() {
        if (!server_) return;
        server_->stop();
        thread_.join();
        server_.reset();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int port() const { return port_; }

    std::vector<uint64_t> seqs() {
        std::lock_guard lock(mutex_);
        std::vector<uint64_t> out;
        for (const auto& r : received) out.push_back(r.seq);
        return out;
    }
    size_t count() {
        std::lock_guard lock(mutex_);
        return received.size();
    }
    template <class F>
    void with(F f) {
        std::lock_guard lock(mutex_);
        f(*this);
    }

    // Under the mutex (use with()).
    int status = 200;
    std::set<uint64_t> bad;
    bool name_bad = true;
    std::string expect_auth = "Bearer secret";
    std::vector<Report> received;
    std::vector<size_t> batches;
    int posts_ = 0;

private:
    std::mutex mutex_;
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    int port_ = 0;
};

struct Fixture {
    Loop loop;
    TempDir dir;
    std::unique_ptr<CurlLoop> curl;
    int gathered = 0;

    Fixture() {
        curl = CurlLoop::create(loop.get()).value();
        std::ofstream(dir.path / "token") << "secret\n";
    }
    std::unique_ptr<Reporter> reporter(const std::string& url, int report_seconds = 3600, size_t spool_max = 10000,
                                       std::string token = "token") {
        auto spool = Spool::open((dir.path / "spool").string(), spool_max);
        REQUIRE(spool.ok());
        ReporterOptions o;
        o.agent = "h121";
        o.controller = url;
        o.token_file = token.empty() ? "" : (dir.path / token).string();
        o.report_seconds = report_seconds;
        o.backoff_first_ms = 50;
        o.backoff_cap_ms = 200;
        auto r = Reporter::create(loop.get(), *curl, std::move(*spool), o, [this] {
            ReportContent c;
            c.serials["hostdomain.com"] = 7;
            c.host.load1 = 0.5;
            InstanceReport i;
            i.domain = "hostdomain.com";
            i.key = TupleKey{"http", "tcp", *Address::parse("10.10.10.121"), 80};
            i.unit = "patchbay-http@10.10.10.121:80-tcp.service";
            i.active_state = "active";
            i.probe = ProbeResult{"tcp", true, 1.5, "", static_cast<uint32_t>(++gathered)};
            c.instances.push_back(i);
            return c;
        });
        REQUIRE(r.ok());
        return std::move(*r);
    }
};

// Makes `n` more reports, one per loop iteration (after the first one, made at once).
void make(Loop& loop, Reporter& r, int n) {
    REQUIRE(loop.run_until([&] { return r.made() >= 1; }));
    for (int i = 0; i < n; ++i) {
        uint64_t before = r.made();
        r.changed();
        REQUIRE(loop.run_until([&] { return r.made() == before + 1; }));
    }
}

std::vector<uint64_t> one_to(uint64_t n) {
    std::vector<uint64_t> out;
    for (uint64_t i = 1; i <= n; ++i) out.push_back(i);
    return out;
}

}  // namespace

TEST_CASE("reporter: the first report at once, changes coalesce, delivered in order") {
    FakeController controller;
    Fixture f;
    auto r = f.reporter(controller.url());
    REQUIRE(f.loop.run_until([&] { return controller.count() == 1; }));
    // Three changes in one loop iteration make one report.
    r->changed();
    r->changed();
    r->changed();
    REQUIRE(f.loop.run_until([&] { return controller.count() == 2; }));
    f.loop.run_for(100);
    CHECK(controller.count() == 2);
    make(f.loop, *r, 5);
    REQUIRE(f.loop.run_until([&] { return r->delivered() == 7; }));
    CHECK(controller.seqs() == one_to(7));
    CHECK(r->spooled() == 0);
    controller.with([&](FakeController& c) {
        const Report& first = c.received[0];
        CHECK(first.agent == "h121");
        CHECK(first.boot == r->boot());
        CHECK(first.boot.size() == 16);
        CHECK(first.at_ms > 1'700'000'000'000);
        CHECK(first.serials.at("hostdomain.com") == 7);
        CHECK(first.host.load1 == 0.5);
        REQUIRE(first.instances.size() == 1);
        CHECK(first.instances[0].probe->streak == 1);
        CHECK(c.received[1].instances[0].probe->streak == 2);  // gathered anew for each report
    });
}

TEST_CASE("reporter: heartbeat every report_seconds") {
    FakeController controller;
    Fixture f;
    auto r = f.reporter(controller.url(), 1);
    f.loop.run_for(2500);
    // At 0 s, 1 s, 2 s.
    CHECK(controller.count() == 3);
}

TEST_CASE("reporter: 503 ⇒ kept and retried, then everything delivered in order") {
    FakeController controller;
    controller.with([](FakeController& c) { c.status = 503; });
    Fixture f;
    auto r = f.reporter(controller.url());
    make(f.loop, *r, 4);
    f.loop.run_for(500);
    CHECK(controller.count() == 0);
    CHECK(r->spooled() == 5);
    int posts = 0;
    controller.with([&](FakeController& c) { posts = c.posts_; });
    CHECK(posts >= 3);  // retried, with backoff (50, 100, 200, 200 ms…)
    CHECK(posts <= 8);
    controller.with([](FakeController& c) { c.status = 200; });
    REQUIRE(f.loop.run_until([&] { return r->delivered() == 5; }));
    CHECK(controller.seqs() == one_to(5));
    controller.with([](FakeController& c) { CHECK(c.batches == std::vector<size_t>{5}); });  // one batch
    CHECK(r->spooled() == 0);
}

TEST_CASE("reporter: 401 (no token) ⇒ kept, delivered once the token is right") {
    FakeController controller;
    Fixture f;
    auto r = f.reporter(controller.url(), 3600, 10000, "");
    f.loop.run_for(300);
    CHECK(controller.count() == 0);
    CHECK(r->spooled() == 1);
    controller.with([](FakeController& c) { c.expect_auth = ""; });
    REQUIRE(f.loop.run_until([&] { return r->delivered() == 1; }));
}

TEST_CASE("reporter: a report the controller refuses (400) is dropped, the others delivered") {
    for (bool name_bad : {true, false}) {
        INFO("the 400 names the report: " << name_bad);
        FakeController controller;
        controller.with([&](FakeController& c) {
            c.status = 503;
            c.bad = {3};
            c.name_bad = name_bad;
        });
        Fixture f;
        auto r = f.reporter(controller.url());
        make(f.loop, *r, 5);
        controller.with([](FakeController& c) { c.status = 200; });
        REQUIRE(f.loop.run_until([&] { return r->delivered() == 5; }));
        CHECK(controller.seqs() == std::vector<uint64_t>{1, 2, 4, 5, 6});
        CHECK(r->refused() == 1);
        CHECK(r->spooled() == 0);
    }
}

TEST_CASE("reporter: controller down ⇒ spooled, delivered in order when it is back") {
    auto controller = std::make_unique<FakeController>();
    int port = controller->port();
    controller->stop();
    Fixture f;
    auto r = f.reporter("http://127.0.0.1:" + std::to_string(port));
    make(f.loop, *r, 30);
    CHECK(r->spooled() == 31);
    controller->start(port);
    REQUIRE(f.loop.run_until([&] { return r->delivered() == 31; }, 3000));  // backoff capped at 200 ms here
    CHECK(controller->seqs() == one_to(31));
}

TEST_CASE("reporter: reports spooled by an earlier run are delivered first; batches of 100") {
    auto controller = std::make_unique<FakeController>();
    int port = controller->port();
    controller->stop();
    Fixture f;
    std::string boot1;
    {
        auto r = f.reporter("http://127.0.0.1:" + std::to_string(port));
        make(f.loop, *r, 149);
        CHECK(r->spooled() == 150);
        boot1 = r->boot();
    }
    controller->start(port);
    auto r = f.reporter(controller->url());
    REQUIRE(f.loop.run_until([&] { return r->delivered() == 151; }));
    auto got = [&] {
        std::vector<std::pair<std::string, uint64_t>> out;
        controller->with([&](FakeController& c) {
            for (const auto& x : c.received) out.emplace_back(x.boot, x.seq);
        });
        return out;
    }();
    REQUIRE(got.size() == 151);
    CHECK(got[0] == std::pair{boot1, uint64_t{1}});
    CHECK(got[149] == std::pair{boot1, uint64_t{150}});
    CHECK(got[150] == std::pair{r->boot(), uint64_t{1}});
    CHECK(r->boot() != boot1);
    controller->with([](FakeController& c) {
        REQUIRE_FALSE(c.batches.empty());
        CHECK(c.batches[0] == 100);
    });
}

TEST_CASE("reporter: the spool bound holds while the controller is away") {
    auto controller = std::make_unique<FakeController>();
    int port = controller->port();
    controller->stop();
    Fixture f;
    auto r = f.reporter("http://127.0.0.1:" + std::to_string(port), 3600, 10);
    make(f.loop, *r, 24);
    CHECK(r->spooled() == 10);
    CHECK(r->spool_dropped() == 15);
    controller->start(port);
    REQUIRE(f.loop.run_until([&] { return r->delivered() == 10; }));
    CHECK(controller->seqs() == std::vector<uint64_t>{16, 17, 18, 19, 20, 21, 22, 23, 24, 25});
}
