// The change log's API (api_changes.h): the query's parameters, and GET /v1/changes[/ID] on a real Api on loopback — authors,
// account isolation and hosts that applied a change.
#include <catch2/catch.hpp>

#include <httplib.h>

#include "api.h"
#include "api_changes.h"
#include "temp_dir.h"

using namespace patchbay;
using nlohmann::json;

TEST_CASE("the query's parameters") {
    auto plain = change_filter(std::nullopt, std::nullopt, std::nullopt);
    REQUIRE(plain);
    CHECK(plain->limit == 100);
    CHECK_FALSE(plain->zone);
    CHECK_FALSE(plain->after_id);
    auto some = change_filter("A.Example.", "1000", "5");
    REQUIRE(some);
    CHECK(some->zone == "a.example");
    CHECK(some->limit == 1000);
    CHECK(some->after_id == 5);
    CHECK(change_filter(std::nullopt, "1001", std::nullopt).error() ==
          "limit: must be a whole number from 1 to 1000, got '1001'");
    CHECK(change_filter(std::nullopt, "0", std::nullopt).kind() == ErrorKind::invalid);
    CHECK(change_filter(std::nullopt, "ten", std::nullopt).kind() == ErrorKind::invalid);
    CHECK(change_filter(std::nullopt, std::nullopt, "-1").error() ==
          "after: must be a change id (a whole number), got '-1'");
    CHECK_FALSE(change_filter("bad..name", std::nullopt, std::nullopt));
}

TEST_CASE("API: GET /v1/changes — authors, account isolation, hosts applied") {
    test::TempDir dir;
    auto store = Store::open(dir.db());
    REQUIRE(store);
    Controller controller(std::move(*store), DnsSettings{});
    REQUIRE(controller.add_token("root", "ADMIN"));
    REQUIRE(controller.add_account("a"));
    REQUIRE(controller.add_account("b"));
    auto a_admin = controller.create_token("a", Role::account_admin, "alice");
    auto a_viewer = controller.create_token("a", Role::account_viewer, "ann");
    auto b_admin = controller.create_token("b", Role::account_admin, "bob");
    REQUIRE(a_admin);
    REQUIRE(a_viewer);
    REQUIRE(b_admin);
    REQUIRE(controller.snapshot());
    auto watchdog = Watchdog::open((dir.dir / "history.db").string(), HealthCriteria{}, 1795000000000);
    REQUIRE(watchdog);

    auto api = Api::start(ApiServices{controller, watchdog->get()}, *Endpoint::parse("127.0.0.1:0"));
    REQUIRE(api);
    httplib::Client client("127.0.0.1", (*api)->bound().port);
    auto as = [](const std::string& token) { return httplib::Headers{{"Authorization", "Bearer " + token}}; };
    auto get = [&](const std::string& token, const std::string& path) {
        auto r = client.Get(path.c_str(), as(token));
        REQUIRE(r);
        return std::make_pair(r->status, r->body.empty() ? json() : json::parse(r->body));
    };

    // Changes by three tokens of two accounts.
    auto post = [&](const std::string& token, const std::string& path, const std::string& body) {
        auto r = client.Post(path.c_str(), as(token), body, "application/json");
        REQUIRE(r);
        INFO(r->body);
        CHECK(r->status / 100 == 2);
    };
    post(a_admin->token, "/v1/zones", R"({"name": "a.example"})");
    post(a_admin->token, "/v1/zones/a.example/tuples", R"({"service":"http","transport":"tcp","address":"10.0.0.1","port":80})");
    post(b_admin->token, "/v1/zones", R"({"name": "b.example"})");
    post("ADMIN", "/v1/zones/a.example/tuples", R"({"service":"http","transport":"tcp","address":"10.0.0.2","port":80})");

    auto [status, all] = get("ADMIN", "/v1/changes");
    CHECK(status == 200);
    REQUIRE(all.size() == 4);
    CHECK(all[0]["author"] == "token:root");
    CHECK(all[0]["zone"] == "a.example");
    CHECK(all[0]["serial"] == 3);
    CHECK(all[1]["author"] == "token:bob");
    CHECK(all[2]["author"] == "token:alice");
    CHECK(all[2]["action"] == "tuple add");
    CHECK(all[3]["action"] == "zone add");
    CHECK(all[0]["hosts"] == json::array());
    int64_t b_id = all[1]["id"];

    // Account a's tokens see a's changes only, whoever made them; b's change is as absent.
    for (const auto& token : {a_admin->token, a_viewer->token}) {
        auto [st, mine] = get(token, "/v1/changes");
        CHECK(st == 200);
        REQUIRE(mine.size() == 3);
        for (const auto& c : mine) CHECK(c["zone"] == "a.example");
        auto [st_b, other] = get(token, "/v1/changes/" + std::to_string(b_id));
        CHECK(st_b == 404);
        CHECK(other["error"] == "no change " + std::to_string(b_id));
        auto [st_z, zone_b] = get(token, "/v1/changes?zone=b.example");
        CHECK(st_z == 200);
        CHECK(zone_b.empty());
    }
    CHECK(get(a_admin->token, "/v1/changes/99999").first == 404);
    auto [st_bob, bobs] = get(b_admin->token, "/v1/changes");
    REQUIRE(bobs.size() == 1);
    CHECK(bobs[0]["author"] == "token:bob");
    CHECK(get(b_admin->token, "/v1/changes/" + std::to_string(b_id)).first == 200);

    // zone=, limit=, bad parameters.
    CHECK(get("ADMIN", "/v1/changes?zone=a.example").second.size() == 3);
    CHECK(get("ADMIN", "/v1/changes?zone=a.example&limit=1").second.size() == 1);
    auto [st_bad, bad] = get("ADMIN", "/v1/changes?limit=5000");
    CHECK(st_bad == 400);
    CHECK(bad["error"] == "limit: must be a whole number from 1 to 1000, got '5000'");
    CHECK(get("ADMIN", "/v1/changes/x").first == 400);

    // A host reporting serial 2 of a.example applied the changes up to serial 2.
    std::string report = R"({"reports": [{"agent": "h1", "boot": "b", "seq": 1, "at_ms": 1, "serials": {"a.example": 2}}]})";
    post("ADMIN", "/v1/reports", report);
    auto a_changes = get(a_viewer->token, "/v1/changes?zone=a.example").second;
    REQUIRE(a_changes.size() == 3);
    CHECK(a_changes[0]["serial"] == 3);
    for (auto& c : a_changes)
        for (auto& h : c["hosts"]) h.erase("last_report_ms");  // the controller's clock
    CHECK(a_changes[0]["status"] == "pending");
    CHECK(a_changes[0]["hosts"] ==
          json::parse(R"([{"server":"h1","serial":2,"applied":false,"status":"pending","detail":"at serial 2"}])"));
    CHECK(a_changes[0]["placed"] == json::parse(R"(["http/tcp 10.0.0.2:80"])"));
    CHECK(a_changes[1]["status"] == "applied");
    CHECK(a_changes[1]["hosts"] == json::parse(R"([{"server":"h1","serial":2,"applied":true,"status":"applied"}])"));
    CHECK(a_changes[2]["hosts"][0]["applied"] == true);
    auto one = get(a_viewer->token, "/v1/changes/" + std::to_string(int64_t(a_changes[1]["id"]))).second;
    CHECK(one["author"] == "token:alice");
    CHECK(one["hosts"][0]["applied"] == true);
    // b's change has no hosts: h1 reports no serial of b.example.
    CHECK(get("ADMIN", "/v1/changes/" + std::to_string(b_id)).second["hosts"] == json::array());

    // An agent token reads no change log (the gate).
    auto agent = controller.create_token("a", Role::agent, "ag");
    REQUIRE(agent);
    CHECK(get(agent->token, "/v1/changes").first == 403);
}
