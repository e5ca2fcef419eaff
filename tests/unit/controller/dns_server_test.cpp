// dns_server and notify on loopback: plain sockets talk to a DnsServer over UDP and TCP,
// and stand in for a secondary that answers NOTIFY late or never.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <optional>

#include "dns_server.h"
#include "notify.h"
#include "seed.h"

using namespace patchbay;
using namespace std::chrono_literals;

namespace {

// A socket for the test's side, closed when dropped.
struct TestSocket {
    int fd;
    explicit TestSocket(int type, int family = AF_INET) : fd(::socket(family, type, 0)) {
        REQUIRE(fd >= 0);
    }
    ~TestSocket() { ::close(fd); }
    TestSocket(const TestSocket&) = delete;
    TestSocket& operator=(const TestSocket&) = delete;
};

sockaddr_in loopback(uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

struct PktFree {
    void operator()(knot_pkt_t* pkt) const { knot_pkt_free(pkt); }
};
using Pkt = std::unique_ptr<knot_pkt_t, PktFree>;

std::vector<uint8_t> query(const char* name, uint16_t type, uint16_t id) {
    Pkt pkt(knot_pkt_new(nullptr, 512, nullptr));
    knot_wire_set_id(pkt->wire, id);
    knot_dname_storage_t dname;
    REQUIRE(knot_dname_from_str(dname, name, sizeof dname) != nullptr);
    REQUIRE(knot_pkt_put_question(pkt.get(), dname, KNOT_CLASS_IN, type) == KNOT_EOK);
    return std::vector<uint8_t>(pkt->wire, pkt->wire + pkt->size);
}

Pkt parse(std::vector<uint8_t>& wire) {
    Pkt pkt(knot_pkt_new(wire.data(), static_cast<uint16_t>(wire.size()), nullptr));
    REQUIRE(knot_pkt_parse(pkt.get(), 0) == KNOT_EOK);
    return pkt;
}

// The serial of the SOA in the answer section, or 0.
uint32_t answer_serial(const knot_pkt_t* pkt) {
    const knot_pktsection_t* answer = knot_pkt_section(pkt, KNOT_ANSWER);
    for (uint16_t i = 0; i < answer->count; ++i) {
        const knot_rrset_t* rr = knot_pkt_rr(answer, i);
        if (rr->type == KNOT_RRTYPE_SOA) return knot_soa_serial(rr->rrs.rdata);
    }
    return 0;
}

std::optional<std::vector<uint8_t>> receive(int fd, std::chrono::milliseconds timeout,
                                            sockaddr_in* from = nullptr) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    std::vector<uint8_t> buf(65535);
    socklen_t len = sizeof(sockaddr_in);
    ssize_t n = ::recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(from), from ? &len : nullptr);
    if (n <= 0) return std::nullopt;
    buf.resize(static_cast<size_t>(n));
    return buf;
}

std::vector<uint8_t> ask_udp(uint16_t port, const std::vector<uint8_t>& q) {
    TestSocket s(SOCK_DGRAM);
    auto to = loopback(port);
    REQUIRE(::sendto(s.fd, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
            static_cast<ssize_t>(q.size()));
    auto reply = receive(s.fd, 2s);
    REQUIRE(reply);
    return *reply;
}

bool read_exactly(int fd, uint8_t* out, size_t n) {
    size_t got = 0;
    while (got < n) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 2000) <= 0) return false;
        ssize_t r = ::recv(fd, out + got, n - got, 0);
        if (r <= 0) return false;
        got += static_cast<size_t>(r);
    }
    return true;
}

std::shared_ptr<const ZoneSet> seed_zones(uint32_t serial) {
    return build_zone_set({{"hostdomain.com", serial}}, test::seed_tuples(), {});
}

}  // namespace

TEST_CASE("dns_server: answers over UDP and TCP, then a published zone") {
    auto server = DnsServer::start({*Endpoint::parse("127.0.0.1:0")}, seed_zones(42));
    REQUIRE(server);
    auto bound = (*server)->bound();
    REQUIRE(bound.size() == 1);
    uint16_t port = bound[0].port;
    CHECK(port != 0);
    CHECK(bound[0].address.str() == "127.0.0.1");

    SECTION("UDP") {
        auto reply = ask_udp(port, query("hostdomain.com.", KNOT_RRTYPE_SOA, 7));
        auto pkt = parse(reply);
        CHECK(knot_wire_get_id(pkt->wire) == 7);
        CHECK(knot_wire_get_rcode(pkt->wire) == KNOT_RCODE_NOERROR);
        CHECK(knot_wire_get_aa(pkt->wire));
        CHECK(answer_serial(pkt.get()) == 42);

        auto srv = ask_udp(port, query("_http._tcp.hostdomain.com.", KNOT_RRTYPE_SRV, 8));
        CHECK(knot_wire_get_ancount(srv.data()) == 3);
        auto refused = ask_udp(port, query("example.com.", KNOT_RRTYPE_A, 9));
        CHECK(knot_wire_get_rcode(refused.data()) == KNOT_RCODE_REFUSED);
    }

    SECTION("TCP: several queries on one connection, sent at once") {
        TestSocket s(SOCK_STREAM);
        auto to = loopback(port);
        REQUIRE(::connect(s.fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
        std::vector<uint8_t> stream;
        for (uint16_t id : {1, 2, 3}) {
            auto q = query(id == 2 ? "nope.hostdomain.com." : "hostdomain.com.", KNOT_RRTYPE_SOA, id);
            stream.push_back(static_cast<uint8_t>(q.size() >> 8));
            stream.push_back(static_cast<uint8_t>(q.size() & 0xff));
            stream.insert(stream.end(), q.begin(), q.end());
        }
        REQUIRE(::send(s.fd, stream.data(), stream.size(), 0) == static_cast<ssize_t>(stream.size()));
        for (uint16_t id : {1, 2, 3}) {
            uint8_t len[2];
            REQUIRE(read_exactly(s.fd, len, 2));
            std::vector<uint8_t> reply((size_t{len[0]} << 8) | len[1]);
            REQUIRE(read_exactly(s.fd, reply.data(), reply.size()));
            auto pkt = parse(reply);
            CHECK(knot_wire_get_id(pkt->wire) == id);
            if (id == 2) {
                CHECK(knot_wire_get_rcode(pkt->wire) == KNOT_RCODE_NXDOMAIN);
            } else {
                CHECK(answer_serial(pkt.get()) == 42);
            }
        }
    }

    SECTION("publish: the next query sees the new serial") {
        (*server)->publish(seed_zones(43));
        auto reply = ask_udp(port, query("hostdomain.com.", KNOT_RRTYPE_SOA, 10));
        auto pkt = parse(reply);
        CHECK(answer_serial(pkt.get()) == 43);
        (*server)->publish(nullptr);
        auto none = ask_udp(port, query("hostdomain.com.", KNOT_RRTYPE_SOA, 11));
        CHECK(knot_wire_get_rcode(none.data()) == KNOT_RCODE_REFUSED);
    }
}

TEST_CASE("dns_server: a port in use is an error naming it") {
    TestSocket taken(SOCK_DGRAM);
    auto any = loopback(0);
    REQUIRE(::bind(taken.fd, reinterpret_cast<sockaddr*>(&any), sizeof any) == 0);
    sockaddr_in actual{};
    socklen_t len = sizeof actual;
    REQUIRE(::getsockname(taken.fd, reinterpret_cast<sockaddr*>(&actual), &len) == 0);
    std::string where = "127.0.0.1:" + std::to_string(ntohs(actual.sin_port));

    auto server = DnsServer::start({*Endpoint::parse(where)}, seed_zones(1));
    REQUIRE_FALSE(server);
    CHECK(server.error() == "cannot bind UDP " + where + ": Address already in use");
    CHECK_FALSE(DnsServer::start({}, seed_zones(1)));
}

TEST_CASE("dns_server: several workers share the UDP port and see every publish") {
    auto threads = [] {
        auto tasks = std::filesystem::directory_iterator("/proc/self/task");
        return std::distance(begin(tasks), end(tasks));
    };
    auto before = threads();
    auto server = DnsServer::start({*Endpoint::parse("127.0.0.1:0")}, seed_zones(42), 3);
    REQUIRE(server);
    CHECK(threads() == before + 3);
    uint16_t port = (*server)->bound()[0].port;

    // Every query from its own source port, so the kernel's flow hash spreads them
    // over the three sockets: all are answered, each from the latest publish.
    auto ask_many = [&](uint32_t serial) {
        for (uint16_t id = 1; id <= 50; ++id) {
            auto reply = ask_udp(port, query("hostdomain.com.", KNOT_RRTYPE_SOA, id));
            auto pkt = parse(reply);
            CHECK(knot_wire_get_id(pkt->wire) == id);
            CHECK(answer_serial(pkt.get()) == serial);
        }
    };
    ask_many(42);
    (*server)->publish(seed_zones(43));
    ask_many(43);

    SECTION("TCP is served too") {
        TestSocket s(SOCK_STREAM);
        auto to = loopback(port);
        REQUIRE(::connect(s.fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
        auto q = query("hostdomain.com.", KNOT_RRTYPE_SOA, 99);
        std::vector<uint8_t> stream{static_cast<uint8_t>(q.size() >> 8), static_cast<uint8_t>(q.size() & 0xff)};
        stream.insert(stream.end(), q.begin(), q.end());
        REQUIRE(::send(s.fd, stream.data(), stream.size(), 0) == static_cast<ssize_t>(stream.size()));
        uint8_t len[2];
        REQUIRE(read_exactly(s.fd, len, 2));
        std::vector<uint8_t> reply((size_t{len[0]} << 8) | len[1]);
        REQUIRE(read_exactly(s.fd, reply.data(), reply.size()));
        CHECK(answer_serial(parse(reply).get()) == 43);
    }

    SECTION("a second server cannot take a share of the port") {
        std::string where = "127.0.0.1:" + std::to_string(port);
        auto second = DnsServer::start({*Endpoint::parse(where)}, seed_zones(1), 3);
        REQUIRE_FALSE(second);
        CHECK(second.error() == "cannot bind UDP " + where + ": Address already in use");
        ask_many(43);  // nothing of the second one is left on the port
    }

    server->reset();
    CHECK(threads() == before);
}

TEST_CASE("dns_server: a burst of datagrams, more than one batch, is answered whole, once each") {
    auto server = DnsServer::start({*Endpoint::parse("127.0.0.1:0")}, seed_zones(5), 1);
    REQUIRE(server);
    uint16_t port = (*server)->bound()[0].port;
    TestSocket s(SOCK_DGRAM);
    auto to = loopback(port);
    constexpr uint16_t burst = 100;  // several recvmmsg batches, sent before any is read
    for (uint16_t id = 1; id <= burst; ++id) {
        auto q = query("hostdomain.com.", KNOT_RRTYPE_SOA, id);
        REQUIRE(::sendto(s.fd, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
                static_cast<ssize_t>(q.size()));
    }
    std::vector<int> seen(burst + 1, 0);
    for (uint16_t i = 0; i < burst; ++i) {
        auto reply = receive(s.fd, 2s);
        REQUIRE(reply);
        auto pkt = parse(*reply);
        uint16_t id = knot_wire_get_id(pkt->wire);
        REQUIRE((id >= 1 && id <= burst));
        ++seen[id];
        CHECK(answer_serial(pkt.get()) == 5);
    }
    CHECK(std::count(seen.begin() + 1, seen.end(), 1) == burst);
    CHECK_FALSE(receive(s.fd, 200ms));  // nothing answered twice
}

TEST_CASE("notify: retransmitted until answered, then silent") {
    TestSocket secondary(SOCK_DGRAM);
    auto any = loopback(0);
    REQUIRE(::bind(secondary.fd, reinterpret_cast<sockaddr*>(&any), sizeof any) == 0);
    sockaddr_in self{};
    socklen_t len = sizeof self;
    REQUIRE(::getsockname(secondary.fd, reinterpret_cast<sockaddr*>(&self), &len) == 0);
    Endpoint target = *Endpoint::parse("127.0.0.1:" + std::to_string(ntohs(self.sin_port)));

    auto notifier = Notifier::start();
    REQUIRE(notifier);
    (*notifier)->notify("HostDomain.com", 5, {target});

    // The first NOTIFY goes unanswered, as if lost.
    auto first = receive(secondary.fd, 2s);
    REQUIRE(first);
    auto first_pkt = parse(*first);
    CHECK(knot_wire_get_opcode(first->data()) == KNOT_OPCODE_NOTIFY);
    CHECK(knot_wire_get_aa(first->data()));
    CHECK_FALSE(knot_wire_get_qr(first->data()));
    CHECK(knot_pkt_qtype(first_pkt.get()) == KNOT_RRTYPE_SOA);
    knot_dname_txt_storage_t qname;
    knot_dname_to_str(qname, knot_pkt_qname(first_pkt.get()), sizeof qname);
    CHECK(std::string(qname) == "hostdomain.com.");
    CHECK(answer_serial(first_pkt.get()) == 5);

    // The retransmission (same id) is answered...
    sockaddr_in from{};
    auto second = receive(secondary.fd, 2s, &from);
    REQUIRE(second);
    CHECK(knot_wire_get_id(second->data()) == knot_wire_get_id(first->data()));
    std::vector<uint8_t> reply(second->begin(), second->begin() + KNOT_WIRE_HEADER_SIZE);
    knot_wire_set_qr(reply.data());
    knot_wire_set_qdcount(reply.data(), 0);
    knot_wire_set_ancount(reply.data(), 0);
    REQUIRE(::sendto(secondary.fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from),
                     sizeof from) == static_cast<ssize_t>(reply.size()));

    // ...and nothing follows: the next retry would have come 500 ms later.
    CHECK_FALSE(receive(secondary.fd, 1500ms));
}

TEST_CASE("notify: a newer serial replaces the pending one; silence after giving up") {
    TestSocket secondary(SOCK_DGRAM);
    auto any = loopback(0);
    REQUIRE(::bind(secondary.fd, reinterpret_cast<sockaddr*>(&any), sizeof any) == 0);
    sockaddr_in self{};
    socklen_t len = sizeof self;
    REQUIRE(::getsockname(secondary.fd, reinterpret_cast<sockaddr*>(&self), &len) == 0);
    Endpoint target = *Endpoint::parse("127.0.0.1:" + std::to_string(ntohs(self.sin_port)));

    auto notifier = Notifier::start({.first_retry = 20ms, .max_retry = 40ms, .give_up = 300ms});
    REQUIRE(notifier);
    (*notifier)->notify("hostdomain.com", 5, {target});
    (*notifier)->notify("hostdomain.com", 6, {target});

    int received = 0;
    uint32_t last_serial = 0;
    auto start = std::chrono::steady_clock::now();
    while (auto message = receive(secondary.fd, 600ms)) {
        ++received;
        last_serial = answer_serial(parse(*message).get());
        REQUIRE(std::chrono::steady_clock::now() - start < 2s);  // bounded, whatever happens
    }
    CHECK(last_serial == 6);
    // 20 + 40 + 40 + ... ms until 300 ms: about 8 sends, never an unbounded stream.
    CHECK(received >= 3);
    CHECK(received <= 14);
}
