// Move-only owners for the sd-event and sd-bus handles the agent uses. Each is a
// std::unique_ptr with the library's own release function as deleter, so a handle is
// released exactly once, in reverse order of construction, on every path. File
// descriptors use UniqueFd (shared/fd.h), the same owner the controller uses.
#pragma once

#include <memory>

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

}  // namespace patchbay
