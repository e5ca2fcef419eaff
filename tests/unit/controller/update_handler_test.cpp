// UPDATE on the wire: TSIG decides who speaks, the ACL what they may change, and a
// refused or failed update changes nothing; an accepted one goes through the controller
// (store, serial, snapshot) and is answered with a signed response.
#include <catch2/catch.hpp>

#include "seed.h"
#include "temp_dir.h"
#include "update_handler.h"
#include "update_packet.h"

using namespace patchbay;
using namespace patchbay::test;

namespace {

constexpr const char* secret = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
constexpr const char* other_secret = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

std::shared_ptr<const TsigKey> key(const char* name, const char* b64 = secret) {
    auto k = TsigKey::make(name, "hmac-sha256", b64);
    REQUIRE(k);
    return *k;
}

struct Fixture {
    TempDir tmp;
    std::unique_ptr<Controller> controller;
    Keyring keys{key("ops"), key("other")};
    UpdateHandler handler;

    explicit Fixture(std::vector<AclEntry> acl) {
        auto store = Store::open(tmp.db());
        REQUIRE(store);
        controller = std::make_unique<Controller>(std::move(*store), DnsSettings{60, {}});
        REQUIRE(controller->add_zone("hostdomain.com"));
        REQUIRE(controller->add_zone("other.com"));
        for (const auto& t : seed_tuples()) REQUIRE(controller->put_tuple(t));
        handler = make_update_handler(*controller, keys, std::move(acl));
    }

    // Sends `wire` from 127.0.0.1 over UDP; the response, parsed.
    std::pair<uint16_t, bool> send(std::vector<uint8_t> wire) {
        std::vector<uint8_t> out;
        DnsRequest request{wire.data(), wire.size(), Transport::udp, *Endpoint::parse("127.0.0.1:5353")};
        REQUIRE(handler(request, out));
        REQUIRE(out.size() >= KNOT_WIRE_HEADER_SIZE);
        CHECK(knot_wire_get_id(out.data()) == knot_wire_get_id(wire.data()));
        CHECK(knot_wire_get_qr(out.data()));
        bool tsig = false;
        knot_pkt_t* pkt = knot_pkt_new(out.data(), out.size(), nullptr);
        if (knot_pkt_parse(pkt, 0) == KNOT_EOK) tsig = pkt->tsig_rr != nullptr;
        knot_pkt_free(pkt);
        return {knot_wire_get_rcode(out.data()), tsig};
    }
    size_t tuples() { return controller->tuples("hostdomain.com")->size(); }
    uint32_t serial() { return controller->zones()->front().serial; }
};

std::vector<uint8_t> signed_with(std::vector<uint8_t> wire, const std::shared_ptr<const TsigKey>& k) {
    REQUIRE(tsig_sign_request(wire, *k));
    return wire;
}

const std::vector<Rr> add_tuple = {
    {"_sip._udp.hostdomain.com", KNOT_CLASS_IN, KNOT_RRTYPE_SRV, 60, "1 100 5060 ip4-10-10-10-125.hostdomain.com."},
    {"ip4-10-10-10-125.hostdomain.com", KNOT_CLASS_IN, KNOT_RRTYPE_A, 60, "10.10.10.125"}};

AclEntry update_with(const char* k, std::vector<std::string> zones = {}) {
    AclEntry e;
    e.action = AclAction::update;
    e.key = k;
    e.zones = std::move(zones);
    return e;
}

}  // namespace

TEST_CASE("update handler: a signed, allowed update places a tuple and is answered signed") {
    Fixture f({update_with("ops")});
    size_t before = f.tuples();
    uint32_t serial = f.serial();
    auto [rcode, tsig] = f.send(signed_with(Update({}, add_tuple).bytes(), f.keys[0]));
    CHECK(rcode == KNOT_RCODE_NOERROR);
    CHECK(tsig);
    CHECK(f.tuples() == before + 1);
    CHECK(f.serial() == serial + 1);
    // The change log names the key that signed it.
    auto log = f.controller->changes(ChangeFilter{});
    REQUIRE(log);
    REQUIRE_FALSE(log->empty());
    CHECK((*log)[0].action == "dns update");
    CHECK((*log)[0].serial == serial + 1);
    CHECK_THAT((*log)[0].author, Catch::StartsWith("tsig:ops"));

    // Removing its SRV takes the tuple away again.
    Update remove({}, {{"_sip._udp.hostdomain.com", KNOT_CLASS_ANY, KNOT_RRTYPE_SRV, 0, ""}});
    CHECK(f.send(signed_with(remove.bytes(), f.keys[0])).first == KNOT_RCODE_NOERROR);
    CHECK(f.tuples() == before);
}

TEST_CASE("update handler: wrong, missing or unknown keys are refused and change nothing") {
    Fixture f({update_with("ops", {"hostdomain.com"})});
    size_t before = f.tuples();
    uint32_t serial = f.serial();
    auto wire = Update({}, add_tuple).bytes();

    SECTION("unsigned: REFUSED by the ACL") { CHECK(f.send(wire) == std::pair<uint16_t, bool>{KNOT_RCODE_REFUSED, false}); }
    SECTION("another valid key the ACL does not name: REFUSED, signed") {
        CHECK(f.send(signed_with(wire, f.keys[1])) == std::pair<uint16_t, bool>{KNOT_RCODE_REFUSED, true});
    }
    SECTION("a key we do not know: NOTAUTH (BADKEY)") {
        CHECK(f.send(signed_with(wire, key("stranger"))).first == KNOT_RCODE_NOTAUTH);
    }
    SECTION("our key's name with the wrong secret: NOTAUTH (BADSIG)") {
        CHECK(f.send(signed_with(wire, key("ops", other_secret))).first == KNOT_RCODE_NOTAUTH);
    }
    SECTION("a zone the ACL does not cover: REFUSED") {
        auto other = Update({}, {{"www.other.com", KNOT_CLASS_IN, KNOT_RRTYPE_A, 60, "192.0.2.1"}}, "other.com");
        CHECK(f.send(signed_with(other.bytes(), f.keys[0])).first == KNOT_RCODE_REFUSED);
    }
    CHECK(f.tuples() == before);
    CHECK(f.serial() == serial);
}

TEST_CASE("update handler: a zone that is not ours is NOTAUTH; a broken message FORMERR") {
    Fixture f({update_with("ops")});
    auto foreign = Update({}, {{"www.example.org", KNOT_CLASS_IN, KNOT_RRTYPE_A, 60, "192.0.2.1"}}, "example.org");
    CHECK(f.send(signed_with(foreign.bytes(), f.keys[0])).first == KNOT_RCODE_NOTAUTH);

    auto wire = Update({}, add_tuple).bytes();
    wire.resize(wire.size() - 3);  // cut inside the last record
    CHECK(f.send(wire).first == KNOT_RCODE_FORMERR);

    auto not_soa = Update({}, add_tuple).bytes();
    not_soa[KNOT_WIRE_HEADER_SIZE + 16 + 1] = KNOT_RRTYPE_A;  // the zone section's type: A, not SOA
    CHECK(f.send(not_soa).first == KNOT_RCODE_FORMERR);
}

TEST_CASE("update handler: a failed prerequisite is answered with its rcode and changes nothing") {
    Fixture f({update_with("ops")});
    uint32_t serial = f.serial();
    Update u({{"_http._tcp.hostdomain.com", KNOT_CLASS_NONE, KNOT_RRTYPE_SRV, 0, ""}}, add_tuple);
    CHECK(f.send(signed_with(u.bytes(), f.keys[0])).first == KNOT_RCODE_YXRRSET);
    CHECK(f.serial() == serial);
}

TEST_CASE("update handler: a key of an account updates only that account's zones, whatever the ACL allows") {
    TempDir tmp;
    auto store = Store::open(tmp.db());
    REQUIRE(store);
    Controller controller(std::move(*store), DnsSettings{60, {}});
    REQUIRE(controller.add_account("a"));
    REQUIRE(controller.add_account("b"));
    REQUIRE(controller.add_zone("hostdomain.com", "a"));
    REQUIRE(controller.add_zone("other.com", "b"));
    REQUIRE(controller.add_zone("platform.com"));
    Keyring keys{key("ops"), key("other")};
    // Both keys may update every zone by the ACL; "ops" is account a's.
    auto handler = make_update_handler(controller, keys, {update_with("ops"), update_with("other")}, {{"ops", "a"}});
    auto send = [&](std::vector<uint8_t> wire) {
        std::vector<uint8_t> out;
        DnsRequest request{wire.data(), wire.size(), Transport::udp, *Endpoint::parse("127.0.0.1:5353")};
        REQUIRE(handler(request, out));
        return knot_wire_get_rcode(out.data());
    };
    auto serial = [&](const char* zone) { return controller.export_zone(zone).value(); };
    auto other_before = serial("other.com"), platform_before = serial("platform.com");

    CHECK(send(signed_with(Update({}, add_tuple).bytes(), keys[0])) == KNOT_RCODE_NOERROR);
    CHECK(controller.tuples("hostdomain.com")->size() == 1);
    for (const char* zone : {"other.com", "platform.com", "absent.com"}) {
        INFO(zone);
        std::string owner = std::string("www.") + zone;
        Update u({}, {{owner.c_str(), KNOT_CLASS_IN, KNOT_RRTYPE_A, 60, "192.0.2.1"}}, zone);
        CHECK(send(signed_with(u.bytes(), keys[0])) == KNOT_RCODE_REFUSED);
    }
    CHECK(serial("other.com") == other_before);
    CHECK(serial("platform.com") == platform_before);
    // A key without an account is the platform's: the ACL alone decides.
    Update u({}, {{"www.other.com", KNOT_CLASS_IN, KNOT_RRTYPE_A, 60, "192.0.2.1"}}, "other.com");
    CHECK(send(signed_with(u.bytes(), keys[1])) == KNOT_RCODE_NOERROR);
}
