// The alert policy engine, table by table: which changes alert, when, how often, and
// when a recovery follows.
#include <catch2/catch.hpp>

#include "alert.h"

using namespace patchbay;

namespace {

InstanceRef instance(const char* service, const char* address = "10.10.10.121", uint16_t port = 80) {
    return InstanceRef{"hostdomain.com", TupleKey{service, "tcp", *Address::parse(address), port}};
}

StateChange change(int64_t at_ms, const char* server, std::optional<InstanceRef> inst, Health from, Health to,
                   const char* reason = "") {
    return StateChange{at_ms, server, std::move(inst), from, to, reason, {}};
}

AlertPolicy policy(const char* name) {
    AlertPolicy p;
    p.name = name;
    p.webhook = "http://127.0.0.1:1/hook";
    return p;
}

// What a run sent, one short line a message: "KIND POLICY SERVER[/SERVICE] STATE@SINCE".
std::vector<std::string> lines(const std::vector<AlertMessage>& messages) {
    std::vector<std::string> out;
    for (const auto& m : messages) {
        std::string subject = m.subject.server;
        if (m.subject.instance) subject += "/" + m.subject.instance->key.service;
        out.push_back(m.kind + " " + m.policy + " " + subject + " " + std::string(health_name(m.state)) + "@" +
                      std::to_string(m.since_ms));
    }
    return out;
}

constexpr Health U = Health::up, W = Health::warning, D = Health::down, N = Health::unknown;

}  // namespace

TEST_CASE("alert engine: episodes, de-duplication, for_seconds and recovery") {
    AlertPolicy down = policy("down");  // defaults: states [down], all servers, no delay
    AlertPolicy slow = policy("slow");
    slow.states = {W, D};
    slow.for_ms = 10'000;
    AlertPolicy quiet = policy("quiet");
    quiet.recovery = false;
    AlertPolicy web = policy("web");
    web.servers = {"web*"};
    web.services = {"http", "sip?"};

    struct Row {
        const char* what;
        std::vector<AlertPolicy> policies;
        // Each batch: the changes and then the clock; the messages of all batches.
        std::vector<std::pair<std::vector<StateChange>, int64_t>> batches;
        std::vector<std::string> sent;
    };
    auto http = instance("http");
    const std::vector<Row> rows = {
        {"down alerts at once, up recovers",
         {down},
         {{{change(1000, "web1", http, U, D, "refused")}, 1000}, {{change(5000, "web1", http, D, U)}, 5000}},
         {"alert down web1/http down@1000", "recovery down web1/http up@5000"}},
        {"down⇒down repeats are one alert",
         {down},
         {{{change(1000, "web1", http, U, D)}, 1000},
          {{change(2000, "web1", http, D, D), change(3000, "web1", http, D, D)}, 3000}},
         {"alert down web1/http down@1000"}},
        {"warning is not in the default states", {down}, {{{change(1000, "web1", http, U, W)}, 1000}}, {}},
        {"a warning that goes away without a down sends nothing",
         {down},
         {{{change(1000, "web1", http, U, W), change(2000, "web1", http, W, U)}, 2000}},
         {}},
        {"warning⇒down inside the policy's states is one episode, one alert",
         {[&] {
             auto p = slow;
             p.for_ms = 0;
             return p;
         }()},
         {{{change(1000, "web1", http, U, W)}, 1000},
          {{change(2000, "web1", http, W, D)}, 2000},
          {{change(3000, "web1", http, D, U)}, 3000}},
         {"alert slow web1/http warning@1000", "recovery slow web1/http up@3000"}},
        {"for_seconds: nothing before it has held that long, then one alert with the start",
         {slow},
         {{{change(1000, "web1", http, U, D)}, 1000}, {{}, 10'999}, {{}, 11'000}, {{}, 30'000}},
         {"alert slow web1/http down@1000"}},
        {"flapping inside for_seconds sends nothing, not even a recovery",
         {slow},
         {{{change(1000, "web1", http, U, D), change(4000, "web1", http, D, U), change(6000, "web1", http, U, D),
            change(9000, "web1", http, D, U)},
           20'000}},
         {}},
        {"a flap restarts the clock: the episode is timed from its own start",
         {slow},
         {{{change(1000, "web1", http, U, D), change(4000, "web1", http, D, U), change(6000, "web1", http, U, D)},
           12'000},
          {{}, 16'000}},
         {"alert slow web1/http down@6000"}},
        {"recovery = false: the alert, no recovery",
         {quiet},
         {{{change(1000, "web1", http, U, D)}, 1000}, {{change(2000, "web1", http, D, U)}, 2000}},
         {"alert quiet web1/http down@1000"}},
        {"a new episode after a recovery alerts again",
         {down},
         {{{change(1000, "web1", http, U, D), change(2000, "web1", http, D, U), change(3000, "web1", http, U, D)},
           3000}},
         {"alert down web1/http down@1000", "recovery down web1/http up@2000", "alert down web1/http down@3000"}},
        {"server and service globs choose the subjects",
         {web},
         {{{change(1000, "db1", instance("http"), U, D), change(1000, "web2", instance("smtp"), U, D),
            change(1000, "web3", instance("sip1"), U, D), change(1000, "web4", instance("http"), U, D)},
           1000}},
         {"alert web web3/sip1 down@1000", "alert web web4/http down@1000"}},
        {"a server-level change matches only services \"*\"",
         {down, web},
         {{{change(1000, "web1", std::nullopt, U, D, "no report for 6 s")}, 1000}},
         {"alert down web1 down@1000"}},
        {"each instance and the server are subjects of their own",
         {down},
         {{{change(1000, "web1", http, U, D), change(1000, "web1", instance("http", "10.10.10.121", 8080), U, D),
            change(1000, "web1", std::nullopt, U, D)},
           1000}},
         {"alert down web1/http down@1000", "alert down web1/http down@1000", "alert down web1 down@1000"}},
        {"two policies alert on their own",
         {down, quiet},
         {{{change(1000, "web1", http, U, D)}, 1000}, {{change(2000, "web1", http, D, U)}, 2000}},
         {"alert down web1/http down@1000", "alert quiet web1/http down@1000", "recovery down web1/http up@2000"}},
        {"down⇒unknown ends the episode too",
         {down},
         {{{change(1000, "web1", http, U, D)}, 1000}, {{change(2000, "web1", http, D, N)}, 2000}},
         {"alert down web1/http down@1000", "recovery down web1/http unknown@2000"}},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        AlertEngine engine;
        std::vector<AlertMessage> sent;
        for (const auto& [changes, now] : row.batches) {
            auto out = step(row.policies, engine, changes, now);
            engine = out.engine;
            sent.insert(sent.end(), out.messages.begin(), out.messages.end());
        }
        CHECK(lines(sent) == row.sent);
    }
}

TEST_CASE("alert engine: the message carries the change's reason and subject") {
    auto http = instance("http");
    auto out = step({policy("p")}, {}, {change(1000, "web1", http, Health::up, Health::down, "probe http: refused")},
                    1000);
    REQUIRE(out.messages.size() == 1);
    auto j = alert_json(out.messages[0]);
    CHECK(j == nlohmann::json::parse(R"({"kind":"alert","policy":"p","server":"web1",
        "instance":{"domain":"hostdomain.com","service":"http","transport":"tcp","address":"10.10.10.121","port":80},
        "state":"down","since":"1970-01-01T00:00:01Z","since_ms":1000,"reason":"probe http: refused"})"));
    CHECK(alert_summary(out.messages[0]) == "ALERT down: web1 http/tcp 10.10.10.121:80 (hostdomain.com)");

    auto t = test_message(policy("p"), 0);
    CHECK(t.kind == "test");
    CHECK(alert_json(t)["instance"].is_null());
    CHECK(alert_summary(t) == "TEST down: patchbay-test");
}

TEST_CASE("alert engine: channel names") {
    AlertPolicy p = policy("p");
    p.email = EmailChannel{"smtp://127.0.0.1:25", "a@b", {"c@d"}, "", ""};
    p.command = {"/bin/true"};
    CHECK(channel_names(p) == std::vector<std::string>{"webhook", "email", "command"});
}
