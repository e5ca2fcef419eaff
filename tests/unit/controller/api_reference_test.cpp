// docs/api.md against the API's own router: every route the controller serves has a
// "### METHOD /path" heading there, and every such heading is a route it serves.
//
// Why the router and not the source text or a running controller: api_router() builds
// the very router Api::start serves (same function, same order), here with every
// optional part present as patchbay-controller's main() sets them (watchdog, alerts,
// metrics, arrangements, events), so a route added anywhere — in a new api_*.cpp or
// behind a new option — shows up here without this test knowing where it comes from.
// HttpRouter::routes() gives each (method, pattern) as it was added. A pattern's regex
// groups ("([^/]+)", "([0-9]+)", …) and the doc's placeholders ("{zone}", "{id}") both
// read "{}", so `/v1/zones/([^/]+)/tuples` and `/v1/zones/{zone}/tuples` are one route.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "alerts.h"
#include "api.h"
#include "arrangements.h"
#include "controller.h"
#include "event_hub.h"
#include "http_server.h"
#include "temp_dir.h"
#include "watchdog.h"

using namespace patchbay;

namespace {

// "/v1/zones/([^/]+)/tuples" ⇒ "/v1/zones/{}/tuples" (the API's patterns have no nested groups).
std::string from_pattern(const std::string& pattern) {
    return std::regex_replace(pattern, std::regex(R"(\([^)]*\))"), "{}");
}

// "/v1/zones/{zone}/tuples" ⇒ "/v1/zones/{}/tuples".
std::string from_doc(const std::string& path) { return std::regex_replace(path, std::regex(R"(\{[^}]*\})"), "{}"); }

std::set<std::string> served_routes() {
    test::TempDir dir;
    auto store = Store::open(dir.db());
    REQUIRE(store);
    Controller controller(std::move(*store), DnsSettings{});
    auto watchdog = Watchdog::open(dir.db(), HealthCriteria{}, 0);
    REQUIRE(watchdog);
    auto arrangements = Arrangements::open(dir.db());
    REQUIRE(arrangements);
    EventHub events;
    Alerts alerts(std::vector<AlertPolicy>{});
    ApiServices services{controller};
    services.watchdog = watchdog->get();
    services.alerts = &alerts;
    services.metrics = [] { return std::string(); };
    services.arrangements = arrangements->get();
    services.events = &events;
    std::set<std::string> out;
    for (const auto& r : api_router(services).routes()) out.insert(r.method + " " + from_pattern(r.pattern));
    return out;
}

// Every "### METHOD /path" heading of docs/api.md.
std::set<std::string> documented_routes() {
    std::ifstream in(std::string(PATCHBAY_SOURCE_DIR) + "/docs/api.md");
    REQUIRE(in);
    static const std::regex heading(R"(^### (GET|POST|PUT|DELETE|PATCH|HEAD) (/\S*)\s*$)");
    std::set<std::string> out;
    std::string line;
    std::smatch m;
    while (std::getline(in, line))
        if (std::regex_match(line, m, heading)) out.insert(m[1].str() + " " + from_doc(m[2].str()));
    return out;
}

}  // namespace

TEST_CASE("api reference: placeholders and patterns read alike") {
    CHECK(from_pattern(R"(/v1/zones/([^/]+)/tuples/([^/]+)/([^/]+)/([^/]+)/([^/]+))") ==
          "/v1/zones/{}/tuples/{}/{}/{}/{}");
    CHECK(from_pattern(R"(/v1/timelines/([^/]+)/blocks/([0-9]+))") == "/v1/timelines/{}/blocks/{}");
    CHECK(from_pattern(R"(/ui/([A-Za-z0-9._-]*))") == "/ui/{}");
    CHECK(from_pattern("/v1/zones") == "/v1/zones");
    CHECK(from_doc("/v1/zones/{zone}/tuples/{service}/{transport}/{address}/{port}") ==
          "/v1/zones/{}/tuples/{}/{}/{}/{}");
}

TEST_CASE("api reference: docs/api.md documents every route the controller serves, and no other") {
    auto served = served_routes();
    auto documented = documented_routes();
    REQUIRE(served.size() > 40);  // the whole API was built, not a part of it
    for (const auto& route : served) {
        INFO("served but not documented in docs/api.md (add a '### " << route << "' section)");
        CHECK(documented.count(route) == 1);
    }
    for (const auto& route : documented) {
        INFO("documented in docs/api.md but not served: " << route);
        CHECK(served.count(route) == 1);
    }
}
