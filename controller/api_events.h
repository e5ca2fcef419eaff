// GET /v1/events (docs/plan/issue-6.md): live updates as server-sent events — `state`,
// `block` and `change` events and a keep-alive comment — of what the caller's principal
// may see (event_hub.h). Added by the API when it has an EventHub.
#pragma once

namespace patchbay {

class HttpRouter;
class EventHub;

void event_routes(HttpRouter& router, EventHub& hub);

}  // namespace patchbay
