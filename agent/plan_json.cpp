#include "plan_json.h"

namespace patchbay {

nlohmann::json action_json(const Action& a) {
    return {{"service", a.key.service}, {"transport", a.key.transport},
            {"address", a.key.address.str()}, {"port", a.key.port},
            {"unit", a.unit},          {"domain", a.domain},
            {"priority", a.priority},  {"weight", a.weight}};
}

nlohmann::json plan_json(const Plan& plan) {
    auto list = [](const std::vector<Action>& actions) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& a : actions) out.push_back(action_json(a));
        return out;
    };
    return {{"start", list(plan.start)}, {"stop", list(plan.stop)}, {"keep", list(plan.keep)}};
}

}  // namespace patchbay
