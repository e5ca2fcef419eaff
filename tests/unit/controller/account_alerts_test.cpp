// Accounts' own alert policies and health criteria (issue 5): an account's [[alert]]
// sees only the changes of its instances and of the servers hosting them, the
// controller config's sees all; new settings keep an open episode of a policy that is
// still there; and the whole chain as main.cpp wires it — settings put on the
// Controller, the watchdog judging by the account's [health], the alerts firing.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <mutex>
#include <thread>

#include "alerts.h"
#include "controller.h"
#include "temp_dir.h"
#include "watchdog.h"

using namespace patchbay;
using namespace std::chrono_literals;

namespace {

// Captures every POST as (path, JSON body).
struct Receiver {
    httplib::Server server;
    std::thread thread;
    int port = 0;
    std::mutex mutex;
    std::vector<std::pair<std::string, nlohmann::json>> got;

    Receiver() {
        server.Post(R"(/(\w+))", [this](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard lock(mutex);
            got.emplace_back(req.path, nlohmann::json::parse(req.body));
            res.set_content("{}", "application/json");
        });
        port = server.bind_to_any_port("127.0.0.1");
        REQUIRE(port > 0);
        thread = std::thread([this] { server.listen_after_bind(); });
        while (!server.is_running()) std::this_thread::sleep_for(1ms);
    }
    ~Receiver() {
        server.stop();
        thread.join();
    }
    std::string url(const char* path) const { return "http://127.0.0.1:" + std::to_string(port) + "/" + path; }
    // The bodies posted to `path`, in order.
    std::vector<nlohmann::json> at(const std::string& path) {
        std::lock_guard lock(mutex);
        std::vector<nlohmann::json> out;
        for (const auto& [p, body] : got)
            if (p == path) out.push_back(body);
        return out;
    }
};

AlertPolicy hook(const char* name, std::string url) {
    AlertPolicy p;
    p.name = name;
    p.webhook = std::move(url);
    return p;
}

InstanceRef instance(const char* zone, const char* address) {
    return InstanceRef{zone, TupleKey{"http", "tcp", *Address::parse(address), 80}};
}

StateChange change(int64_t at, const char* server, std::optional<InstanceRef> inst, Health from, Health to,
                   std::vector<std::string> accounts) {
    return StateChange{at, server, std::move(inst), from, to, "why", std::move(accounts)};
}

SenderOptions quick() {
    SenderOptions o;
    o.timeout = 2000ms;
    o.attempts = 1;
    return o;
}

}  // namespace

bool platform_reason_is_why(Receiver& r) {
    for (const auto& m : r.at("/platform"))
        if (m["reason"] != "why") return false;
    return true;
}

TEST_CASE("account alerts: an account's policies see its instances and their servers only; the platform's all") {
    Receiver r;
    int64_t now = 1'700'000'000'000;
    Alerts alerts({hook("pager", r.url("platform"))}, quick(), [&now] { return now; });
    AccountsSnapshot accounts;
    accounts.alerts["a"] = {hook("pager", r.url("a"))};  // the same name as the platform's: its own namespace
    AlertPolicy b_http = hook("pager", r.url("b"));
    b_http.services = {"http"};  // instances only: no server changes
    accounts.alerts["b"] = {b_http};
    alerts.set_accounts(accounts);

    alerts.on_changes({change(now, "h1", instance("a.example", "10.0.0.1"), Health::up, Health::down, {"a"}),
                       change(now, "h2", instance("b.example", "10.0.0.2"), Health::up, Health::down, {"b"}),
                       change(now, "h3", instance("c.example", "10.0.0.3"), Health::up, Health::down, {}),
                       change(now, "h1", std::nullopt, Health::up, Health::down, {"a", "b"}),
                       change(now, "h3", std::nullopt, Health::up, Health::down, {})});
    REQUIRE(alerts.wait_idle(5s));

    auto a = r.at("/a");
    REQUIRE(a.size() == 2);
    CHECK(a[0]["instance"]["domain"] == "a.example");
    CHECK(a[0]["account"] == "a");
    CHECK(a[0]["policy"] == "pager");
    CHECK(a[1]["server"] == "h1");  // hosts one of a's instances
    CHECK(a[1]["instance"].is_null());
    // h1 also runs b's instance: its reason (which may name b's instance) is not a's to read
    CHECK(a[1]["reason"].get<std::string>().starts_with("the server also runs other accounts' instances"));
    CHECK(platform_reason_is_why(r));
    auto b = r.at("/b");
    REQUIRE(b.size() == 1);  // h1 hosts b too, but b's policy watches instances of http only
    CHECK(b[0]["instance"]["domain"] == "b.example");
    CHECK(b[0]["account"] == "b");
    auto platform = r.at("/platform");
    CHECK(platform.size() == 5);  // everything
    CHECK_FALSE(platform[0].contains("account"));

    auto text = render_metrics(alerts.metrics());
    CHECK_THAT(text, Catch::Contains("patchbay_alerts_active 5\n"));
    CHECK_THAT(text, Catch::Contains("patchbay_alerts_active{account=\"a\"} 2\n"));
    CHECK_THAT(text, Catch::Contains("patchbay_alerts_active{account=\"b\"} 1\n"));

    // alert test through an account's policies
    auto tested = alerts.test(std::nullopt, "a");
    REQUIRE(tested);
    REQUIRE(tested->size() == 1);
    CHECK((*tested)[0].ok);
    CHECK(r.at("/a").back()["kind"] == "test");
    CHECK(r.at("/a").back()["account"] == "a");
    auto none = alerts.test(std::nullopt, "zz");
    REQUIRE_FALSE(none);
    CHECK(none.kind() == ErrorKind::not_found);
    CHECK(none.error() == "account zz has no alert policy (add an [[alert]] to its settings file)");
}

TEST_CASE("account alerts: new settings keep an open episode of a policy still there by name") {
    Receiver r;
    int64_t now = 1'700'000'000'000;
    Alerts alerts({}, quick(), [&now] { return now; });
    AccountsSnapshot v1;
    v1.alerts["a"] = {hook("pager", r.url("pager")), hook("old", r.url("old"))};
    AlertPolicy slow = hook("slow", r.url("slow"));
    slow.for_ms = 60'000;
    v1.alerts["a"].push_back(slow);
    alerts.set_accounts(v1);
    const auto web = instance("a.example", "10.0.0.1");
    alerts.on_changes({change(now, "h1", web, Health::up, Health::down, {"a"})});
    REQUIRE(alerts.wait_idle(5s));
    REQUIRE(r.at("/pager").size() == 1);
    REQUIRE(r.at("/old").size() == 1);
    CHECK(r.at("/slow").empty());  // its minute has not run out

    // Version 2: pager stays (now warning too, recovery still on), old is gone, slow stays, new comes.
    AccountsSnapshot v2;
    AlertPolicy pager = hook("pager", r.url("pager"));
    pager.states = {Health::warning, Health::down};
    v2.alerts["a"] = {pager, slow, hook("new", r.url("new"))};
    alerts.set_accounts(v2);
    CHECK(alerts.account_policies("a").size() == 3);

    now += 30'000;
    alerts.on_changes({change(now, "h1", web, Health::down, Health::down, {"a"})});  // a repeat
    REQUIRE(alerts.wait_idle(5s));
    CHECK(r.at("/pager").size() == 1);  // the open episode went on: not alerted again
    CHECK(r.at("/new").size() == 1);    // a new policy sees the subject from its next change
    CHECK(r.at("/slow").empty());

    now += 30'000;  // slow's episode began a minute ago, before the new settings: it is due
    alerts.tick(now);
    REQUIRE(alerts.wait_idle(5s));
    REQUIRE(r.at("/slow").size() == 1);
    CHECK(r.at("/slow")[0]["since_ms"] == now - 60'000);

    now += 1000;
    alerts.on_changes({change(now, "h1", web, Health::down, Health::up, {"a"})});
    REQUIRE(alerts.wait_idle(5s));
    REQUIRE(r.at("/pager").size() == 2);
    CHECK(r.at("/pager")[1]["kind"] == "recovery");
    CHECK(r.at("/old").size() == 1);  // gone with its episode: no recovery

    // An account whose settings lose every [[alert]]: nothing of it is left.
    alerts.set_accounts(AccountsSnapshot{});
    CHECK(alerts.account_policies("a").empty());
    alerts.on_changes({change(now, "h1", web, Health::up, Health::down, {"a"})});
    REQUIRE(alerts.wait_idle(5s));
    CHECK(r.at("/pager").size() == 2);
}

TEST_CASE("account alerts: settings put on the controller reach the watchdog's judgment and the alerts") {
    test::TempDir tmp;
    Receiver r;
    auto store = Store::open(tmp.db());
    REQUIRE(store);
    Controller controller(std::move(*store), DnsSettings{60, {}});
    REQUIRE(controller.add_account("a"));
    REQUIRE(controller.add_account("b"));
    REQUIRE(controller.add_zone("a.example", "a"));
    REQUIRE(controller.add_zone("b.example", "b"));
    REQUIRE(controller.snapshot());

    const int64_t t0 = 1'795'000'000'000;
    HealthCriteria platform;
    platform.down_after = 3;
    auto opened = Watchdog::open(tmp.db(), platform, t0);
    REQUIRE(opened);
    Watchdog& watchdog = **opened;
    Alerts alerts({hook("noc", r.url("noc"))}, quick());
    // As main.cpp wires them.
    watchdog.on_change([&alerts, &controller](const std::vector<StateChange>& changes, const HealthMapPtr& health) {
        controller.set_health(health);
        alerts.on_changes(changes);
    });
    controller.on_accounts([&watchdog, &alerts](AccountsSnapshotPtr accounts) {
        watchdog.set_accounts(accounts);
        alerts.set_accounts(*accounts);
    });

    auto put = controller.put_settings(
        "a", "[health]\ndown_after = 1\n\n[[alert]]\nname = \"pager\"\nservices = \"http\"\nwebhook = \"" + r.url("a") + "\"\n",
        "a.toml", "tester");
    INFO((put ? std::string() : put.error()));
    REQUIRE(put);
    REQUIRE(controller.put_settings(
        "b", "[[alert]]\nname = \"pager\"\nservices = \"http\"\nwebhook = \"" + r.url("b") + "\"\n", "b.toml",
        "tester"));
    CHECK(watchdog.criteria_for("a.example").down_after == 1);
    CHECK(watchdog.criteria_for("b.example").down_after == 3);

    auto seen = [](const char* zone, const char* address, bool ok) {
        InstanceReport i;
        i.domain = zone;
        i.key = TupleKey{"http", "tcp", *Address::parse(address), 80};
        i.active_state = "active";
        i.probe = ProbeResult{"http", ok, 3, ok ? "" : "connection refused", ok ? 2u : 1u};
        return i;
    };
    auto report = [&](uint64_t seq, bool ok) {
        Report rep;
        rep.agent = "h1";
        rep.boot = "b1";
        rep.seq = seq;
        rep.at_ms = t0;
        rep.instances = {seen("a.example", "10.0.0.1", ok), seen("b.example", "10.0.0.2", ok)};
        std::vector<Report> v;
        v.push_back(std::move(rep));
        return v;
    };
    REQUIRE(watchdog.ingest(report(1, true), t0));
    REQUIRE(watchdog.ingest(report(2, false), t0 + 1000));  // one failure of each
    REQUIRE(alerts.wait_idle(5s));

    auto health = watchdog.health();
    CHECK(health->at(instance("a.example", "10.0.0.1")) == Health::down);  // a's down_after = 1
    CHECK(health->at(instance("b.example", "10.0.0.2")) == Health::up);    // the controller's 3
    auto a = r.at("/a");
    REQUIRE(a.size() == 1);
    CHECK(a[0]["instance"]["domain"] == "a.example");
    CHECK(r.at("/b").empty());  // b's own instance has not gone down
    auto noc = r.at("/noc");
    REQUIRE(noc.size() == 2);  // a's instance and the server
    CHECK(noc[0]["instance"]["domain"] == "a.example");
    CHECK(noc[1]["server"] == "h1");
}
