// bound_socket: socket(2), the options, bind(2) and listen(2), each failure turned into
// one line naming the endpoint.
#include "bound_socket.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "socket_address.h"

namespace patchbay {

namespace {

int set_int_option(int fd, int level, int name, int value) {
    return ::setsockopt(fd, level, name, &value, sizeof value);
}

}  // namespace

Result<UniqueFd> open_bound_socket(const Endpoint& at, SocketType type, const SocketOptions& options) {
    const bool udp = type == SocketType::udp;
    const bool v6 = at.address.family == Family::v6;
    // Read errno first: building the message may allocate and overwrite it.
    auto failed = [&](const char* step) -> Error {
        int saved = errno;
        return fail(saved == EADDRINUSE ? ErrorKind::conflict : ErrorKind::unavailable,
                    std::string("cannot ") + step + " " + (udp ? "UDP" : "TCP") + " " + at.str() + ": " +
                        std::system_category().message(saved));
    };

    UniqueFd fd(::socket(v6 ? AF_INET6 : AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return failed("create socket for");
    if (!udp && set_int_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1) < 0) return failed("set SO_REUSEADDR on");
    if (options.reuse_port && set_int_option(fd.get(), SOL_SOCKET, SO_REUSEPORT, 1) < 0) {
        return failed("set SO_REUSEPORT on");
    }
    if (v6 && options.v6_only && set_int_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1) < 0) {
        return failed("set IPV6_V6ONLY on");
    }
    if (udp && options.packet_info) {
        int r = v6 ? set_int_option(fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)
                   : set_int_option(fd.get(), IPPROTO_IP, IP_PKTINFO, 1);
        if (r < 0) return failed("set packet info on");
    }
    auto address = to_socket_address(at);
    if (::bind(fd.get(), address.get(), address.len) < 0) return failed("bind");
    if (!udp && ::listen(fd.get(), options.backlog) < 0) return failed("listen on");
    return fd;
}

}  // namespace patchbay
