#include "timeline.h"

#include <algorithm>

namespace patchbay {

Result<TimelineGrid> timeline_grid(const std::string& range, const std::string& period, int64_t end_ms,
                                   int64_t base_period_ms) {
    auto range_ms = parse_span(range.empty() ? "24h" : range, "range");
    if (!range_ms) return range_ms.failure();
    if (*range_ms > kTimelineMaxRangeMs) return fail("range: " + range + " is longer than 31d");
    int64_t period_ms = 0;
    if (period.empty()) {
        for (int64_t p : {int64_t{60000}, int64_t{300000}, int64_t{900000}, int64_t{3600000}, int64_t{21600000},
                          int64_t{86400000}}) {
            period_ms = (p + base_period_ms - 1) / base_period_ms * base_period_ms;  // a multiple of the base
            if (*range_ms / period_ms <= 300) break;
        }
    } else {
        auto p = parse_span(period, "period");
        if (!p) return p.failure();
        period_ms = *p;
        if (period_ms % base_period_ms != 0)
            return fail("period: " + period + " is not a multiple of the history's period, " + span_text(base_period_ms));
    }
    if (period_ms > *range_ms) return fail("period: " + span_text(period_ms) + " is longer than the range, " + range);
    const size_t count = static_cast<size_t>((*range_ms + period_ms - 1) / period_ms);
    if (count > kTimelineMaxBlocks)
        return fail("period: " + std::to_string(count) + " blocks of " + span_text(period_ms) + " in " +
                    span_text(*range_ms) + ", at most " + std::to_string(kTimelineMaxBlocks));
    TimelineGrid g;
    g.period_ms = period_ms;
    g.count = count;
    // Floor division: an end before 1970 never happens, but stays aligned if it did.
    int64_t last = end_ms >= 0 ? end_ms / period_ms * period_ms : -((-end_ms + period_ms - 1) / period_ms) * period_ms;
    g.to_ms = last + period_ms;
    g.from_ms = g.to_ms - static_cast<int64_t>(count) * period_ms;
    return g;
}

std::vector<Health> timeline_row(const std::vector<StateBlock>& blocks, const TimelineGrid& grid) {
    std::vector<Health> row(grid.count, Health::unknown);
    for (const auto& b : blocks) {
        if (b.period_ms < grid.from_ms || b.period_ms >= grid.to_ms) continue;
        auto i = static_cast<size_t>((b.period_ms - grid.from_ms) / grid.period_ms);
        row[i] = std::max(row[i], b.worst);
    }
    return row;
}

std::vector<TimelineEvent> timeline_events(const std::map<std::string, std::vector<Health>>& rows,
                                           const TimelineGrid& grid) {
    std::vector<TimelineEvent> out;
    for (size_t i = 1; i < grid.count; ++i) {
        std::vector<std::string> went_down, fell;  // fell: to warning (or down, unless a network event)
        size_t with_data = 0;
        for (const auto& [server, row] : rows) {
            if (row.size() != grid.count || row[i] == Health::unknown) continue;
            ++with_data;
            const Health before = row[i - 1], now = row[i];
            if (before == Health::unknown || now <= before || now < Health::warning) continue;
            (now == Health::down ? went_down : fell).push_back(server);
        }
        // What a network takes away is reachability: servers going down together. Many
        // overloaded at once is load, each its own event.
        const bool network = went_down.size() >= 2 && (went_down.size() >= 5 || went_down.size() * 3 >= with_data);
        if (network) out.push_back(TimelineEvent{grid.start(i), "network", went_down});
        else fell.insert(fell.end(), went_down.begin(), went_down.end());
        std::sort(fell.begin(), fell.end());
        for (auto& s : fell) out.push_back(TimelineEvent{grid.start(i), "server", {std::move(s)}});
    }
    return out;
}

}  // namespace patchbay
