// The events route (api_events.h): the answer is the hub's stream for the caller.
#include "api_events.h"

#include "api_access.h"
#include "event_hub.h"
#include "http_server.h"

namespace patchbay {

void event_routes(HttpRouter& s, EventHub& hub) {
    s.get("/v1/events", [&hub](const HttpRequest& req, HttpResponse& res) {
        res.content_type = "text/event-stream";
        res.set_header("Cache-Control", "no-cache");
        // A buffering reverse proxy (nginx) would hold events back until its buffer fills.
        res.set_header("X-Accel-Buffering", "no");
        res.stream = hub.subscribe(principal_of(req));
    });
}

}  // namespace patchbay
