// The plan as JSON for --output json: {"start":[…],"stop":[…],"keep":[…]}, each action
// {"service","transport","address","port","unit","domain","priority","weight"}. Pure.
#pragma once

#include <nlohmann/json.hpp>

#include "reconcile.h"

namespace patchbay {

nlohmann::json action_json(const Action& action);
nlohmann::json plan_json(const Plan& plan);

}  // namespace patchbay
