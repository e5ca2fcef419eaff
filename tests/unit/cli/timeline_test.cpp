// `patchbay timeline`: the request it makes, and what it draws, byte for byte against the
// golden files in golden/ (the answers there are GET /v1/timelines answers). To write the
// goldens anew after a deliberate change: PATCHBAY_UPDATE_GOLDEN=1 ./cli-tests "timeline*",
// then read the diff before committing it.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli_run.h"
#include "command.h"
#include "timeline.h"

using namespace patchbay;

namespace {

std::string golden_path(const std::string& name) { return std::string(PATCHBAY_SOURCE_DIR) + "/tests/unit/cli/golden/" + name; }

std::string read(const std::string& name) {
    std::ifstream in(golden_path(name), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void check_golden(const std::string& answer, const TimelineStyle& style, const std::string& golden) {
    auto body = nlohmann::json::parse(read(answer));
    std::string drawn = render_timeline(body, style);
    if (const char* update = std::getenv("PATCHBAY_UPDATE_GOLDEN"); update && *update == '1') {
        std::ofstream(golden_path(golden), std::ios::binary) << drawn;
        WARN("wrote " << golden);
    }
    INFO(golden << ":\n" << drawn);
    CHECK(drawn == read(golden));
}

}  // namespace

TEST_CASE("timeline: letters when not a terminal; events under their periods") {
    check_golden("fleet.json", TimelineStyle{false, 80}, "fleet.txt");
}

TEST_CASE("timeline: coloured blocks whose height says the state too") {
    check_golden("fleet.json", TimelineStyle{true, 80}, "fleet.color.txt");
}

TEST_CASE("timeline: a narrow terminal gets several periods per column, the worst of them") {
    check_golden("fleet.json", TimelineStyle{false, 24}, "fleet.narrow.txt");
}

TEST_CASE("timeline: one server, and a server with no data yet") {
    check_golden("one-server.json", TimelineStyle{false, 80}, "one-server.txt");
    check_golden("no-data.json", TimelineStyle{false, 80}, "no-data.txt");
}

TEST_CASE("timeline: the columns of one period line up on every line") {
    auto body = nlohmann::json::parse(read("fleet.json"));
    std::istringstream lines(render_timeline(body, TimelineStyle{false, 80}));
    std::string header, h1, h2, web3, events;
    std::getline(lines, header);
    std::getline(lines, h1);
    std::getline(lines, h2);
    std::getline(lines, web3);
    std::getline(lines, events);
    // The network event of period 4 (h1 and h2 down) and web-3's server events.
    const size_t first = h1.find_first_of("UWD.", 5);
    CHECK(h1.substr(first, 12) == "..UUDDUUUUUU");
    CHECK(h2.substr(first, 12) == "..UUDUUUUUUU");
    CHECK(web3.substr(first, 12) == ".UUUUUUWWUDD");
    CHECK(events.substr(first) == "    N  S  S");
}

TEST_CASE("timeline: the request, and bad options refused before asking") {
    auto plan = [](std::vector<std::string> argv) { return cli_test::plan(std::move(argv)); };
    CHECK(plan({"timeline"})->path == "/v1/timelines");
    CHECK(plan({"timeline", "--range", "7d", "--period", "1h"})->path == "/v1/timelines?range=7d&period=1h");
    // Every --server, each escaped as a query value.
    auto inv = parse_invocation({"timeline", "--server", "h1", "--server", "web 3"}, cli_test::no_env);
    REQUIRE(inv);
    auto marked = plan_request(*inv, [](const std::string& v) { return "<" + v + ">"; });
    REQUIRE(marked);
    CHECK(marked->path == "/v1/timelines?server=<h1>&server=<web 3>");
    auto bad = plan({"timeline", "--range", "1y"});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error() == "--range: '1y' is not a duration (a number then s, m, h, d or w)");
    CHECK_FALSE(plan({"timeline", "--period", "0m"}).ok());
    CHECK(plan({"timeline", "extra"}).error().rfind("usage: patchbay timeline", 0) == 0);
    CHECK(plan({"servers", "ls", "--server", "h1"}).error() == "--server only goes with 'timeline'");
    CHECK(plan({"zone", "ls", "--range", "1h"}).error() == "--range only goes with 'timeline'");
}

TEST_CASE("timeline: colour and width from the terminal's facts") {
    auto style = [](bool terminal, const char* no_color, int cols, const char* columns) {
        auto s = choose_style(terminal, no_color, cols, columns);
        return std::to_string(s.color) + " " + std::to_string(s.width);
    };
    CHECK(style(true, nullptr, 120, nullptr) == "1 120");
    CHECK(style(true, "1", 120, nullptr) == "0 120");    // NO_COLOR
    CHECK(style(true, "", 120, nullptr) == "1 120");     // set but empty: ignored (no-color.org)
    CHECK(style(false, nullptr, 0, nullptr) == "0 80");  // a pipe
    CHECK(style(false, nullptr, 0, "40") == "0 40");     // COLUMNS
    CHECK(style(true, nullptr, 0, "40") == "1 40");      // a terminal that does not say
    CHECK(style(false, nullptr, 0, "wide") == "0 80");
    CHECK(style(false, nullptr, 0, "0") == "0 80");
}

TEST_CASE("timeline: odd answers draw without crashing; unknown states show as '?'") {
    CHECK(render_timeline(nlohmann::json::object(), TimelineStyle{}) ==
          "1970-01-01T00:00:00Z – 1970-01-01T00:00:00Z, 0 blocks of 0s\n"
          "U up  W warning  D down  . no data  N network event  S server event\n");
    auto body = nlohmann::json::parse(R"({"periods": [0, 60000], "period_ms": 60000,
        "servers": [{"name": "h", "state": "maintenance", "blocks": ["maintenance", "up"]}, {"name": "x"}]})");
    auto drawn = render_timeline(body, TimelineStyle{});
    CHECK(drawn.find("h       ?U  maintenance\n") != std::string::npos);
    CHECK(drawn.find("x       ..  \n") != std::string::npos);
}

TEST_CASE("timeline: only the newest 10 events are listed") {
    nlohmann::json body = {{"period_ms", 60000}, {"periods", nlohmann::json::array()}, {"events", nlohmann::json::array()}};
    for (int i = 0; i < 12; ++i) {
        body["periods"].push_back(i * 60000);
        body["events"].push_back({{"period_ms", i * 60000}, {"kind", "server"}, {"servers", {"h" + std::to_string(i)}}});
    }
    auto drawn = render_timeline(body, TimelineStyle{});
    CHECK(drawn.find("(2 earlier events not listed)") != std::string::npos);
    CHECK(drawn.find("server event: h1\n") == std::string::npos);
    CHECK(drawn.find("server event: h2\n") != std::string::npos);
    CHECK(drawn.find("server event: h11\n") != std::string::npos);
}
