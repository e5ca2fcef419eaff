// Fuzzes the controller's REST request bodies (controller/api_body.h): the first byte
// picks the endpoint (zones, tuples, agents), the rest is the body as sent. Beyond the
// sanitizers: every error must survive the API's JSON reply (nlohmann throws on
// invalid UTF-8), and a parsed tuple must parse again, equal, from its own printed fields.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api_body.h"

namespace {

using namespace patchbay;
using nlohmann::json;

// What api.cpp's reply_error sends; throws (and so fails the run) on text JSON cannot hold.
void reply_error(const Error& error) { (void)json{{"error", error.message}}.dump(); }

void tuple(const json& body) {
    auto t = tuple_from("hostdomain.com", body);
    if (!t) return reply_error(t.failure());
    (void)json{{"zone", t->domain}, {"service", t->key.service}, {"transport", t->key.transport},
               {"address", t->key.address.str()}, {"target", t->target}}.dump();
    auto again = parse_tuple(t->domain, t->key.service, t->key.transport, t->key.address.str(),
                             std::to_string(t->key.port), std::to_string(t->priority),
                             std::to_string(t->weight), t->target);
    if (!again || *again != *t) std::abort();
}

void agent(const json& body) {
    auto a = agent_from(body, "192.0.2.7", 0);
    if (!a) return reply_error(a.failure());
    (void)json{{"name", a->name}, {"notify", a->notify ? json(a->notify->str()) : json(nullptr)},
               {"domains", a->domains}}.dump();
    // A wildcard notify address is always replaced by the peer's.
    if (a->notify && a->notify->address == Address{}) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    auto body = parse_body(text);
    if (!body) {
        reply_error(body.failure());
        return 0;
    }
    switch (data[0] % 3) {
    case 0: {
        auto name = zone_name_from(*body);
        if (!name) reply_error(name.failure());
        break;
    }
    case 1: tuple(*body); break;
    case 2: agent(*body); break;
    }
    return 0;
}
