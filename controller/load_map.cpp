#include "load_map.h"

#include <algorithm>
#include <cmath>

namespace patchbay {

namespace {

double clamped(double cpu) { return std::isnan(cpu) ? 0.0 : std::clamp(cpu, 0.0, 1.0); }

}  // namespace

LoadMap build_load_map(const std::vector<ServerLoad>& servers) {
    LoadMap map;
    for (const auto& s : servers) {
        const double cpu = clamped(s.cpu);
        for (const auto& address : s.addresses) {
            auto [it, fresh] = map.emplace(address, cpu);
            if (!fresh) it->second = std::max(it->second, cpu);
        }
    }
    return map;
}

long load_step(double cpu) { return std::lround(clamped(cpu) * 10); }

}  // namespace patchbay
