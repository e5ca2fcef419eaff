// Fuzzes what the timelines API takes from outside (controller/timeline.h,
// arrangements.h): the first byte picks the input — 0: GET /v1/timelines' range and
// period, "RANGE&PERIOD" as sent; 1: an arrangement's PUT body (the name after a newline
// when there is one). Beyond the sanitizers: a grid holds at most 2,000 periods aligned on
// its period, ending after the time asked; an arrangement names no server twice; every
// error survives the API's JSON reply.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "arrangements.h"
#include "timeline.h"

namespace {

using namespace patchbay;
using nlohmann::json;

// What api_reply.cpp sends: bad UTF-8 a client sent (a name in the path, a query value)
// and an error quotes becomes U+FFFD.
void reply_error(const Error& error) {
    (void)json{{"error", error.message}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

void grid(std::string_view text) {
    auto amp = text.find('&');
    std::string range(text.substr(0, amp));
    std::string period(amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1));
    constexpr int64_t end = 1796465408123, base = 60000;
    auto g = timeline_grid(range, period, end, base);
    if (!g) return reply_error(g.failure());
    if (g->count == 0 || g->count > kTimelineMaxBlocks || g->period_ms <= 0 || g->period_ms % base != 0 ||
        g->to_ms % g->period_ms != 0 || g->to_ms <= end || g->to_ms - g->period_ms > end ||
        g->from_ms != g->to_ms - static_cast<int64_t>(g->count) * g->period_ms)
        std::abort();
    // Stored blocks anywhere fold onto it without leaving it.
    auto row = timeline_row({{"s", g->from_ms - 1, Health::down, {}}, {"s", g->to_ms - 1, Health::up, {}}}, *g);
    if (row.size() != g->count || row.back() != Health::up) std::abort();
}

void arrangement(std::string_view text) {
    auto newline = text.find('\n');
    std::string name = newline == std::string_view::npos ? "mine" : std::string(text.substr(newline + 1));
    auto body = json::parse(text.substr(0, newline), nullptr, false);
    if (body.is_discarded()) return;
    auto a = arrangement_from(body, name);
    if (!a) return reply_error(a.failure());
    for (const auto* list : {&a->order, &a->pinned}) {
        std::set<std::string> seen(list->begin(), list->end());
        if (seen.size() != list->size()) std::abort();
    }
    (void)arrangement_json(*a).dump();  // names came from a parsed body: valid UTF-8
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] % 2 == 0) grid(text);
    else arrangement(text);
    return 0;
}
