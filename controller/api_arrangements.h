// The arrangements' REST routes (arrangements.h, docs/timelines.md): every user (token)
// keeps its own, never sees another's. GET /v1/arrangements, GET|PUT|DELETE
// /v1/arrangements/NAME. Agents have none (403, by the API's gate).
#pragma once

namespace patchbay {

class HttpRouter;
class Arrangements;

void arrangement_routes(HttpRouter& router, Arrangements& arrangements);

}  // namespace patchbay
