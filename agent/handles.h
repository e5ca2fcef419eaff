// Move-only owners for the C handles the agent uses (sd-event, sd-bus, c-ares, curl, fds).
// Each is a std::unique_ptr with the library's own release function as deleter, so a
// handle is released exactly once, in reverse order of construction, on every path.
#pragma once

#include <unistd.h>

#include <memory>
#include <utility>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

namespace patchbay {

template <class T, auto Release>
struct Releaser {
    void operator()(T* p) const noexcept {
        if (p) Release(p);
    }
};

using EventPtr = std::unique_ptr<sd_event, Releaser<sd_event, sd_event_unref>>;
// sd_event_source_disable_unref stops the source before dropping it, so a source owned
// by an object that dies never fires into freed memory even if sd-event keeps a reference.
using EventSourcePtr =
    std::unique_ptr<sd_event_source, Releaser<sd_event_source, sd_event_source_disable_unref>>;
using BusPtr = std::unique_ptr<sd_bus, Releaser<sd_bus, sd_bus_flush_close_unref>>;
using BusSlotPtr = std::unique_ptr<sd_bus_slot, Releaser<sd_bus_slot, sd_bus_slot_unref>>;
using BusMessagePtr =
    std::unique_ptr<sd_bus_message, Releaser<sd_bus_message, sd_bus_message_unref>>;

// A file descriptor; -1 when empty.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
};

}  // namespace patchbay
