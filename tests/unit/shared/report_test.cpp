#include <catch2/catch.hpp>

#include "report.h"

using namespace patchbay;
using nlohmann::json;

namespace {

Report sample() {
    Report r;
    r.agent = "host-121";
    r.boot = "b7f3";
    r.seq = 42;
    r.at_ms = 1795000000000;
    r.serials = {{"hostdomain.com", 2026112301}};
    r.host = HostMetrics{0.25, 0.5, 0.75};
    InstanceReport i;
    auto t = parse_tuple("hostdomain.com", "http", "tcp", "10.10.10.121", "80");
    REQUIRE(t);
    i.domain = t->domain;
    i.key = t->key;
    i.unit = "patchbay-http@10.10.10.121:80.service";
    i.active_state = "active";
    i.probe = ProbeResult{"http", false, 12.5, "HTTP 503, expected 200", 3};
    i.memory_bytes = 1u << 20;
    i.cpu_nsec = 123456789;
    i.active_state = "failed";
    i.error = "exit-code: status 1";
    r.instances.push_back(i);
    i.active_state = "active";
    i.error.clear();
    i.key.port = 81;
    i.probe.reset();
    i.memory_bytes.reset();
    i.cpu_nsec.reset();
    r.instances.push_back(i);
    r.addresses = std::vector<std::string>{"10.10.10.121", "2001:db8::1"};
    r.catalog = std::vector<std::string>{"http/tcp", "sip/udp"};
    return r;
}

}  // namespace

TEST_CASE("a report survives its JSON form unchanged, alone and in a batch") {
    Report r = sample();
    auto back = report_from(to_json(r));
    REQUIRE(back);
    CHECK(*back == r);
    Report old = r;  // from an agent older than convergence tracking
    old.addresses.reset();
    old.catalog.reset();
    auto old_back = report_from(to_json(old));
    REQUIRE(old_back);
    CHECK_FALSE(old_back->addresses);
    CHECK_FALSE(old_back->catalog);
    Report second = r;
    second.seq = 43;
    auto batch = reports_from(json::parse(reports_body({r, second}).dump()));
    REQUIRE(batch);
    REQUIRE(batch->size() == 2);
    CHECK((*batch)[0] == r);
    CHECK((*batch)[1].seq == 43);
}

TEST_CASE("a bad report is refused with the path of the bad field") {
    struct Row {
        const char* pointer;  // JSON pointer into a batch of one
        json value;
        const char* says;
    };
    const std::vector<Row> rows = {
        {"/reports/0/seq", 0, "reports[0].seq: must be 1 or more"},
        {"/reports/0/seq", "7", "reports[0].seq: must be a whole number"},
        {"/reports/0/agent", "", "reports[0].agent: must not be empty"},
        {"/reports/0/instances/1/port", 70000, "reports[0].instances[1].port: must be a whole number 0..65535"},
        {"/reports/0/instances/0/address", "10.0.0.300", "reports[0].instances[0]: address: not an IP address"},
        {"/reports/0/instances/0/probe/ok", "yes", "reports[0].instances[0].probe.ok: must be true or false"},
        {"/reports/0/instances/0/probe/streak", 0, "reports[0].instances[0].probe.streak: must be 1 or more"},
        {"/reports/0/host/cpu", 1.5, "reports[0].host.cpu: must be a number 0..1"},
        {"/reports/0/serials/hostdomain.com", -1, "reports[0].serials.hostdomain.com: must be a whole number"},
        {"/reports/0/addresses/1", "10.0.0", "reports[0].addresses[1]: not an IP address"},
        {"/reports/0/addresses", "10.0.0.1", "reports[0].addresses: must be an array"},
        {"/reports/0/catalog/0", "http", "reports[0].catalog[0]: http: must be SERVICE/TRANSPORT"},
        {"/reports/0/catalog/1", "sip/carrier", "reports[0].catalog[1]: sip/carrier: "},
        {"/reports/0/instances/0/error", 7, "reports[0].instances[0].error: must be a string"},
        {"/reports/0/colour", "red", "reports[0].colour: unknown field"},
        {"/reports/0/instances/0/colour", "red", "reports[0].instances[0].colour: unknown field"},
    };
    for (const auto& row : rows) {
        json body = reports_body({sample()});
        body[json::json_pointer(row.pointer)] = row.value;
        auto r = reports_from(body);
        INFO(row.pointer);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error(), Catch::Contains(row.says));
    }
    CHECK_THAT(reports_from(json{{"reports", 3}}).error(), Catch::Contains("reports: is required, an array"));
    CHECK_THAT(reports_from(json::array()).error(), Catch::Contains("body: must be a JSON object"));
}
