// The agent's /metrics server on loopback, and its `metrics_listen` key.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <atomic>
#include <thread>

#include "config.h"
#include "metrics.h"
#include "metrics_server.h"

using namespace patchbay;

TEST_CASE("agent metrics server: GET /metrics serves the latest published text") {
    MetricsText board;
    board.publish(render_metrics({{"patchbay_agent_up", "Whether the agent runs.", "gauge", {{{}, 1}}}}));
    auto server = MetricsServer::start(*Endpoint::parse("127.0.0.1:0"), [&board] { return board.read(); });
    REQUIRE(server);
    CHECK((*server)->bound().port != 0);
    httplib::Client client("127.0.0.1", (*server)->bound().port);

    auto r = client.Get("/metrics");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->get_header_value("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(r->body == "# HELP patchbay_agent_up Whether the agent runs.\n# TYPE patchbay_agent_up gauge\n"
                     "patchbay_agent_up 1\n");

    // Published from another thread while scrapes run: every answer is one whole text.
    std::atomic<bool> done{false};
    board.publish("m 0\n");  // before the thread runs: the first scrape must not see the old text
    std::thread loop([&] {
        for (int i = 1; !done; ++i) board.publish("m " + std::to_string(i) + "\n");
    });
    for (int i = 0; i < 20; ++i) {
        auto got = client.Get("/metrics");
        REQUIRE(got);
        CHECK_THAT(got->body, Catch::Matches("m \\d+\n"));
    }
    done = true;
    loop.join();

    r = client.Get("/other");
    REQUIRE(r);
    CHECK(r->status == 404);

    // A callback that throws is a 500, and the server goes on.
    auto throwing = MetricsServer::start(*Endpoint::parse("127.0.0.1:0"),
                                         []() -> std::string { throw std::runtime_error("no text yet"); });
    REQUIRE(throwing);
    httplib::Client throwing_client("127.0.0.1", (*throwing)->bound().port);
    r = throwing_client.Get("/metrics");
    REQUIRE(r);
    CHECK(r->status == 500);

    // The same port twice: a clear error.
    auto taken = MetricsServer::start((*server)->bound(), [] { return std::string(); });
    REQUIRE_FALSE(taken);
    CHECK(taken.error() == "cannot listen for /metrics on " + (*server)->bound().str());

    // Stopping joins the thread; the port is free again.
    Endpoint was = (*server)->bound();
    server->reset();
    auto again = MetricsServer::start(was, [] { return std::string("x 1\n"); });
    CHECK(again);
}

TEST_CASE("agent config: metrics_listen") {
    const ConfigDefaults defaults{"host1", {*Endpoint::parse("192.0.2.53:53")}};
    const std::string svc = "[services.http]\nunit = \"patchbay-http@.service\"\n";
    auto off = parse_config("[agent]\ndomains = [\"a.com\"]\n" + svc, "agent.toml", defaults);
    REQUIRE(off);
    CHECK_FALSE(off->metrics_listen);
    auto on = parse_config("[agent]\ndomains = [\"a.com\"]\nmetrics_listen = \"127.0.0.1:9531\"\n" + svc,
                           "agent.toml", defaults);
    REQUIRE(on);
    REQUIRE(on->metrics_listen);
    CHECK(on->metrics_listen->str() == "127.0.0.1:9531");
    auto bad = parse_config("[agent]\ndomains = [\"a.com\"]\nmetrics_listen = \"9531\"\n" + svc, "agent.toml",
                            defaults);
    REQUIRE_FALSE(bad);
    CHECK_THAT(bad.error(), Catch::StartsWith("agent.toml:3:18: bad metrics_listen '9531' (want ADDR:PORT)"));
    auto not_text = parse_config("[agent]\ndomains = [\"a.com\"]\nmetrics_listen = 9531\n" + svc, "agent.toml",
                                 defaults);
    REQUIRE_FALSE(not_text);
    CHECK_THAT(not_text.error(), Catch::StartsWith("agent.toml:3:18: 'metrics_listen' must be a string"));
}
