// journal: copy-on-write appends and the chain walk.
#include "journal.h"

namespace patchbay {

const ZoneJournal* Journal::find(std::string_view zone) const {
    auto it = zones_.find(zone);
    return it == zones_.end() ? nullptr : it->second.get();
}

std::shared_ptr<const Journal> Journal::with_diff(const std::string& zone, std::shared_ptr<const ZoneDiff> diff,
                                                  const JournalLimits& limits) const {
    auto next = std::make_shared<Journal>(*this);
    auto zj = std::make_shared<ZoneJournal>();
    if (const ZoneJournal* old = find(zone)) *zj = *old;
    zj->bytes += diff->wire_size;
    zj->diffs.push_back(std::move(diff));
    size_t drop = 0;
    while (zj->diffs.size() - drop > limits.max_diffs ||
           (zj->bytes > limits.max_bytes && zj->diffs.size() - drop > 1)) {
        zj->bytes -= zj->diffs[drop]->wire_size;
        ++drop;
    }
    zj->diffs.erase(zj->diffs.begin(), zj->diffs.begin() + static_cast<std::ptrdiff_t>(drop));
    next->zones_[zone] = std::move(zj);
    return next;
}

std::shared_ptr<const Journal> Journal::without_zone(const std::string& zone) const {
    auto next = std::make_shared<Journal>(*this);
    next->zones_.erase(zone);
    return next;
}

std::optional<std::vector<const ZoneDiff*>> journal_chain(const ZoneJournal& journal, uint32_t from, uint32_t to) {
    std::vector<const ZoneDiff*> chain;
    if (from == to) return chain;
    // The latest diff starting at `from`: serials only grow, but a crash between a change
    // and its journal row leaves a gap, and the newest history is the one that counts.
    size_t start = journal.diffs.size();
    for (size_t i = journal.diffs.size(); i-- > 0;) {
        if (journal.diffs[i]->serial_from == from) {
            start = i;
            break;
        }
    }
    uint32_t at = from;
    for (size_t i = start; i < journal.diffs.size(); ++i) {
        const ZoneDiff* d = journal.diffs[i].get();
        if (d->serial_from != at) return std::nullopt;  // a gap
        chain.push_back(d);
        at = d->serial_to;
        if (at == to) return chain;
    }
    return std::nullopt;
}

}  // namespace patchbay
