#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "apply.h"
#include "env_file.h"
#include "plan_json.h"
#include "registration.h"
#include "seed.h"
#include "unit_name.h"

using namespace patchbay;

namespace {

Action start_of(const char* service, const char* address, const char* port, const char* priority) {
    Tuple t = test::tuple_of(service, address, port, priority);
    return Action{t.key, instance_unit("patchbay-" + std::string(service) + "@.service", t.key), t.domain,
                  t.priority, t.weight};
}

}  // namespace

TEST_CASE("plan_json: the shape --output json promises") {
    Plan plan;
    plan.start.push_back(start_of("http", "10.10.10.123", "8080", "2"));
    Action gone = start_of("smtp", "10.10.10.123", "23", "1");
    gone.domain.clear();
    gone.priority = gone.weight = 0;
    plan.stop.push_back(gone);
    auto j = plan_json(plan);
    auto want = nlohmann::json::parse(R"({
      "start": [{"service": "http", "transport": "tcp", "address": "10.10.10.123", "port": 8080,
                 "unit": "patchbay-http@10.10.10.123:8080-tcp.service", "domain": "hostdomain.com",
                 "priority": 2, "weight": 100}],
      "stop":  [{"service": "smtp", "transport": "tcp", "address": "10.10.10.123", "port": 23,
                 "unit": "patchbay-smtp@10.10.10.123:23-tcp.service", "domain": "",
                 "priority": 0, "weight": 0}],
      "keep":  []
    })");
    CHECK(j == want);
    CHECK(plan_json(Plan{}).dump() == R"({"keep":[],"start":[],"stop":[]})");
}

TEST_CASE("describe_action: one log line per action") {
    auto a = start_of("http", "10.10.10.121", "80", "1");
    CHECK(describe_action("start", a, {{"hostdomain.com", 7}}) ==
          "start patchbay-http@10.10.10.121:80-tcp.service (http/tcp 10.10.10.121:80, hostdomain.com serial 7)");
    a.domain.clear();
    CHECK(describe_action("stop", a, {}) ==
          "stop patchbay-http@10.10.10.121:80-tcp.service (http/tcp 10.10.10.121:80, not placed here any more)");
}

TEST_CASE("env_file: the tuple as the unit's environment") {
    auto a = start_of("http", "10.10.10.121", "80", "1");
    CHECK(env_file_text(a) ==
          "PATCHBAY_ADDRESS=10.10.10.121\nPATCHBAY_PORT=80\nPATCHBAY_TRANSPORT=tcp\n"
          "PATCHBAY_DOMAIN=hostdomain.com\nPATCHBAY_SERVICE=http\n");
    CHECK(env_file_path("/run/patchbay/env", a.unit) ==
          "/run/patchbay/env/patchbay-http@10.10.10.121:80-tcp.service.env");
}

TEST_CASE("env_file: atomic write and removal") {
    char dir_template[] = "/tmp/patchbay-env-test.XXXXXX";
    REQUIRE(mkdtemp(dir_template));
    std::string dir = std::string(dir_template) + "/sub/env";  // created on demand
    REQUIRE(write_env_file(dir, "u@x.service", "A=1\n").ok());
    REQUIRE(write_env_file(dir, "u@x.service", "A=2\n").ok());  // replaced whole
    std::ifstream in(env_file_path(dir, "u@x.service"));
    std::string text((std::istreambuf_iterator<char>(in)), {});
    CHECK(text == "A=2\n");
    CHECK(remove_env_file(dir, "u@x.service").ok());
    CHECK(remove_env_file(dir, "u@x.service").ok());  // already gone is fine
    std::string cleanup = "rm -rf " + std::string(dir_template);
    CHECK(std::system(cleanup.c_str()) == 0);
}

TEST_CASE("registration: body and token") {
    auto body = registration_body("web-1", "0.0.0.0:5300", {"hostdomain.com"});
    CHECK(body == nlohmann::json::parse(R"({"name":"web-1","notify":"0.0.0.0:5300","domains":["hostdomain.com"]})"));
    auto silent = registration_body("web-1", "", {"a.example", "b.example"});
    CHECK(!silent.contains("notify"));
    CHECK(silent["domains"].size() == 2);

    char path[] = "/tmp/patchbay-token-test.XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, "  s3cret-token\n\n", 16) == 16);
    close(fd);
    auto token = read_token(path);
    REQUIRE(token.ok());
    CHECK(*token == "s3cret-token");
    unlink(path);
    CHECK(!read_token("/nonexistent/token").ok());
}
