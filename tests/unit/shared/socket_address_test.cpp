// UniqueFd, Endpoint ⇔ sockaddr, and open_bound_socket on the loopback addresses.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "bound_socket.h"
#include "fd.h"
#include "socket_address.h"

using namespace patchbay;

namespace {

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

Endpoint endpoint(const char* text) {
    auto e = Endpoint::parse(text);
    REQUIRE(e);
    return *e;
}

}  // namespace

TEST_CASE("UniqueFd closes once, on drop, reset and move-assignment") {
    int raw = ::socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(raw >= 0);
    {
        UniqueFd a(raw);
        CHECK(a);
        UniqueFd b(std::move(a));
        CHECK_FALSE(a);
        CHECK(b.get() == raw);
        CHECK(is_open(raw));
    }
    CHECK_FALSE(is_open(raw));

    UniqueFd first(::socket(AF_INET, SOCK_DGRAM, 0));
    UniqueFd second(::socket(AF_INET, SOCK_DGRAM, 0));
    int replaced = first.get();
    first = std::move(second);
    CHECK_FALSE(is_open(replaced));

    int kept = first.release();
    CHECK_FALSE(first);
    CHECK(is_open(kept));
    first.reset(kept);
    first.reset();
    CHECK_FALSE(is_open(kept));
    CHECK_FALSE(UniqueFd(-1));
}

TEST_CASE("Endpoints survive the trip through sockaddr") {
    for (const char* text : {"10.10.10.1:53", "0.0.0.0:0", "127.0.0.1:65535", "[2001:db8::1]:5300", "[::]:53"}) {
        INFO(text);
        Endpoint e = endpoint(text);
        SocketAddress a = to_socket_address(e);
        CHECK(a.len == (e.address.family == Family::v4 ? sizeof(sockaddr_in) : sizeof(sockaddr_in6)));
        auto back = to_endpoint(a.storage);
        REQUIRE(back);
        CHECK(*back == e);
    }
    sockaddr_storage unix_socket{};
    unix_socket.ss_family = AF_UNIX;
    CHECK_FALSE(to_endpoint(unix_socket));
}

TEST_CASE("open_bound_socket binds, reports the port, and names what failed") {
    auto udp = open_bound_socket(endpoint("127.0.0.1:0"), SocketType::udp, {.packet_info = true});
    REQUIRE(udp);
    auto local = local_endpoint(udp->get());
    REQUIRE(local);
    CHECK(local->address == endpoint("127.0.0.1:0").address);
    CHECK(local->port != 0);
    CHECK((::fcntl(udp->get(), F_GETFL) & O_NONBLOCK) != 0);
    CHECK((::fcntl(udp->get(), F_GETFD) & FD_CLOEXEC) != 0);

    auto tcp = open_bound_socket(*local, SocketType::tcp);
    REQUIRE(tcp);
    auto again = open_bound_socket(*local, SocketType::tcp);
    REQUIRE_FALSE(again);
    CHECK(again.kind() == ErrorKind::conflict);
    CHECK(again.error() == "cannot bind TCP " + local->str() + ": Address already in use");

    auto twice = open_bound_socket(*local, SocketType::udp);
    REQUIRE_FALSE(twice);
    CHECK(twice.kind() == ErrorKind::conflict);
    CHECK(twice.error() == "cannot bind UDP " + local->str() + ": Address already in use");
}
