#include "tuple.h"

#include <charconv>

#include "domain.h"

namespace patchbay {

std::string TupleKey::str() const {
    Endpoint ep{address, port};
    return service + "/" + transport + " " + ep.str();
}

Result<uint16_t> parse_u16(std::string_view text, std::string_view what) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value > 65535)
        return fail(std::string(what) + " must be a whole number from 0 to 65535, got '" +
                    std::string(text) + "'");
    return static_cast<uint16_t>(value);
}

Result<Tuple> parse_tuple(std::string_view domain, std::string_view service,
                         std::string_view transport, std::string_view address,
                         std::string_view port, std::string_view priority,
                         std::string_view weight, std::string_view target) {
    Tuple t;
    auto d = normalize_domain(domain);
    if (!d) return fail("domain: " + d.error());
    t.domain = *d;
    auto s = normalize_service(service);
    if (!s) return fail(s.error());
    t.key.service = *s;
    auto tr = normalize_transport(transport);
    if (!tr) return fail(tr.error());
    t.key.transport = *tr;
    auto a = Address::parse(address);
    if (!a) return fail("address: " + a.error());
    t.key.address = *a;
    auto p = parse_u16(port, "port");
    if (!p || *p == 0)
        return fail("port must be a whole number from 1 to 65535, got '" + std::string(port) + "'");
    t.key.port = *p;
    auto pr = parse_u16(priority, "priority");
    if (!pr) return fail(pr.error());
    t.priority = *pr;
    auto w = parse_u16(weight, "weight");
    if (!w) return fail(w.error());
    t.weight = *w;
    if (!target.empty()) {
        auto tg = normalize_domain(target);
        if (!tg) return fail("target: " + tg.error());
        t.target = *tg;
    }
    return t;
}

}  // namespace patchbay
