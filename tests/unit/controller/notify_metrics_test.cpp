// The Notifier's counts for /metrics: one NOTIFY answered, one refused, one never
// answered (given up), against UDP sockets standing in for secondaries.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "notify.h"

using namespace patchbay;
using namespace std::chrono_literals;

namespace {

// A UDP socket on loopback that answers each NOTIFY with `rcode` (or never, when < 0).
struct FakeSecondary {
    int fd = -1;
    uint16_t port = 0;
    int rcode;
    std::atomic<bool> stopping{false};
    std::thread thread;

    explicit FakeSecondary(int answer_rcode) : rcode(answer_rcode) {
        fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd >= 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        socklen_t len = sizeof a;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
        thread = std::thread([this] { serve(); });
    }
    ~FakeSecondary() {
        stopping = true;
        thread.join();
        ::close(fd);
    }
    void serve() {
        while (!stopping) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) continue;
            uint8_t buf[512];
            sockaddr_in from{};
            socklen_t len = sizeof from;
            ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
            if (n < 12 || rcode < 0) continue;
            buf[2] |= 0x80;                                          // QR
            buf[3] = static_cast<uint8_t>((buf[3] & 0xF0) | rcode);  // RCODE
            ::sendto(fd, buf, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), len);
        }
    }
    Endpoint endpoint() const { return *Endpoint::parse("127.0.0.1:" + std::to_string(port)); }
};

}  // namespace

TEST_CASE("notify counts: answered, error, timeout, and datagrams sent") {
    FakeSecondary good(0), refusing(5), silent(-1);
    NotifyTiming timing;
    timing.first_retry = 50ms;
    timing.max_retry = 50ms;
    timing.give_up = 300ms;
    auto notifier = Notifier::start(timing);
    REQUIRE(notifier);
    (*notifier)->notify("hostdomain.com", 7, {good.endpoint(), refusing.endpoint(), silent.endpoint()});

    NotifyCounts c;
    for (int i = 0; i < 100 && c.timeout == 0; ++i) {
        std::this_thread::sleep_for(20ms);
        c = (*notifier)->counts();
    }
    CHECK(c.answered == 1);
    CHECK(c.error == 1);
    CHECK(c.timeout == 1);
    CHECK(c.unreachable == 0);
    CHECK(c.sent >= 4);  // one each, and the silent one retried

    auto text = render_metrics(notify_metrics(NotifyCounts{9, 1, 2, 3, 4}));
    CHECK(text ==
          "# HELP patchbay_notify_total NOTIFYs (RFC 1996) to agents and secondaries by how they ended, one per "
          "zone and target.\n"
          "# TYPE patchbay_notify_total counter\n"
          "patchbay_notify_total{result=\"answered\"} 1\n"
          "patchbay_notify_total{result=\"error\"} 2\n"
          "patchbay_notify_total{result=\"timeout\"} 3\n"
          "patchbay_notify_total{result=\"unreachable\"} 4\n"
          "# HELP patchbay_notify_sent_total NOTIFY datagrams sent, retransmissions included.\n"
          "# TYPE patchbay_notify_sent_total counter\n"
          "patchbay_notify_sent_total 9\n");
}
