// The watchdog's vocabulary, shared by its parts (issue 4): the state of a server or of
// one of its instances, a change of it (for history and alerts), and the health of every
// tuple as the client view reads it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tuple.h"

namespace patchbay {

// Ordered from best to worst, so the worst of a period is the max. `unknown`: nothing
// heard yet (a new server, or history before its first report).
enum class Health : uint8_t { unknown = 0, up = 1, warning = 2, down = 3 };

inline std::string_view health_name(Health h) {
    switch (h) {
        case Health::unknown: return "unknown";
        case Health::up: return "up";
        case Health::warning: return "warning";
        case Health::down: return "down";
    }
    return "unknown";
}

inline std::optional<Health> parse_health(std::string_view text) {
    for (Health h : {Health::unknown, Health::up, Health::warning, Health::down})
        if (health_name(h) == text) return h;
    return std::nullopt;
}

// One placed instance: the tuple of `domain` with `key`.
struct InstanceRef {
    std::string domain;
    TupleKey key;
    auto operator<=>(const InstanceRef&) const = default;
};

// A state that changed: of a server as a whole (instance empty) or of one instance.
struct StateChange {
    int64_t at_ms = 0;  // controller clock, unix ms
    std::string server;
    std::optional<InstanceRef> instance;
    Health from = Health::unknown;
    Health to = Health::unknown;
    std::string reason;  // "probe http: connection refused (2 in a row)", "no report for 6 s"
    // The accounts it concerns, sorted (the watchdog's view when it was made; not kept in
    // the history): an instance's, its zone's account; a server's, every account with an
    // instance on it. Platform zones name none.
    std::vector<std::string> accounts;
};

// The health of every instance any server reports on (a tuple nobody reports on is
// absent, and the client view treats it as up). Immutable once published.
using HealthMap = std::map<InstanceRef, Health>;
using HealthMapPtr = std::shared_ptr<const HealthMap>;

}  // namespace patchbay
