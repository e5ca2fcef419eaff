// dns_server with zone transfers on loopback: a large AXFR streamed over TCP while the
// client reads slowly, the query pipelined behind it answered after it, the ACL seeing
// the client's address, and IXFR from a published journal.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "dns_server.h"
#include "seed.h"
#include "zone_diff.h"

using namespace patchbay;
using namespace std::chrono_literals;

namespace {

struct Socket {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ~Socket() { ::close(fd); }
};

struct PktFree {
    void operator()(knot_pkt_t* pkt) const { knot_pkt_free(pkt); }
};
using Pkt = std::unique_ptr<knot_pkt_t, PktFree>;

std::vector<uint8_t> framed_query(uint16_t type, uint16_t id, std::optional<uint32_t> serial = std::nullopt) {
    Pkt pkt(knot_pkt_new(nullptr, 512, nullptr));
    knot_wire_set_id(pkt->wire, id);
    knot_dname_storage_t name;
    knot_dname_from_str(name, "hostdomain.com.", sizeof name);
    REQUIRE(knot_pkt_put_question(pkt.get(), name, KNOT_CLASS_IN, type) == KNOT_EOK);
    if (serial) {
        auto soa = make_soa("hostdomain.com", *serial, 60);
        knot_pkt_begin(pkt.get(), KNOT_AUTHORITY);
        REQUIRE(knot_pkt_put(pkt.get(), 0, soa.get(), 0) == KNOT_EOK);
    }
    // Sized once and copied into: g++ 12 warns (-Warray-bounds) on insert() after a
    // two-byte initializer list.
    std::vector<uint8_t> out(2 + pkt->size);
    out[0] = static_cast<uint8_t>(pkt->size >> 8);
    out[1] = static_cast<uint8_t>(pkt->size & 0xff);
    std::memcpy(out.data() + 2, pkt->wire, pkt->size);
    return out;
}

bool read_exactly(int fd, uint8_t* out, size_t n) {
    size_t got = 0;
    while (got < n) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 3000) <= 0) return false;
        ssize_t r = ::recv(fd, out + got, n - got, 0);
        if (r <= 0) return false;
        got += static_cast<size_t>(r);
    }
    return true;
}

std::optional<std::vector<uint8_t>> read_message(int fd) {
    uint8_t len[2];
    if (!read_exactly(fd, len, 2)) return std::nullopt;
    std::vector<uint8_t> msg((size_t{len[0]} << 8) | len[1]);
    if (!read_exactly(fd, msg.data(), msg.size())) return std::nullopt;
    return msg;
}

uint16_t connect_and_send(Socket& s, uint16_t port, const std::vector<uint8_t>& bytes) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(s.fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
    REQUIRE(::send(s.fd, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
    return port;
}

std::vector<Tuple> big_zone(int n) {
    auto tuples = test::seed_tuples();
    for (int i = 0; i < n; ++i)
        tuples.push_back(*parse_tuple("hostdomain.com", "svc" + std::to_string(i % 50), "tcp",
                                      "10.50." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1),
                                      "443", "1", "1"));
    return tuples;
}

DnsServerOptions loopback_transfers() {
    DnsServerOptions options;
    options.workers = 1;
    AclEntry local;
    local.addresses = {*Prefix::parse("127.0.0.0/8")};
    options.policy.acl = {local};
    return options;
}

}  // namespace

TEST_CASE("dns_server: a large AXFR streams over TCP; the query behind it waits its turn") {
    auto zones = build_zone_set({{"hostdomain.com", 5}}, big_zone(20000), {});  // ~2 MB of records
    auto server = DnsServer::start({*Endpoint::parse("127.0.0.1:0")}, zones, loopback_transfers());
    REQUIRE(server);
    uint16_t port = (*server)->bound()[0].port;

    Socket s;
    auto bytes = framed_query(KNOT_RRTYPE_AXFR, 1);
    auto soa = framed_query(KNOT_RRTYPE_SOA, 2);
    bytes.insert(bytes.end(), soa.begin(), soa.end());
    connect_and_send(s, port, bytes);

    // Meanwhile another client is served at once: the transfer does not block the loop.
    Socket other;
    connect_and_send(other, port, framed_query(KNOT_RRTYPE_SOA, 3));
    auto quick = read_message(other.fd);
    REQUIRE(quick);
    CHECK(knot_wire_get_id(quick->data()) == 3);

    size_t messages = 0, soas = 0, records = 0;
    while (true) {
        if (messages == 2) std::this_thread::sleep_for(200ms);  // a slow reader for a moment
        auto msg = read_message(s.fd);
        REQUIRE(msg);
        if (knot_wire_get_id(msg->data()) == 2) break;  // the SOA query, answered after the transfer
        REQUIRE(knot_wire_get_id(msg->data()) == 1);
        ++messages;
        Pkt pkt(knot_pkt_new(msg->data(), static_cast<uint16_t>(msg->size()), nullptr));
        REQUIRE(knot_pkt_parse(pkt.get(), 0) == KNOT_EOK);
        const knot_pktsection_t* an = knot_pkt_section(pkt.get(), KNOT_ANSWER);
        for (uint16_t i = 0; i < an->count; ++i) {
            const knot_rrset_t* rr = knot_pkt_rr(an, i);
            records += rr->rrs.count;
            if (rr->type == KNOT_RRTYPE_SOA) ++soas;
        }
    }
    CHECK(messages > 10);
    CHECK(soas == 2);
    CHECK(records == 2 + 1 + 20000 * 2 + 5 + 4);
}

TEST_CASE("dns_server: the ACL sees the client's address; IXFR reads the published journal") {
    auto v1 = build_zone({"hostdomain.com", 1}, test::seed_tuples(), {});
    auto more = test::seed_tuples();
    more.push_back(test::tuple_of("http", "10.10.10.125", "80", "1"));
    auto v2 = build_zone({"hostdomain.com", 2}, more, {});

    DnsServerOptions only_elsewhere = loopback_transfers();
    only_elsewhere.policy.acl[0].addresses = {*Prefix::parse("192.0.2.0/24")};
    auto refusing = DnsServer::start({*Endpoint::parse("127.0.0.1:0")}, std::make_shared<ZoneSet>(std::vector{v2}),
                                     std::move(only_elsewhere));
    REQUIRE(refusing);
    Socket r;
    connect_and_send(r, (*refusing)->bound()[0].port, framed_query(KNOT_RRTYPE_AXFR, 4));
    auto refused = read_message(r.fd);
    REQUIRE(refused);
    CHECK(knot_wire_get_rcode(refused->data()) == KNOT_RCODE_REFUSED);

    auto server = DnsServer::start({*Endpoint::parse("127.0.0.1:0")}, std::make_shared<ZoneSet>(std::vector{v2}),
                                   loopback_transfers());
    REQUIRE(server);
    auto ask_ixfr = [&] {
        Socket s;
        connect_and_send(s, (*server)->bound()[0].port, framed_query(KNOT_RRTYPE_IXFR, 5, 1));
        auto msg = read_message(s.fd);
        REQUIRE(msg);
        return knot_wire_get_ancount(msg->data());
    };
    CHECK(ask_ixfr() > 6);  // no journal yet: the whole zone
    (*server)->publish_journal(std::make_shared<Journal>()->with_diff("hostdomain.com", diff_zones(*v1, *v2), {}));
    CHECK(ask_ixfr() == 6);  // SOA 2, SOA 1, SOA 2, SRV, A, SOA 2
}
