#include "snapshot.h"

#include <algorithm>

namespace patchbay {

std::vector<Tuple> tuples_from_srv(std::string_view domain, const std::vector<SrvAnswer>& answers,
                                   const TargetAddresses& addresses) {
    std::vector<Tuple> all;
    for (const auto& answer : answers) {
        for (const auto& srv : answer.records) {
            // RFC 2782: target "." = decidedly not available; port 0 cannot be listened on.
            if (srv.target == "." || srv.target.empty() || srv.port == 0) continue;
            auto found = addresses.find(srv.target);
            if (found == addresses.end()) continue;
            for (const auto& address : found->second) {
                Tuple t;
                t.domain = std::string(domain);
                t.key = TupleKey{answer.service, answer.transport, address, srv.port};
                t.priority = srv.priority;
                t.weight = srv.weight;
                t.target = srv.target;
                all.push_back(std::move(t));
            }
        }
    }
    std::sort(all.begin(), all.end(), [](const Tuple& a, const Tuple& b) {
        if (a.key != b.key) return a.key < b.key;
        if (a.priority != b.priority) return a.priority < b.priority;
        if (a.weight != b.weight) return a.weight > b.weight;
        return a.target < b.target;
    });
    all.erase(std::unique(all.begin(), all.end(),
                          [](const Tuple& a, const Tuple& b) { return a.key == b.key; }),
              all.end());
    return all;
}

std::string srv_name(std::string_view service, std::string_view transport, std::string_view domain) {
    std::string out = "_";
    out.append(service).append("._").append(transport).append(".").append(domain);
    return out;
}

SerialOrder compare_serial(uint32_t a, uint32_t b) {
    if (a == b) return SerialOrder::equal;
    // Unsigned subtraction wraps modulo 2^32, which is exactly RFC 1982's circle.
    uint32_t forward = b - a;  // how far b lies ahead of a
    if (forward == 0x80000000u) return SerialOrder::undefined;
    return forward < 0x80000000u ? SerialOrder::lower : SerialOrder::higher;
}

}  // namespace patchbay
