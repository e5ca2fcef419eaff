// The drains' REST routes (drain.h, docs/drain.md), admins only (an address may hold
// tuples of several accounts):
//   POST   /v1/drains {"address": A, "grace": "30s"}  takes A out of the client view now,
//                                                      its tuples go when the grace ends
//   GET    /v1/drains, GET /v1/drains/ADDRESS          the drains and where they are
//   DELETE /v1/drains/ADDRESS                          undrain: the tuples come back
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "address.h"
#include "result.h"

namespace patchbay {

class HttpRouter;
class Controller;

void drain_routes(HttpRouter& router, Controller& controller);

constexpr int64_t kDefaultGraceMs = 30'000;
constexpr int64_t kMaxGraceMs = 7 * 86'400'000LL;

struct DrainRequest {
    Address address;
    int64_t grace_ms = kDefaultGraceMs;
};
// The body of POST /v1/drains. Errors (invalid) name the field: "grace: …".
Result<DrainRequest> drain_request(const nlohmann::json& body);

}  // namespace patchbay
