// Fuzzes the controller's REST request bodies (controller/api_body.h): the first byte
// picks the endpoint (zones, tuples, agents, settings, rollbacks; or, not as JSON, a
// settings version and explain's at= time), the rest is the body as sent. Beyond the
// sanitizers: every error must survive the API's JSON reply (nlohmann throws on
// invalid UTF-8), and a parsed tuple must parse again, equal, from its own printed fields.
#include <chrono>
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

// Path and query values: a version, and a time that must print back as the same instant.
void path_values(std::string_view text) {
    auto version = version_from(std::string(text));
    if (!version) reply_error(version.failure());
    else if (*version < 1) std::abort();
    auto at = time_from(std::string(text));
    if (!at) return reply_error(at.failure());
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(at->time_since_epoch()).count();
    auto again = time_from(std::to_string(secs));
    if (secs >= 0 && (!again || *again != *at)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] % 7 == 6) {
        path_values(text);
        return 0;
    }
    auto body = parse_body(text);
    if (!body) {
        reply_error(body.failure());
        return 0;
    }
    switch (data[0] % 7 % 6) {
    case 0: {
        auto name = zone_name_from(*body);
        if (!name) reply_error(name.failure());
        break;
    }
    case 1: tuple(*body); break;
    case 2: agent(*body); break;
    case 3: {
        auto z = zone_from(*body);
        if (!z) reply_error(z.failure());
        else if (!z->template_name.empty() && !z->account) std::abort();  // a template needs an account
        break;
    }
    case 4: {
        auto settings = settings_from(*body);
        if (!settings) reply_error(settings.failure());
        else (void)json{{"file", settings->file}}.dump();  // a file name errors may quote
        break;
    }
    case 5: {
        auto version = rollback_from(*body);
        if (!version) reply_error(version.failure());
        else if (*version < 1) std::abort();
        break;
    }
    }
    return 0;
}
