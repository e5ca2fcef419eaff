// This host's addresses: read with getifaddrs(), and watched through a NETLINK_ROUTE
// socket so that binding or unbinding an address triggers a reconcile at once.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "address.h"
#include "fd.h"
#include "handles.h"
#include "result.h"

namespace patchbay {

// Every IPv4 and IPv6 address bound to an interface, sorted, without duplicates.
// Errors: getifaddrs failing.
Result<std::vector<Address>> local_addresses();

// Calls `changed` ~50 ms after the last RTM_NEWADDR/RTM_DELADDR of a burst (an `ip addr`
// change often comes as several messages; one re-read is enough).
class AddressWatch {
public:
    static Result<std::unique_ptr<AddressWatch>> create(sd_event* event, std::function<void()> changed);
    AddressWatch(const AddressWatch&) = delete;
    AddressWatch& operator=(const AddressWatch&) = delete;

private:
    explicit AddressWatch(std::function<void()> changed) : changed_(std::move(changed)) {}
    static int on_readable(sd_event_source* source, int fd, uint32_t revents, void* data);
    static int on_settled(sd_event_source* source, uint64_t usec, void* data);

    std::function<void()> changed_;
    UniqueFd socket_;
    EventSourcePtr io_;
    EventSourcePtr debounce_;
};

}  // namespace patchbay
