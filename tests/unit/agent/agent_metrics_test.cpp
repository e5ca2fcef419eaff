#include <catch2/catch.hpp>

#include "agent_metrics.h"

using namespace patchbay;

TEST_CASE("agent metrics: placement always, reports only when reporting") {
    AgentFigures f;
    f.running = 3;
    f.action_failures = 1;
    f.serials = {{"hostdomain.com", 2026112301u}, {"other.com", std::nullopt}};
    std::string text = render_metrics(agent_metrics(f));
    CHECK_THAT(text, Catch::Contains("patchbay_agent_instances 3\n"));
    CHECK_THAT(text, Catch::Contains("patchbay_agent_action_failures_total 1\n"));
    CHECK_THAT(text, Catch::Contains("patchbay_agent_serial{domain=\"hostdomain.com\"} 2026112301\n"));
    CHECK_THAT(text, !Catch::Contains("other.com"));
    CHECK_THAT(text, !Catch::Contains("reports"));

    f.reporting = true;
    f.reports_made = 10;
    f.reports_delivered = 7;
    f.reports_spooled = 3;
    text = render_metrics(agent_metrics(f));
    CHECK_THAT(text, Catch::Contains("patchbay_agent_reports_total{result=\"made\"} 10\n"));
    CHECK_THAT(text, Catch::Contains("patchbay_agent_reports_total{result=\"delivered\"} 7\n"));
    CHECK_THAT(text, Catch::Contains("patchbay_agent_reports_spooled 3\n"));
}
