// tsig: keys from config text, request checks (good, unknown key, other algorithm, bad
// MAC, out of time) and response signing checked the way a client checks it.
#include <catch2/catch.hpp>

#include <openssl/hmac.h>

#include <ctime>
#include <string>

#include "tsig.h"

using namespace patchbay;

namespace {

// base64 of 32 bytes 0x01..0x20, and of 32 other bytes.
const char* secret = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
const char* other_secret = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

struct PktFree {
    void operator()(knot_pkt_t* pkt) const { knot_pkt_free(pkt); }
};
using Pkt = std::unique_ptr<knot_pkt_t, PktFree>;

std::vector<uint8_t> query(uint16_t id = 0x4242) {
    Pkt pkt(knot_pkt_new(nullptr, 512, nullptr));
    knot_wire_set_id(pkt->wire, id);
    knot_dname_storage_t name;
    knot_dname_from_str(name, "hostdomain.com.", sizeof name);
    REQUIRE(knot_pkt_put_question(pkt.get(), name, KNOT_CLASS_IN, KNOT_RRTYPE_SOA) == KNOT_EOK);
    return std::vector<uint8_t>(pkt->wire, pkt->wire + pkt->size);
}

std::shared_ptr<const TsigKey> key(const char* name = "transfer", const char* alg = "hmac-sha256",
                                   const char* b64 = secret) {
    auto k = TsigKey::make(name, alg, b64);
    REQUIRE(k);
    return *k;
}

void put16(std::vector<uint8_t>& v, uint16_t x) {
    v.push_back(static_cast<uint8_t>(x >> 8));
    v.push_back(static_cast<uint8_t>(x));
}
void put48(std::vector<uint8_t>& v, uint64_t x) {
    for (int s = 40; s >= 0; s -= 8) v.push_back(static_cast<uint8_t>(x >> s));
}

// Signs `msg` as a client would at time `when` (RFC 8945 §4.3.3), by hand, so the time
// can lie outside the fudge. Key name "transfer.", hmac-sha256, secret 0x01..0x20.
std::vector<uint8_t> signed_at(std::vector<uint8_t> msg, uint64_t when, uint16_t fudge = 300) {
    const uint8_t name[] = {8, 't', 'r', 'a', 'n', 's', 'f', 'e', 'r', 0};
    const uint8_t alg[] = {11, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '2', '5', '6', 0};
    std::vector<uint8_t> covered = msg;
    covered.insert(covered.end(), std::begin(name), std::end(name));
    put16(covered, KNOT_CLASS_ANY);
    put16(covered, 0), put16(covered, 0);  // TTL
    covered.insert(covered.end(), std::begin(alg), std::end(alg));
    put48(covered, when);
    put16(covered, fudge);
    put16(covered, 0);  // error
    put16(covered, 0);  // other length
    uint8_t secret_bytes[32];
    for (int i = 0; i < 32; ++i) secret_bytes[i] = static_cast<uint8_t>(i + 1);
    uint8_t mac[32];
    unsigned mac_len = 0;
    HMAC(EVP_sha256(), secret_bytes, 32, covered.data(), covered.size(), mac, &mac_len);

    std::vector<uint8_t> rdata(std::begin(alg), std::end(alg));
    put48(rdata, when);
    put16(rdata, fudge);
    put16(rdata, static_cast<uint16_t>(mac_len));
    rdata.insert(rdata.end(), mac, mac + mac_len);
    put16(rdata, knot_wire_get_id(msg.data()));
    put16(rdata, 0);
    put16(rdata, 0);
    msg.insert(msg.end(), std::begin(name), std::end(name));
    put16(msg, KNOT_RRTYPE_TSIG);
    put16(msg, KNOT_CLASS_ANY);
    put16(msg, 0), put16(msg, 0);
    put16(msg, static_cast<uint16_t>(rdata.size()));
    msg.insert(msg.end(), rdata.begin(), rdata.end());
    knot_wire_set_arcount(msg.data(), static_cast<uint16_t>(knot_wire_get_arcount(msg.data()) + 1));
    return msg;
}

// The TSIG record of a message we produced, parsed as a client would.
struct Parsed {
    std::vector<uint8_t> wire;
    Pkt pkt;
    explicit Parsed(std::vector<uint8_t> w) : wire(std::move(w)) {
        pkt.reset(knot_pkt_new(wire.data(), static_cast<uint16_t>(wire.size()), nullptr));
        REQUIRE(knot_pkt_parse(pkt.get(), 0) == KNOT_EOK);
    }
};

}  // namespace

TEST_CASE("tsig: keys from names, algorithms and base64 secrets") {
    auto k = key("Transfer.", "HMAC-SHA256");
    CHECK(k->name() == "transfer");
    CHECK(k->algorithm() == "hmac-sha256");
    CHECK(k->wire_size() > 32);
    for (const char* alg : {"hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha384", "hmac-sha512"}) {
        CHECK(TsigKey::make("k", alg, secret));
    }
    CHECK(TsigKey::make("k", "hmac-sha3", secret).error().rfind("unknown TSIG algorithm 'hmac-sha3'", 0) == 0);
    CHECK(TsigKey::make("k", "hmac-sha256", "not base64!").error() == "secret is not valid base64");
    CHECK(TsigKey::make("k", "hmac-sha256", "abc").error() == "secret is not valid base64");
    CHECK(TsigKey::make("k", "hmac-sha256", "").error() == "secret is empty");
    CHECK(TsigKey::make("", "hmac-sha256", secret).error() == "not a DNS name: ''");
    CHECK(TsigKey::make("a..b", "hmac-sha256", secret).error() == "not a DNS name: 'a..b'");
    Keyring ring{key("a"), key("b")};
    CHECK(find_key(ring, "B.")->name() == "b");
    CHECK(find_key(ring, "c") == nullptr);
}

TEST_CASE("tsig: a request is checked for key, algorithm, MAC and time (RFC 8945 §5.2)") {
    Keyring ring{key()};
    auto now = static_cast<uint64_t>(std::time(nullptr));

    auto unsigned_check = tsig_verify(query().data(), query().size(), ring);
    CHECK_FALSE(unsigned_check.signed_request);

    auto good = signed_at(query(), now);
    auto ok = tsig_verify(good.data(), good.size(), ring);
    CHECK(ok.ok());
    REQUIRE(ok.key);
    CHECK(ok.key->name() == "transfer");
    CHECK(ok.request_mac.size() == 32);

    // Not a key we know: BADKEY, and no key to sign with.
    auto unknown = tsig_verify(good.data(), good.size(), Keyring{key("other")});
    CHECK(unknown.signed_request);
    CHECK(unknown.error == KNOT_RCODE_BADKEY);
    CHECK_FALSE(unknown.key);
    // Our key's name with another algorithm: BADKEY too (§5.2.1).
    CHECK(tsig_verify(good.data(), good.size(), Keyring{key("transfer", "hmac-sha512")}).error == KNOT_RCODE_BADKEY);
    // Same name and algorithm, other secret: BADSIG.
    auto badsig = tsig_verify(good.data(), good.size(), Keyring{key("transfer", "hmac-sha256", other_secret)});
    CHECK(badsig.error == KNOT_RCODE_BADSIG);
    CHECK_FALSE(badsig.key);
    // A changed byte after signing: BADSIG.
    auto tampered = good;
    knot_wire_set_rd(tampered.data());
    CHECK(tsig_verify(tampered.data(), tampered.size(), ring).error == KNOT_RCODE_BADSIG);
    // A valid MAC made an hour ago, fudge 300: BADTIME, and the answer is still signed.
    auto old = signed_at(query(), now - 3600);
    auto late = tsig_verify(old.data(), old.size(), ring);
    CHECK(late.error == KNOT_RCODE_BADTIME);
    CHECK(late.key);
    CHECK(late.time_signed == now - 3600);
    // Garbage never throws and is not "signed".
    std::vector<uint8_t> junk(good.begin(), good.begin() + 20);
    CHECK_FALSE(tsig_verify(junk.data(), junk.size(), ring).signed_request);
}

TEST_CASE("tsig: responses are signed so a client accepts them, also as a stream") {
    Keyring ring{key()};
    auto request = signed_at(query(7), static_cast<uint64_t>(std::time(nullptr)));
    auto check = tsig_verify(request.data(), request.size(), ring);
    REQUIRE(check.ok());

    // Two messages of one response (a zone transfer): the first covers the request MAC,
    // the second the first's MAC (RFC 8945 §5.3.1).
    TsigSigner signer(check.key, check.request_mac);
    std::vector<uint8_t> first = query(7), second = query(7);
    knot_wire_set_qr(first.data());
    knot_wire_set_qr(second.data());
    REQUIRE(signer.sign(first, 512));
    REQUIRE(signer.sign(second, 512));

    Parsed one(first);
    REQUIRE(one.pkt->tsig_rr != nullptr);
    CHECK(knot_tsig_client_check(one.pkt->tsig_rr, one.pkt->wire, one.pkt->size, check.request_mac.data(),
                                 check.request_mac.size(), &check.key->knot(), 0) == KNOT_EOK);
    Parsed two(second);
    REQUIRE(two.pkt->tsig_rr != nullptr);
    CHECK(knot_tsig_client_check_next(two.pkt->tsig_rr, two.pkt->wire, two.pkt->size,
                                      knot_tsig_rdata_mac(one.pkt->tsig_rr),
                                      knot_tsig_rdata_mac_length(one.pkt->tsig_rr), &check.key->knot(),
                                      0) == KNOT_EOK);
    // Signed with the wrong request MAC, a client would refuse it.
    std::vector<uint8_t> wrong_mac(32, 0);
    CHECK(knot_tsig_client_check(one.pkt->tsig_rr, one.pkt->wire, one.pkt->size, wrong_mac.data(),
                                 wrong_mac.size(), &check.key->knot(), 0) != KNOT_EOK);

    // A signed NOTIFY checks like any signed request.
    auto notify = query(9);
    REQUIRE(tsig_sign_request(notify, *check.key));
    CHECK(tsig_verify(notify.data(), notify.size(), ring).ok());
}

TEST_CASE("tsig: error answers are NOTAUTH with the TSIG error, unsigned but for BADTIME") {
    Keyring ring{key()};
    auto now = static_cast<uint64_t>(std::time(nullptr));
    struct Row {
        std::vector<uint8_t> request;
        Keyring keys;
        uint16_t error;
        bool has_mac;
    };
    const std::vector<Row> rows = {
        {signed_at(query(), now), Keyring{key("other")}, KNOT_RCODE_BADKEY, false},
        {signed_at(query(), now), Keyring{key("transfer", "hmac-sha256", other_secret)}, KNOT_RCODE_BADSIG, false},
        {signed_at(query(), now - 3600), ring, KNOT_RCODE_BADTIME, true},
    };
    for (const auto& r : rows) {
        auto check = tsig_verify(r.request.data(), r.request.size(), r.keys);
        REQUIRE(check.error == r.error);
        auto response = query();
        knot_wire_set_qr(response.data());
        REQUIRE(tsig_error_response(response, 512, check));
        Parsed p(response);
        CHECK(knot_wire_get_rcode(p.wire.data()) == KNOT_RCODE_NOTAUTH);
        REQUIRE(p.pkt->tsig_rr != nullptr);
        CHECK(knot_tsig_rdata_error(p.pkt->tsig_rr) == r.error);
        CHECK((knot_tsig_rdata_mac_length(p.pkt->tsig_rr) > 0) == r.has_mac);
    }
}
