// The reports an agent has made but the controller has not yet taken, on disk so that
// they survive an agent restart: one file per report in `dir`, named by a number that
// grows, so the directory's order is the delivery order. A write goes to a temporary
// file, is fsync'ed and renamed into place: after a crash a report is either whole or
// absent, never half. Bounded: beyond `max` the oldest are dropped and counted.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "report.h"
#include "result.h"

namespace patchbay {

// A report as kept, with the number that orders it in the spool.
struct Spooled {
    uint64_t number = 0;
    Report report;
};

class Spool {
public:
    // Creates `dir` if needed, removes leftovers of interrupted writes and takes over the
    // reports kept by an earlier run (oldest first; beyond `max` the oldest are dropped).
    // Errors: the directory cannot be made or listed (naming it).
    static Result<Spool> open(std::string dir, size_t max);

    // Keeps `report` as the newest. Errors: the write failed (the report is lost; the
    // spool is unchanged).
    Result<void> push(const Report& report);
    // Up to `n` of the oldest, oldest first. A file that cannot be read back (damaged
    // by hand) is removed, logged and skipped.
    std::vector<Spooled> oldest(size_t n);
    // Forgets the `n` oldest.
    void pop(size_t n);
    // Forgets the reports numbered `first`..`last` that are still kept (delivered, or
    // refused by the controller): the bound may have dropped some meanwhile.
    void remove(uint64_t first, uint64_t last);

    size_t size() const { return files_.size(); }
    // Reports dropped to keep the bound, since open().
    uint64_t dropped() const { return dropped_; }
    const std::string& dir() const { return dir_; }

private:
    Spool(std::string dir, size_t max) : dir_(std::move(dir)), max_(max) {}
    std::string path_of(uint64_t number) const;
    void trim();

    std::string dir_;
    size_t max_;
    std::deque<uint64_t> files_;  // numbers of the files kept, oldest first
    uint64_t next_ = 1;
    uint64_t dropped_ = 0;
};

}  // namespace patchbay
