// Test helper: one DNS question to a server on loopback over UDP or TCP, sent from a
// chosen loopback source address (so tests can play a client from another network),
// and the response's rcode and answer lines (sorted).
#pragma once

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "dns_client.h"

namespace patchbay::test {

struct Sock {
    int fd;
    explicit Sock(int type) : fd(::socket(AF_INET, type, 0)) { REQUIRE(fd >= 0); }
    ~Sock() { ::close(fd); }
    Sock(const Sock&) = delete;
    Sock& operator=(const Sock&) = delete;
};

inline sockaddr_in ipv4(const char* address, uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    REQUIRE(::inet_pton(AF_INET, address, &a.sin_addr) == 1);
    return a;
}

inline std::vector<uint8_t> query(const char* name, uint16_t type) {
    test::PacketPtr pkt(knot_pkt_new(nullptr, 512, nullptr));
    knot_wire_set_id(pkt->wire, 0x4242);
    knot_dname_storage_t dname;
    REQUIRE(knot_dname_from_str(dname, name, sizeof dname) != nullptr);
    REQUIRE(knot_pkt_put_question(pkt.get(), dname, KNOT_CLASS_IN, type) == KNOT_EOK);
    return std::vector<uint8_t>(pkt->wire, pkt->wire + pkt->size);
}

struct Reply {
    uint16_t rcode = 0;
    std::vector<std::string> answer;
};

inline Reply parse_reply(std::vector<uint8_t>& wire) {
    test::PacketPtr pkt(knot_pkt_new(wire.data(), static_cast<uint16_t>(wire.size()), nullptr));
    REQUIRE(knot_pkt_parse(pkt.get(), 0) == KNOT_EOK);
    Reply r{knot_wire_get_rcode(wire.data()), test::section_lines(pkt.get(), KNOT_ANSWER)};
    std::sort(r.answer.begin(), r.answer.end());
    return r;
}

// One question over UDP to 127.0.0.1:`port`, sent from `source`.
inline Reply ask_udp(uint16_t port, const char* name, uint16_t type, const char* source = "127.0.0.1") {
    Sock s(SOCK_DGRAM);
    auto from = ipv4(source, 0);
    REQUIRE(::bind(s.fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0);
    auto q = query(name, type);
    auto to = ipv4("127.0.0.1", port);
    REQUIRE(::sendto(s.fd, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
            static_cast<ssize_t>(q.size()));
    pollfd p{s.fd, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 2000) == 1);
    std::vector<uint8_t> buf(65535);
    ssize_t n = ::recv(s.fd, buf.data(), buf.size(), 0);
    REQUIRE(n > 0);
    buf.resize(static_cast<size_t>(n));
    return parse_reply(buf);
}

inline bool read_exactly(int fd, uint8_t* out, size_t n) {
    for (size_t got = 0; got < n;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 2000) <= 0) return false;
        ssize_t r = ::recv(fd, out + got, n - got, 0);
        if (r <= 0) return false;
        got += static_cast<size_t>(r);
    }
    return true;
}

// One question over TCP from `source`; the first response message.
inline Reply ask_tcp(uint16_t port, const char* name, uint16_t type, const char* source = "127.0.0.1") {
    Sock s(SOCK_STREAM);
    auto from = ipv4(source, 0);
    REQUIRE(::bind(s.fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0);
    auto to = ipv4("127.0.0.1", port);
    REQUIRE(::connect(s.fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
    auto q = query(name, type);
    std::vector<uint8_t> framed(2 + q.size());
    framed[0] = static_cast<uint8_t>(q.size() >> 8);
    framed[1] = static_cast<uint8_t>(q.size() & 0xff);
    std::memcpy(framed.data() + 2, q.data(), q.size());
    REQUIRE(::send(s.fd, framed.data(), framed.size(), 0) == static_cast<ssize_t>(framed.size()));
    uint8_t len[2];
    REQUIRE(read_exactly(s.fd, len, 2));
    std::vector<uint8_t> msg((size_t{len[0]} << 8) | len[1]);
    REQUIRE(read_exactly(s.fd, msg.data(), msg.size()));
    return parse_reply(msg);
}

}  // namespace patchbay::test
