// event_hub: the SSE framing and who-sees-what as pure functions, then the hub's fan-out
// read straight from its streams (no server; api_events_test.cpp has the wire).
#include <catch2/catch.hpp>

#include <mutex>
#include <string>
#include <vector>

#include "event_hub.h"

using namespace patchbay;
using nlohmann::json;

namespace {

Principal admin() { return {Role::admin, "", "root"}; }
Principal viewer(std::string account) { return {Role::account_viewer, std::move(account), "view"}; }

// What the stream has queued (nobody else reads it: it is attached to no connection).
std::string drain(HttpStream& s) {
    std::string out;
    char buf[256];
    for (;;) {
        auto got = s.read(buf, sizeof buf);
        if (got.what != HttpStream::Read::data) return out;
        out.append(buf, got.bytes);
    }
}

EventHubOptions quiet() {
    EventHubOptions o;
    o.keep_alive = std::chrono::hours(1);
    o.log = [](std::string_view) {};
    return o;
}

}  // namespace

TEST_CASE("SSE: an event is one frame, its JSON on one line") {
    CHECK(sse_frame("state", json{{"server", "h1"}, {"to", "down"}}) ==
          "event: state\ndata: {\"server\":\"h1\",\"to\":\"down\"}\n\n");
    // A newline inside a string stays escaped: the data line is never split.
    CHECK(sse_frame("change", json{{"note", "a\nb"}}) == "event: change\ndata: {\"note\":\"a\\nb\"}\n\n");
    CHECK(sse_frame("block", json::array()) == "event: block\ndata: []\n\n");
    // Bad UTF-8 in data is replaced, never a throw.
    CHECK(sse_frame("state", json{{"reason", std::string("\xff")}}) == "event: state\ndata: {\"reason\":\"\xef\xbf\xbd\"}\n\n");
    CHECK(sse_comment("keep-alive") == ": keep-alive\n\n");
}

TEST_CASE("SSE: admins see every event, account roles those naming their account") {
    Event platform{"state", json::object(), {}};
    Event of_a{"state", json::object(), {"a"}};
    Event of_a_and_b{"state", json::object(), {"b", "a"}};
    CHECK(may_see(admin(), platform));
    CHECK(may_see(admin(), of_a));
    CHECK_FALSE(may_see(viewer("a"), platform));
    CHECK(may_see(viewer("a"), of_a));
    CHECK(may_see(viewer("a"), of_a_and_b));
    CHECK_FALSE(may_see(viewer("c"), of_a_and_b));
    CHECK(may_see(Principal{Role::account_admin, "b", "t"}, of_a_and_b));
    CHECK_FALSE(may_see(Principal{Role::agent, "a", "t"}, of_a));
}

TEST_CASE("event hub: each subscriber gets what it may see, in publish order") {
    EventHub hub(quiet());
    auto root = hub.subscribe(admin());
    auto a = hub.subscribe(viewer("a"));
    CHECK(hub.subscribers() == 2);
    hub.publish({"state", json{{"n", 1}}, {"b"}});
    hub.publish({"state", json{{"n", 2}}, {"a"}});
    hub.publish({"block", json{{"n", 3}}, {}});
    CHECK(drain(*root) == ": connected\n\n" + sse_frame("state", {{"n", 1}}) + sse_frame("state", {{"n", 2}}) +
                              sse_frame("block", {{"n", 3}}));
    CHECK(drain(*a) == ": connected\n\n" + sse_frame("state", {{"n", 2}}));
}

TEST_CASE("event hub: a gone subscriber is pruned; publishing on is harmless") {
    EventHub hub(quiet());
    auto kept = hub.subscribe(admin());
    auto gone = hub.subscribe(admin());
    CHECK(hub.subscribers() == 2);
    gone.reset();  // the server freed it: the connection ended
    CHECK(hub.subscribers() == 1);
    hub.publish({"state", json{{"n", 1}}, {}});
    kept->detach();  // the connection ended while the handler still holds the stream
    hub.publish({"state", json{{"n", 2}}, {}});
    CHECK(hub.subscribers() == 0);
}

TEST_CASE("event hub: a subscriber too far behind is dropped with a log line") {
    auto lines = std::make_shared<std::vector<std::string>>();
    auto options = quiet();
    options.max_buffered = 200;
    options.log = [lines](std::string_view line) { lines->emplace_back(line); };
    EventHub hub(options);
    auto slow = hub.subscribe(Principal{Role::account_viewer, "a", "dash"});
    for (int i = 0; i < 20; ++i) hub.publish({"state", json{{"n", i}}, {"a"}});
    CHECK(hub.subscribers() == 0);
    CHECK_FALSE(slow->open());
    REQUIRE(lines->size() == 1);
    CHECK(lines->front() == "events: dropped a subscriber (token dash, account-viewer) more than 200 bytes behind");
}

TEST_CASE("event hub: a keep-alive comment every interval") {
    auto options = quiet();
    options.keep_alive = std::chrono::milliseconds(20);
    EventHub hub(options);
    auto s = hub.subscribe(viewer("a"));
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    auto got = drain(*s);
    CHECK(got.rfind(": connected\n\n: keep-alive\n\n: keep-alive\n\n", 0) == 0);
}

TEST_CASE("event hub: destroyed, it ends its subscribers' streams") {
    std::shared_ptr<HttpStream> s;
    {
        EventHub hub(quiet());
        s = hub.subscribe(admin());
    }
    CHECK_FALSE(s->open());
    CHECK(drain(*s) == ": connected\n\n");
    char buf[8];
    CHECK(s->read(buf, sizeof buf).what == HttpStream::Read::end);
}
