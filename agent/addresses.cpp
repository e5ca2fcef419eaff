#include "addresses.h"

#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "log.h"

namespace patchbay {

namespace {

constexpr uint64_t kDebounceUsec = 50'000;
constexpr int kMaxReadsPerWakeup = 64;  // bounded: a flood cannot starve the loop

struct IfaddrsFree {
    void operator()(ifaddrs* p) const { freeifaddrs(p); }
};

}  // namespace

Result<std::vector<Address>> local_addresses() {
    ifaddrs* raw = nullptr;
    if (getifaddrs(&raw) != 0) return fail(std::string("getifaddrs: ") + std::strerror(errno));
    std::unique_ptr<ifaddrs, IfaddrsFree> list(raw);
    std::vector<Address> out;
    for (ifaddrs* i = raw; i; i = i->ifa_next) {
        if (!i->ifa_addr) continue;
        auto a = Address::from_sockaddr(i->ifa_addr);
        if (a) out.push_back(*a);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Result<std::unique_ptr<AddressWatch>> AddressWatch::create(sd_event* event, std::function<void()> changed) {
    std::unique_ptr<AddressWatch> w(new AddressWatch(std::move(changed)));
    w->socket_ = UniqueFd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE));
    if (!w->socket_) return fail(std::string("netlink socket: ") + std::strerror(errno));
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    local.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
    if (bind(w->socket_.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0)
        return fail(std::string("netlink bind: ") + std::strerror(errno));

    sd_event_source* s = nullptr;
    if (int e = sd_event_add_io(event, &s, w->socket_.get(), EPOLLIN, &AddressWatch::on_readable, w.get());
        e < 0)
        return fail(std::string("sd-event netlink source: ") + std::strerror(-e));
    w->io_.reset(s);
    if (int e = sd_event_add_time_relative(event, &s, CLOCK_MONOTONIC, kDebounceUsec, 1000,
                                           &AddressWatch::on_settled, w.get());
        e < 0)
        return fail(std::string("sd-event timer: ") + std::strerror(-e));
    w->debounce_.reset(s);
    sd_event_source_set_enabled(s, SD_EVENT_OFF);
    return w;
}

int AddressWatch::on_readable(sd_event_source*, int fd, uint32_t, void* data) {
    auto* self = static_cast<AddressWatch*>(data);
    bool relevant = false;
    alignas(nlmsghdr) char buf[16384];
    for (int n = 0; n < kMaxReadsPerWakeup; ++n) {
        ssize_t len = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (len < 0) {
            if (errno == ENOBUFS) relevant = true;  // we lost messages: re-read to be sure
            if (errno == EINTR || errno == ENOBUFS) continue;
            break;  // EAGAIN: drained
        }
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, static_cast<unsigned>(len));
             h = NLMSG_NEXT(h, len))
            if (h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_DELADDR) relevant = true;
    }
    if (relevant) {
        // Re-armed, not recreated: the timer fires 50 ms after the last message of a burst.
        sd_event_source_set_time_relative(self->debounce_.get(), kDebounceUsec);
        sd_event_source_set_enabled(self->debounce_.get(), SD_EVENT_ONESHOT);
    }
    return 0;
}

int AddressWatch::on_settled(sd_event_source*, uint64_t, void* data) {
    auto* self = static_cast<AddressWatch*>(data);
    try {
        self->changed_();
    } catch (const std::exception& e) {
        log_error(std::string("internal error after an address change: ") + e.what());
    }
    return 0;
}

}  // namespace patchbay
