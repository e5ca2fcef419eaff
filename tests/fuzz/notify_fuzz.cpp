// Fuzzes the agent's NOTIFY listener (agent/notify.h): any datagram that reaches its port.
// A reply, when there is one, must echo the request's id, be a response, and be no
// longer than a header plus the question it copied.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" {
#include <libknot/libknot.h>
}

#include "notify.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::vector<std::string> domains{"hostdomain.com", "example.org"};
    auto outcome = patchbay::answer_notify(data, size, domains);
    if (outcome.reply.empty()) {
        if (outcome.refresh) std::abort();  // a refresh is only ever for an answered NOTIFY
        return 0;
    }
    const auto& reply = outcome.reply;
    if (reply.size() < KNOT_WIRE_HEADER_SIZE || reply.size() > size ||
        knot_wire_get_id(reply.data()) != knot_wire_get_id(data) || !knot_wire_get_qr(reply.data()))
        std::abort();
    return 0;
}
