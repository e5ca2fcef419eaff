// The registration POST on the CurlLoop (json_post.h) against a small server.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <thread>

#include "event_loop.h"
#include "json_post.h"
#include "registration.h"

using namespace patchbay;
using patchbay::test::Loop;

TEST_CASE("json post: answers, statuses and transport errors, without blocking") {
    httplib::Server server;
    std::string seen_auth, seen_body;
    server.Post("/v1/agents", [&](const httplib::Request& req, httplib::Response& res) {
        seen_auth = req.get_header_value("Authorization");
        seen_body = req.body;
        if (req.body.find("\"bad\"") != std::string::npos) {
            res.status = 409;
            res.set_content("{\"error\":\"name taken\"}", "application/json");
            return;
        }
        res.set_content("{\"ok\":true}", "application/json");
    });
    int port = server.bind_to_any_port("127.0.0.1");
    std::thread thread([&] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::string base = "http://127.0.0.1:" + std::to_string(port);

    Loop loop;
    auto curl = CurlLoop::create(loop.get()).value();
    JsonPost post(*curl);
    std::optional<Result<ApiAnswer>> got;
    auto send = [&](const std::string& url, const nlohmann::json& body) {
        got.reset();
        post.post(url, "tok", body, 2000, [&](Result<ApiAnswer> a) { got = std::move(a); });
        CHECK(post.busy());
        CHECK_FALSE(got);  // the answer comes later, from the loop
        REQUIRE(loop.run_until([&] { return got.has_value(); }));
    };

    send(base + "/v1/agents", registration_body("web-1", "", {"a.example"}));
    REQUIRE(got->ok());
    CHECK((*got)->status == 200);
    CHECK((*got)->body["ok"] == true);
    CHECK(seen_auth == "Bearer tok");
    CHECK(nlohmann::json::parse(seen_body)["name"] == "web-1");
    CHECK(registration_outcome(base, **got).ok());

    send(base + "/v1/agents", registration_body("bad", "", {"a.example"}));
    REQUIRE(got->ok());
    CHECK((*got)->status == 409);
    auto outcome = registration_outcome(base, **got);
    REQUIRE_FALSE(outcome.ok());
    CHECK(outcome.error() == "POST " + base + "/v1/agents: HTTP 409 \"name taken\"");

    server.stop();
    thread.join();
    send(base + "/v1/agents", registration_body("web-1", "", {"a.example"}));
    REQUIRE_FALSE(got->ok());
    CHECK(got->kind() == ErrorKind::unavailable);
    CHECK(got->error().starts_with("cannot reach " + base + "/v1/agents: "));
}
