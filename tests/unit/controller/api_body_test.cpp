// The REST API's request bodies (controller/api_body.h), table by table; the last case
// is the input the api_body fuzz target found (tests/fuzz/corpus/api_body/).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "api_body.h"

using namespace patchbay;
using nlohmann::json;

TEST_CASE("api body: zones, tuples and agents from JSON") {
    auto zone = parse_body(R"({"name":"hostdomain.com"})");
    REQUIRE(zone);
    CHECK(*zone_name_from(*zone) == "hostdomain.com");
    CHECK(zone_name_from(*parse_body(R"({"name":"a","ttl":1})")).error() == "unknown field 'ttl'");

    auto tuple = tuple_from("hostdomain.com",
                            *parse_body(R"({"service":"http","transport":"tcp","address":"10.10.10.123","port":8080,"priority":"2"})"));
    REQUIRE(tuple);
    CHECK(tuple->key.str() == "http/tcp 10.10.10.123:8080");
    CHECK(tuple->priority == 2);
    CHECK(tuple->weight == 100);
    CHECK(tuple_from("hostdomain.com", *parse_body(R"({"service":"http"})")).error() ==
          "field 'transport' is required");
    CHECK(tuple_from("hostdomain.com", *parse_body(R"({"service":"http","transport":"tcp","address":"10.0.0.1","port":1.5})"))
              .error() == "field 'port' must be a string or a whole number");

    // A wildcard notify address is replaced by the address the request came from.
    auto agent = agent_from(*parse_body(R"({"name":"h121","notify":"0.0.0.0:5300","domains":["HostDomain.com."]})"),
                            "10.10.10.121", 7);
    REQUIRE(agent);
    CHECK(agent->notify->str() == "10.10.10.121:5300");
    CHECK(agent->domains == std::vector<std::string>{"hostdomain.com"});
    CHECK(agent->registered_at == 7);
    CHECK(agent_from(*parse_body(R"({"name":"h","notify":"0.0.0.0:5300","domains":[]})"), "", 0).error() ==
          "field 'notify' is a wildcard and the peer address is unknown");
    CHECK(agent_from(*parse_body(R"({"name":"h","domains":[1]})"), "", 0).error() ==
          "field 'domains' must hold only strings");

    CHECK(parse_body("[1]").error() == "body must be a JSON object");
}

TEST_CASE("api body: a parse error quoting invalid UTF-8 still fits in a JSON reply") {
    // The bytes of {"se\xF2vice": — nlohmann quotes them in its message, and the API's
    // reply serializer throws on invalid UTF-8, which turned this 400 into a 500.
    auto body = parse_body("{\"se\xF2vice\":");
    REQUIRE_FALSE(body);
    CHECK(body.error().rfind("body is not valid JSON: ", 0) == 0);
    CHECK_NOTHROW(json{{"error", body.error()}}.dump());
}

TEST_CASE("api body: a number too large for JSON's doubles is bad input, not an internal error") {
    // nlohmann throws out_of_range, not parse_error, for it: the API answered 500.
    auto body = parse_body(R"({"port":66E6666})");
    REQUIRE_FALSE(body);
    CHECK_THAT(body.error(), Catch::Contains("number overflow"));
}
