// `tuple move` (move.h): which tuples move where, the errors that stop it before
// anything changes, and the watchdog's word on an instance.
#include <catch2/catch.hpp>

#include "cli_run.h"
#include "move.h"

using namespace patchbay;
using namespace patchbay::cli_test;
using nlohmann::json;

namespace {

const json kTuples = json::parse(R"([
  {"zone":"a.example","service":"http","transport":"tcp","address":"10.0.0.1","port":80,"priority":1,"weight":50,"target":""},
  {"zone":"a.example","service":"http","transport":"tcp","address":"10.0.0.1","port":8080,"priority":2,"weight":100,"target":""},
  {"zone":"a.example","service":"http","transport":"udp","address":"10.0.0.1","port":80,"priority":1,"weight":100,"target":""},
  {"zone":"a.example","service":"sip","transport":"udp","address":"10.0.0.5","port":5060,"priority":1,"weight":100,"target":"sip.a.example"},
  {"zone":"a.example","service":"http","transport":"tcp","address":"10.0.0.9","port":8080,"priority":1,"weight":100,"target":""}
])");

}  // namespace

TEST_CASE("tuple move: every port of FROM, or one, to TO with the same port, priority and weight") {
    auto all = plan_move(kTuples, "a.example", "http", "tcp", "10.0.0.1", "10.0.0.2");
    REQUIRE(all);
    REQUIRE(all->size() == 2);
    CHECK((*all)[0].from.key.port == 80);
    CHECK((*all)[0].to.key.address.str() == "10.0.0.2");
    CHECK((*all)[0].to.key.port == 80);
    CHECK((*all)[0].to.priority == 1);
    CHECK((*all)[0].to.weight == 50);
    CHECK((*all)[1].to.key.port == 8080);
    auto one = plan_move(kTuples, "a.example", "http", "tcp", "10.0.0.1:8080", "10.0.0.2");
    REQUIRE(one);
    REQUIRE(one->size() == 1);
    CHECK(one->front().to.priority == 2);
}

TEST_CASE("tuple move: refused before anything changes") {
    CHECK(plan_move(kTuples, "a.example", "http", "tcp", "10.0.0.7", "10.0.0.2").kind() == ErrorKind::not_found);
    CHECK(plan_move(kTuples, "a.example", "http", "tcp", "10.0.0.1", "10.0.0.1").error() ==
          "FROM and TO are the same address");
    CHECK(plan_move(kTuples, "a.example", "http", "tcp", "10.0.0.1:8080", "10.0.0.9").error() ==
          "http/tcp 10.0.0.9:8080 is in a.example already");
    CHECK_THAT(plan_move(kTuples, "a.example", "sip", "udp", "10.0.0.5", "10.0.0.6").error(),
               Catch::Contains("has an explicit target (sip.a.example): move it by hand"));
    CHECK(plan_move(kTuples, "a.example", "http", "tcp", "10.0.0.1", "nowhere").kind() == ErrorKind::invalid);
    CHECK(plan({"tuple", "move", "a.example", "http", "tcp", "10.0.0.1", "10.0.0.300"}).error().starts_with("TO: "));
    CHECK(plan({"tuple", "move", "a.example", "http", "tcp", "x", "10.0.0.2"}).error() ==
          "FROM: 'x' is not an ADDRESS or ADDRESS:PORT");
    auto request = plan({"tuple", "move", "a.example", "http", "tcp", "[2001:db8::1]:80", "2001:db8::2", "--timeout", "2m"});
    REQUIRE(request);
    CHECK(request->path == "/v1/zones/a.example/tuples");
}

TEST_CASE("tuple move: the watchdog's state of the new instance") {
    json server = json::parse(R"({"name":"h2","instances":[
      {"domain":"a.example","service":"http","transport":"tcp","address":"10.0.0.2","port":80,"state":"up"},
      {"domain":"b.example","service":"http","transport":"tcp","address":"10.0.0.3","port":80,"state":"down"}]})");
    TupleKey key{"http", "tcp", *Address::parse("10.0.0.2"), 80};
    CHECK(instance_state(server, "a.example", key) == "up");
    CHECK(instance_state(server, "b.example", key) == "");
    key.address = *Address::parse("10.0.0.3");
    CHECK(instance_state(server, "b.example", key) == "down");
    CHECK(instance_state(json::object(), "a.example", key) == "");
}
