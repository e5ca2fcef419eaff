// state_lock: one controller per state directory. The daemon holds an exclusive flock(2)
// on STATE/lock for as long as it runs; `restore` takes the same lock, so it never swaps
// the database under a running controller. The kernel drops the lock when the process
// dies, so a crash never leaves it stale.
#pragma once

#include <string>

#include "fd.h"
#include "result.h"

namespace patchbay {

class StateLock {
public:
    // Errors: conflict "STATE is in use by another patchbay-controller (pid N)".
    static Result<StateLock> take(const std::string& state_dir);

private:
    explicit StateLock(UniqueFd fd) : fd_(std::move(fd)) {}
    UniqueFd fd_;
};

// Gives `path` the owner and group of `state_dir` when root made it there: under
// DynamicUser the controller runs as a user of its own, and a file root left behind
// (a restore, a lock) would otherwise lock it out of its own state.
void own_like_state_dir(const std::string& path, const std::string& state_dir);

}  // namespace patchbay
