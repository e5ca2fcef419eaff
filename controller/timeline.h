// timeline: every server's history as rows of blocks that line up (issue 6). Pure
// functions over plain values: the grid of periods a range is cut into, one server's
// stored blocks folded onto it, and which periods were network events (many servers fell
// at once) or server events (one fell alone). The API (api_timeline.h), the page and the
// CLI all show what these compute.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "health_state.h"
#include "history.h"
#include "result.h"
#include "span.h"

namespace patchbay {


// The periods a timeline shows: `count` periods of `period_ms` from `from_ms`, the last one
// holding `now` (the open period), aligned on multiples of period_ms since the epoch so
// the same block stays the same block across reloads and servers.
struct TimelineGrid {
    int64_t from_ms = 0;
    int64_t to_ms = 0;  // end of the last period (after now)
    int64_t period_ms = 0;
    size_t count = 0;
    int64_t start(size_t i) const { return from_ms + static_cast<int64_t>(i) * period_ms; }
};

inline constexpr size_t kTimelineMaxBlocks = 2000;
inline constexpr int64_t kTimelineMaxRangeMs = int64_t{31} * 86400 * 1000;

// The grid of `range` (default 24h) in periods of `period` (default: the smallest of 1m,
// 5m, 15m, 1h, 6h, 1d giving at most 300 blocks), ending with the period that holds
// `end_ms`. `base_period_ms` is what the history stores (period_seconds): a period must
// be a multiple of it. Errors name the parameter ("period: 90s is not a multiple of the
// history's 60s", "range: at most 31d", "period: 2001 blocks, at most 2000").
Result<TimelineGrid> timeline_grid(const std::string& range, const std::string& period, int64_t end_ms,
                                   int64_t base_period_ms);

// `blocks` (one server's, any order) folded onto `grid`: each period the worst of the
// stored blocks starting in it, unknown where there are none.
std::vector<Health> timeline_row(const std::vector<StateBlock>& blocks, const TimelineGrid& grid);

struct TimelineEvent {
    int64_t period_ms = 0;
    std::string kind;                  // "network" or "server"
    std::vector<std::string> servers;  // the servers that fell then, sorted
    bool operator==(const TimelineEvent&) const = default;
};

// A server falls in period i when its block i is warning or down and worse than block
// i−1, which is known. A period in which at least 2 servers went down, and at least 5 or
// at least a third of the servers with data in it, is a network event (naming those that
// went down); every other fall is a server event of its own. Rows are aligned on one
// grid; by period, the network event first, then servers in name order.
std::vector<TimelineEvent> timeline_events(const std::map<std::string, std::vector<Health>>& rows,
                                           const TimelineGrid& grid);

}  // namespace patchbay
