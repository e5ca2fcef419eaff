// `patchbay tuple move DOMAIN SERVICE TRANSPORT FROM TO [--timeout 60s] [--wait]`
// (docs/drain.md): the service starts on TO, the move waits until the watchdog calls it
// up there (the unit active, its probe passing), and only then the tuple on FROM goes —
// there is no moment without a healthy server. When TO does not come up in time the new
// tuple is removed again and FROM stays. FROM is ADDRESS (every port) or ADDRESS:PORT
// ([V6]:PORT); TO is an ADDRESS, the ports stay.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.h"
#include "tuple.h"

namespace patchbay {

class ApiClient;

struct MoveStep {
    Tuple from, to;
};

// The tuples of the zone's listing (GET /v1/zones/D/tuples) to move, each with its
// new self. Errors: none matches (not_found), an explicit SRV target (it names another
// host's address records: move such a tuple by hand), TO already holding it.
Result<std::vector<MoveStep>> plan_move(const nlohmann::json& tuples, const std::string& domain,
                                        const std::string& service, const std::string& transport,
                                        const std::string& from, const std::string& to);

// The watchdog's state of instance (zone, key) on a server (GET /v1/servers/NAME):
// "up", "warning", "down", "unknown", or "" when the server does not report it.
std::string instance_state(const nlohmann::json& server, const std::string& zone, const TupleKey& key);

// Carries out the move against the controller, printing each step; the exit code.
int run_move(const Invocation& inv, const ApiClient& client, const nlohmann::json& tuples);

}  // namespace patchbay
