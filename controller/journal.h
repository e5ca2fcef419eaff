// journal: the recent diffs of every zone, for IXFR (RFC 1995). Immutable values: a
// change makes a new Journal sharing the untouched zones' entries, published next to the
// ZoneSet, so DNS workers read it without locks and never touch the database. The
// controller keeps the same diffs in SQLite (Store) and loads them at start.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zone_diff.h"

namespace patchbay {

// How much history each zone keeps; the oldest diffs go first.
struct JournalLimits {
    size_t max_diffs = 1000;
    size_t max_bytes = 16u << 20;  // of records, uncompressed
};

// One zone's diffs, oldest first.
struct ZoneJournal {
    std::vector<std::shared_ptr<const ZoneDiff>> diffs;
    size_t bytes = 0;
};

class Journal {
public:
    // The diffs of `zone` (normalized), or nullptr.
    const ZoneJournal* find(std::string_view zone) const;
    size_t zone_count() const { return zones_.size(); }

    // `diff` appended to `zone`, its oldest diffs dropped beyond `limits`.
    std::shared_ptr<const Journal> with_diff(const std::string& zone, std::shared_ptr<const ZoneDiff> diff,
                                             const JournalLimits& limits) const;
    // Without `zone` (removed zones lose their history: a new zone of that name restarts
    // at serial 1).
    std::shared_ptr<const Journal> without_zone(const std::string& zone) const;

private:
    std::map<std::string, std::shared_ptr<const ZoneJournal>, std::less<>> zones_;
};

// The diffs leading from serial `from` to serial `to`, in order, or nullopt when the
// journal does not hold such a chain (too old, a gap, or not this zone's history).
// from == to gives an empty chain.
std::optional<std::vector<const ZoneDiff*>> journal_chain(const ZoneJournal& journal, uint32_t from, uint32_t to);

}  // namespace patchbay
