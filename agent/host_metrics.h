// The host's load for health reports, read from /proc: the 1-minute load average
// (/proc/loadavg), the busy fraction of all CPUs between two readings (/proc/stat) and
// the used fraction of memory (/proc/meminfo). Pure parsers, one thin reader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "report.h"
#include "result.h"

namespace patchbay {

// Jiffies of the "cpu" line of /proc/stat: total and the part not idle.
struct CpuTimes {
    uint64_t busy = 0;
    uint64_t total = 0;
    bool operator==(const CpuTimes&) const = default;
};

// The first field of /proc/loadavg. Errors: not a number.
Result<double> parse_loadavg(std::string_view text);
// The aggregate "cpu" line of /proc/stat (user nice system idle iowait irq softirq steal;
// idle and iowait count as idle; guest time is already inside user). Errors: no such line.
Result<CpuTimes> parse_cpu_times(std::string_view text);
// Busy share of the time between two readings, 0..1; 0 when no time passed or the
// counters went backwards (a reset).
double busy_fraction(const CpuTimes& before, const CpuTimes& after);
// 1 - MemAvailable/MemTotal from /proc/meminfo, 0..1. Errors: either line missing.
Result<double> parse_memory_used(std::string_view text);

// Reads /proc (or a copy of it under `proc`, for tests) each time it is asked; a file
// that cannot be read leaves its figure at 0.
class HostMetricsReader {
public:
    explicit HostMetricsReader(std::string proc = "/proc") : proc_(std::move(proc)) {}
    // cpu is the busy fraction since the previous read (0 on the first).
    HostMetrics read();

private:
    std::string proc_;
    std::optional<CpuTimes> last_;
};

}  // namespace patchbay
