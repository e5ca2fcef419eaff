// fd: UniqueFd, the one owner of a file descriptor (socket, eventfd, file) used by the
// agent and the controller, so a descriptor is closed exactly once on every path.
#pragma once

#include <unistd.h>

#include <utility>

namespace patchbay {

// A file descriptor, closed when dropped or replaced; -1 when empty. Move-only.
class UniqueFd {
public:
    UniqueFd() = default;
    // Takes ownership of `fd`; -1 (what a failed open/socket/accept returns) makes it empty.
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    // Closes what this held before taking `other`'s descriptor.
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        reset(other.release());  // safe on self-move: release() leaves nothing to close
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    // The descriptor, still owned; -1 when empty.
    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }

    // Gives the descriptor up without closing it; the caller closes it. Leaves this empty.
    int release() noexcept { return std::exchange(fd_, -1); }

    // Closes the current descriptor (if any) and owns `fd` instead. close(2) errors are
    // ignored: the descriptor is gone either way, and retrying close is wrong on Linux.
    void reset(int fd = -1) noexcept {
        int old = std::exchange(fd_, fd);
        if (old >= 0) ::close(old);
    }

private:
    int fd_ = -1;
};

}  // namespace patchbay
