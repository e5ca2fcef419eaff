// The settings and explain routes' inputs (controller/api_body.h): bodies, versions and
// times, table by table.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "api_body.h"

using namespace patchbay;

namespace {
int64_t unix_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
}  // namespace

TEST_CASE("api body: settings files, rollbacks, versions") {
    auto s = settings_from(*parse_body(R"({"text":"[mapping]\nttl = 5\n","file":"acme.toml"})"));
    REQUIRE(s);
    CHECK(s->text == "[mapping]\nttl = 5\n");
    CHECK(s->file == "acme.toml");
    CHECK(settings_from(*parse_body(R"({"text":""})"))->file == "settings.toml");
    CHECK(settings_from(*parse_body(R"({"file":"a.toml"})")).error() == "field 'text' is required");
    CHECK(settings_from(*parse_body(R"({"text":"","txt":1})")).error() == "unknown field 'txt'");
    CHECK(settings_from(*parse_body(R"({"text":"","file":"a\nb"})")).error().find("one line") != std::string::npos);
    CHECK(!settings_from(*parse_body(R"({"text":"","file":""})")));
    CHECK(!settings_from(*parse_body(R"({"text":"","file":["a"]})")));

    CHECK(*rollback_from(*parse_body(R"({"version":3})")) == 3);
    for (const char* bad : {R"({})", R"({"version":0})", R"({"version":-1})", R"({"version":"3"})",
                            R"({"version":1.5})", R"({"version":1,"x":1})"})
        CHECK(!rollback_from(*parse_body(bad)));

    CHECK(*version_from("12") == 12);
    for (const char* bad : {"", "0", "-1", "1x", "x", "99999999999999999999"}) CHECK(!version_from(bad));
    CHECK(version_from("1x").error() == "settings version '1x' is not a number of 1 or more");
}

TEST_CASE("api body: times of explain's at=") {
    struct Row {
        const char* text;
        int64_t unix;
    };
    const std::vector<Row> good = {
        {"0", 0},
        {"1764921600", 1764921600},
        {"2026-12-05T08:00:00Z", 1796457600},
        {"2026-12-05t08:00:00z", 1796457600},
        {"2026-12-05T09:00:00+01:00", 1796457600},
        {"2026-12-05T03:30:00-04:30", 1796457600},
        {"2024-02-29T00:00:00Z", 1709164800},
        {"7258118399", 7258118399},
        {"2199-12-31T23:59:59Z", 7258118399},
    };
    for (const auto& row : good) {
        INFO(row.text);
        auto t = time_from(row.text);
        REQUIRE(t);
        CHECK(unix_seconds(*t) == row.unix);
    }
    for (const char* bad : {"", "yesterday", "2026-12-05", "2026-12-05T08:00:00", "2026-13-05T08:00:00Z",
                            "2026-02-30T08:00:00Z", "2026-12-05T24:00:00Z", "2026-12-05T08:00:00+25:00",
                            "2026-12-05T08:00:00Zx", "-5", "1e9", "99999999999999999999",
                            "79794576457", "7258118400", "2200-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                            "1969-12-31T23:59:59Z"}) {
        INFO(bad);
        auto t = time_from(bad);
        REQUIRE(!t);
        CHECK(t.error().starts_with("at: '"));
    }
}

TEST_CASE("api body: a zone from a template") {
    auto z = zone_from(*parse_body(R"({"name":"t.example","account":"a","template":"web"})"));
    REQUIRE(z);
    CHECK(z->template_name == "web");
    CHECK(zone_from(*parse_body(R"({"name":"t.example"})"))->template_name.empty());
    CHECK(zone_from(*parse_body(R"({"name":"t.example","template":"web"})")).error() ==
          "a template needs an account (field 'account')");
}
