#include "agent_metrics.h"

namespace patchbay {

std::vector<MetricFamily> agent_metrics(const AgentFigures& f) {
    std::vector<MetricFamily> out;
    out.push_back({"patchbay_agent_instances", "Instances this host runs by the last plan", "gauge",
                   {{{}, static_cast<double>(f.running)}}});
    out.push_back({"patchbay_agent_action_failures_total", "Unit starts and stops that failed", "counter",
                   {{{}, static_cast<double>(f.action_failures)}}});
    MetricFamily serials{"patchbay_agent_serial", "SOA serial of the snapshot applied, by domain (absent: none yet)",
                         "gauge", {}};
    for (const auto& [domain, serial] : f.serials)
        if (serial) serials.samples.push_back({{{"domain", domain}}, static_cast<double>(*serial)});
    out.push_back(std::move(serials));
    if (!f.reporting) return out;
    out.push_back({"patchbay_agent_reports_total", "Health reports, by what became of them", "counter",
                   {{{{"result", "made"}}, static_cast<double>(f.reports_made)},
                    {{{"result", "delivered"}}, static_cast<double>(f.reports_delivered)},
                    {{{"result", "refused"}}, static_cast<double>(f.reports_refused)},
                    {{{"result", "dropped"}}, static_cast<double>(f.reports_dropped)}}});
    out.push_back({"patchbay_agent_reports_spooled", "Reports made and not yet taken by the controller", "gauge",
                   {{{}, static_cast<double>(f.reports_spooled)}}});
    return out;
}

}  // namespace patchbay
