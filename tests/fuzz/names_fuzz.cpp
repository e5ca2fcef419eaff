// Fuzzes the small text parsers under every outside input (shared/): addresses and
// endpoints (configs, API bodies, --flags) and systemd unit names (what systemd lists,
// which anyone with a unit file can name). Round trips are checked, not just crashes:
// the agent matches running units to tuples by them.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "address.h"
#include "unit_name.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace patchbay;
    std::string_view text(reinterpret_cast<const char*>(data), size);

    if (auto a = Address::parse(text)) {
        auto again = Address::parse(a->str());
        if (!again || *again != *a) std::abort();
    }
    if (auto e = Endpoint::parse(text)) {
        auto again = Endpoint::parse(e->str());
        if (!again || *again != *e) std::abort();
    }
    if (auto plain = unit_unescape(unit_escape(text)); !plain || *plain != text) std::abort();
    (void)unit_unescape(text);

    constexpr std::string_view templ = "patchbay-http@.service";
    if (auto key = parse_instance_unit(templ, "http", text)) {
        auto again = parse_instance_unit(templ, "http", instance_unit(templ, *key));
        if (!again || *again != *key) std::abort();
    }
    return 0;
}
