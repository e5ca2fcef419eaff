// The change log's REST routes (docs/changes.md):
//   GET /v1/changes?zone=Z&limit=N&after=ID   the newest N (default 100, at most 1000)
//                                             changes, newest first
//   GET /v1/changes/ID                        one change
// Each change says who made it and, per host that serves its zone, whether it has taken
// effect there (convergence.h). Access is as GET /v1/zones': admins see
// every change, an account's tokens their account's zones' only (another account's
// change ID answers 404, as an absent one). A zone= naming a zone one may not see lists
// nothing, as an absent zone does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "result.h"
#include "convergence.h"
#include "store.h"
#include "watchdog.h"

namespace patchbay {

class HttpRouter;
class Controller;

// `watchdog` may be null (no watchdog: every change lists no hosts).
void change_routes(HttpRouter& router, Controller& controller, Watchdog* watchdog);

// The query of GET /v1/changes as a filter (the account is the caller's to set).
// Errors (invalid) name the parameter: "limit: must be a whole number from 1 to 1000, got 'x'".
Result<ChangeFilter> change_filter(const std::optional<std::string>& zone, const std::optional<std::string>& limit,
                                   const std::optional<std::string>& after);

}  // namespace patchbay
