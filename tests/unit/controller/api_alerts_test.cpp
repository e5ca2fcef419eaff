// POST /v1/alerts/test and GET /metrics on a real Api on loopback, with a webhook
// receiver standing in for the channel.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <thread>

#include "alerts.h"
#include "api.h"
#include "api_alerts.h"
#include "temp_dir.h"

using namespace patchbay;
using namespace std::chrono_literals;

TEST_CASE("alert test body: the policy, or every policy") {
    struct Row {
        const char* body;
        std::optional<std::string> policy;
        const char* error;
    };
    auto acme = alert_test_from(R"({"account": "acme", "policy": "pager"})");
    REQUIRE(acme);
    CHECK(acme->account == "acme");
    CHECK(acme->policy == "pager");
    CHECK(!alert_test_from("{}")->account);
    const std::vector<Row> rows = {
        {"", std::nullopt, nullptr},
        {"{}", std::nullopt, nullptr},
        {R"({"policy": null})", std::nullopt, nullptr},
        {R"({"policy": "ops"})", "ops", nullptr},
        {R"({"policy": 3})", std::nullopt, "policy must be the name of an alert policy (text)"},
        {R"({"polcy": "ops"})", std::nullopt, "unknown field 'polcy' (expected: policy, account)"},
        {R"({"policy": "ops", "account": 1})", std::nullopt, "account must be the name of an account (text)"},
        {R"(["ops"])", std::nullopt, "body must be a JSON object"},
        {"{", std::nullopt, "body is not valid JSON"},
    };
    for (const auto& row : rows) {
        INFO(row.body);
        auto got = alert_test_from(row.body);
        if (row.error) {
            REQUIRE_FALSE(got);
            CHECK_THAT(got.error(), Catch::StartsWith(row.error));
        } else {
            REQUIRE(got);
            CHECK(got->policy == row.policy);
        }
    }
}

TEST_CASE("API: POST /v1/alerts/test and GET /metrics") {
    // The channel: a webhook receiver.
    httplib::Server hook;
    std::vector<std::string> hooked;
    std::mutex hook_mutex;
    hook.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(hook_mutex);
        hooked.push_back(req.body);
        res.status = 204;
    });
    int hook_port = hook.bind_to_any_port("127.0.0.1");
    std::thread hook_thread([&] { hook.listen_after_bind(); });
    while (!hook.is_running()) std::this_thread::sleep_for(1ms);

    test::TempDir dir;
    auto store = Store::open(dir.db());
    REQUIRE(store);
    Controller controller(std::move(*store), DnsSettings{});
    REQUIRE(controller.add_token("admin", "T0KEN"));

    AlertPolicy ops;
    ops.name = "ops";
    ops.webhook = "http://127.0.0.1:" + std::to_string(hook_port) + "/hook";
    AlertPolicy dead;
    dead.name = "dead";
    dead.webhook = "http://127.0.0.1:1/nobody";
    SenderOptions options;
    options.timeout = 2000ms;
    Alerts alerts({ops, dead}, options);

    auto api = Api::start(ApiServices{controller, nullptr, &alerts, [] { return std::string("m_total 1\n"); }},
                          *Endpoint::parse("127.0.0.1:0"));
    REQUIRE(api);
    httplib::Client client("127.0.0.1", (*api)->bound().port);
    httplib::Headers auth = {{"Authorization", "Bearer T0KEN"}};

    auto r = client.Post("/v1/alerts/test", auth, R"({"policy":"ops"})", "application/json");
    REQUIRE(r);
    CHECK(r->status == 200);
    auto body = nlohmann::json::parse(r->body);
    CHECK(body == nlohmann::json::parse(R"({"ok":true,"results":[{"policy":"ops","channel":"webhook","ok":true,"error":""}]})"));
    {
        std::lock_guard lock(hook_mutex);
        REQUIRE(hooked.size() == 1);
        CHECK(nlohmann::json::parse(hooked[0])["kind"] == "test");
        CHECK(nlohmann::json::parse(hooked[0])["policy"] == "ops");
    }

    r = client.Post("/v1/alerts/test", auth, "", "application/json");
    REQUIRE(r);
    CHECK(r->status == 200);
    body = nlohmann::json::parse(r->body);
    CHECK(body["ok"] == false);
    REQUIRE(body["results"].size() == 2);
    CHECK(body["results"][1]["policy"] == "dead");
    CHECK(body["results"][1]["ok"] == false);
    CHECK_THAT(body["results"][1]["error"].get<std::string>(), Catch::StartsWith("webhook: "));

    r = client.Post("/v1/alerts/test", auth, R"({"policy":"nope"})", "application/json");
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(nlohmann::json::parse(r->body)["error"] == "no alert policy named 'nope'");

    r = client.Post("/v1/alerts/test", auth, R"({"policy":1})", "application/json");
    REQUIRE(r);
    CHECK(r->status == 400);

    r = client.Post("/v1/alerts/test", R"({})", "application/json");
    REQUIRE(r);
    CHECK(r->status == 401);

    r = client.Get("/metrics", auth);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->get_header_value("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(r->body == "m_total 1\n");
    r = client.Get("/metrics");
    REQUIRE(r);
    CHECK(r->status == 401);

    // Without alerts or metrics: a clear 404 for the test, no /metrics route.
    api->reset();
    auto bare = Api::start(ApiServices{controller}, *Endpoint::parse("127.0.0.1:0"));
    REQUIRE(bare);
    httplib::Client bare_client("127.0.0.1", (*bare)->bound().port);
    r = bare_client.Post("/v1/alerts/test", auth, "{}", "application/json");
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK_THAT(nlohmann::json::parse(r->body)["error"].get<std::string>(),
               Catch::StartsWith("no alert policy is configured"));
    r = bare_client.Get("/metrics", auth);
    REQUIRE(r);
    CHECK(r->status == 404);

    hook.stop();
    hook_thread.join();
}
