// transfer and dns_dispatch: AXFR and IXFR through respond(), the way the DNS server
// calls it — every message collected, parsed back and compared with the zone.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "dns_dispatch.h"
#include "seed.h"
#include "zone_diff.h"

using namespace patchbay;

namespace {

struct PktFree {
    void operator()(knot_pkt_t* pkt) const { knot_pkt_free(pkt); }
};
using Pkt = std::unique_ptr<knot_pkt_t, PktFree>;

const char* secret = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";

std::vector<uint8_t> xfr_query(uint16_t type, std::optional<uint32_t> serial = std::nullopt,
                               const char* zone = "hostdomain.com", const TsigKey* key = nullptr) {
    Pkt pkt(knot_pkt_new(nullptr, 512, nullptr));
    knot_wire_set_id(pkt->wire, 0x1234);
    knot_dname_storage_t name;
    knot_dname_from_str(name, (std::string(zone) + ".").c_str(), sizeof name);
    REQUIRE(knot_pkt_put_question(pkt.get(), name, KNOT_CLASS_IN, type) == KNOT_EOK);
    if (serial) {
        auto soa = make_soa(zone, *serial, 60);
        knot_pkt_begin(pkt.get(), KNOT_AUTHORITY);
        REQUIRE(knot_pkt_put(pkt.get(), 0, soa.get(), 0) == KNOT_EOK);
    }
    std::vector<uint8_t> wire(pkt->wire, pkt->wire + pkt->size);
    if (key) REQUIRE(tsig_sign_request(wire, *key));
    return wire;
}

// Every message of one response, parsed.
struct Messages {
    std::vector<std::vector<uint8_t>> wires;
    std::vector<Pkt> pkts;
    uint16_t rcode(size_t i = 0) const { return knot_wire_get_rcode(wires.at(i).data()); }
    bool tc() const { return knot_wire_get_tc(wires.at(0).data()); }
    // "owner TYPE" + rdata dump of each answer record, in order, one line per record.
    std::vector<std::string> records() const {
        std::vector<std::string> out;
        for (const auto& p : pkts) {
            const knot_pktsection_t* an = knot_pkt_section(p.get(), KNOT_ANSWER);
            for (uint16_t i = 0; i < an->count; ++i) {
                const knot_rrset_t* rr = knot_pkt_rr(an, i);
                knot_dump_style_t style = KNOT_DUMP_STYLE_DEFAULT;
                char buf[1024];
                for (uint16_t j = 0; j < rr->rrs.count; ++j) {
                    knot_rrset_t one = *rr;
                    one.rrs.count = 1;
                    one.rrs.rdata = knot_rdataset_at(&rr->rrs, j);
                    one.rrs.size = knot_rdata_size(one.rrs.rdata->len);
                    int n = knot_rrset_txt_dump_data(&one, 0, buf, sizeof buf, &style);
                    char owner[KNOT_DNAME_TXT_MAXLEN + 1];
                    knot_dname_to_str(owner, rr->owner, sizeof owner);
                    char type[32];
                    knot_rrtype_to_string(rr->type, type, sizeof type);
                    out.push_back(std::string(owner) + " " + type + " " + std::string(buf, n > 0 ? n : 0));
                }
            }
        }
        return out;
    }
};

struct Fixture {
    DnsPolicy policy;
    std::shared_ptr<const ZoneSet> zones;
    std::shared_ptr<const Journal> journal = std::make_shared<Journal>();
    JournalSource source = [this] { return journal; };

    Fixture() {
        AclEntry local;
        local.addresses = {*Prefix::parse("127.0.0.0/8")};
        policy.acl = {local};
        zones = build_zone_set({{"hostdomain.com", 7}}, test::seed_tuples(), {});
    }

    Messages ask(const std::vector<uint8_t>& query, Transport transport = Transport::tcp,
                 const char* from = "127.0.0.1") {
        DnsRequest req{query.data(), query.size(), transport, {*Address::parse(from), 5300}};
        Messages m;
        std::vector<uint8_t> out;
        std::unique_ptr<TransferStream> more;
        REQUIRE(respond(policy, *zones, source, req, out, more));
        m.wires.push_back(out);
        while (more && more->next(out)) m.wires.push_back(out);
        for (auto& w : m.wires) {
            CHECK(w.size() <= KNOT_WIRE_MAX_PKTSIZE);
            CHECK(knot_wire_get_id(w.data()) == 0x1234);
            m.pkts.emplace_back(knot_pkt_new(w.data(), static_cast<uint16_t>(w.size()), nullptr));
            REQUIRE(knot_pkt_parse(m.pkts.back().get(), 0) == KNOT_EOK);
        }
        return m;
    }

    // The zone's records as Messages::records() prints them, sorted.
    std::vector<std::string> zone_records(uint16_t type = KNOT_RRTYPE_AXFR) {
        auto m = ask(xfr_query(type, type == KNOT_RRTYPE_IXFR ? std::optional<uint32_t>(0) : std::nullopt));
        auto r = m.records();
        r.pop_back();  // the closing SOA
        std::sort(r.begin(), r.end());
        return r;
    }

    void change(std::vector<Tuple> tuples, uint32_t serial) {
        auto next = build_zone({"hostdomain.com", serial}, tuples, {});
        journal = journal->with_diff("hostdomain.com", diff_zones(*zones->zone("hostdomain.com"), *next), {});
        zones = with_zone(*zones, "hostdomain.com", next);
    }
};

std::string soa_line(uint32_t serial) {
    return "hostdomain.com. SOA ns.hostdomain.com. hostmaster.hostdomain.com. " + std::to_string(serial) +
           " 3600 600 604800 60";
}

}  // namespace

TEST_CASE("axfr: SOA first and last, every record once (RFC 5936 §2.2)") {
    Fixture f;
    auto m = f.ask(xfr_query(KNOT_RRTYPE_AXFR));
    REQUIRE(m.wires.size() == 1);
    CHECK(m.rcode() == KNOT_RCODE_NOERROR);
    CHECK(knot_wire_get_aa(m.wires[0].data()));
    auto records = m.records();
    REQUIRE(records.size() == 12);  // SOA, NS, 3 + 2 SRV, 4 A (no glue configured), SOA
    CHECK(records.front() == soa_line(7));
    CHECK(records.back() == soa_line(7));
    std::set<std::string> unique(records.begin() + 1, records.end() - 1);
    CHECK(unique.size() == records.size() - 2);
    CHECK(unique.count("_http._tcp.hostdomain.com. SRV 1 100 80 ip4-10-10-10-121.hostdomain.com."));
}

TEST_CASE("axfr: a large zone streams as several messages, a huge RRset split across them") {
    Fixture f;
    std::vector<Tuple> many = test::seed_tuples();
    for (int i = 0; i < 4000; ++i) {  // one SRV RRset of 4000 records: about 200 KB
        auto address = "10.20." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
        many.push_back(*parse_tuple("hostdomain.com", "big", "tcp", address, "443", "1", "1"));
    }
    f.zones = build_zone_set({{"hostdomain.com", 9}}, many, {});
    auto m = f.ask(xfr_query(KNOT_RRTYPE_AXFR));
    CHECK(m.wires.size() > 3);
    auto records = m.records();
    CHECK(records.front() == soa_line(9));
    CHECK(records.back() == soa_line(9));
    CHECK(records.size() == 2 + 1 + 4000 + 4000 + 5 + 4);  // SOAs, NS, big SRV + A, seed SRV + A
    std::set<std::string> unique(records.begin(), records.end());
    CHECK(unique.size() == records.size() - 1);
}

TEST_CASE("axfr: refusals — ACL, not our zone, UDP, class") {
    Fixture f;
    CHECK(f.ask(xfr_query(KNOT_RRTYPE_AXFR), Transport::tcp, "192.0.2.1").rcode() == KNOT_RCODE_REFUSED);
    CHECK(f.ask(xfr_query(KNOT_RRTYPE_AXFR, std::nullopt, "example.org")).rcode() == KNOT_RCODE_NOTAUTH);
    // A name inside the zone is not a zone.
    CHECK(f.ask(xfr_query(KNOT_RRTYPE_AXFR, std::nullopt, "_http._tcp.hostdomain.com")).rcode() ==
          KNOT_RCODE_NOTAUTH);
    auto udp = f.ask(xfr_query(KNOT_RRTYPE_AXFR), Transport::udp);
    CHECK(udp.rcode() == KNOT_RCODE_NOERROR);
    CHECK(udp.tc());
    CHECK(udp.records().empty());
    f.policy.acl.clear();  // the default: nobody
    CHECK(f.ask(xfr_query(KNOT_RRTYPE_AXFR)).rcode() == KNOT_RCODE_REFUSED);
}

TEST_CASE("ixfr: diffs from the journal, SOA only when current, the whole zone when unknown") {
    Fixture f;
    auto tuples = test::seed_tuples();
    tuples.push_back(test::tuple_of("http", "10.10.10.125", "80", "1"));
    f.change(tuples, 8);
    tuples.erase(tuples.begin());  // 10.10.10.121 http
    f.change(tuples, 9);

    // RFC 1995 §4: current SOA, then per diff old SOA, removals, new SOA, additions.
    auto m = f.ask(xfr_query(KNOT_RRTYPE_IXFR, 7));
    CHECK(m.records() == std::vector<std::string>{
                             soa_line(9),
                             soa_line(7),
                             soa_line(8),
                             "_http._tcp.hostdomain.com. SRV 1 100 80 ip4-10-10-10-125.hostdomain.com.",
                             "ip4-10-10-10-125.hostdomain.com. A 10.10.10.125",
                             soa_line(8),
                             "_http._tcp.hostdomain.com. SRV 1 100 80 ip4-10-10-10-121.hostdomain.com.",
                             "ip4-10-10-10-121.hostdomain.com. A 10.10.10.121",
                             soa_line(9),
                             soa_line(9),
                         });
    CHECK(f.ask(xfr_query(KNOT_RRTYPE_IXFR, 8)).records().size() == 6);

    // Current, or ahead of us: the SOA alone (RFC 1995 §2).
    CHECK(f.ask(xfr_query(KNOT_RRTYPE_IXFR, 9)).records() == std::vector<std::string>{soa_line(9)});
    CHECK(f.ask(xfr_query(KNOT_RRTYPE_IXFR, 12)).records() == std::vector<std::string>{soa_line(9)});

    // A serial the journal does not know: the whole zone, AXFR-style (RFC 1995 §4).
    auto full = f.ask(xfr_query(KNOT_RRTYPE_IXFR, 3));
    auto records = full.records();
    CHECK(records.front() == soa_line(9));
    CHECK(records.back() == soa_line(9));
    records.pop_back();
    std::sort(records.begin(), records.end());
    CHECK(records == f.zone_records());

    // Over UDP: whole when it fits, else the current SOA only.
    CHECK(f.ask(xfr_query(KNOT_RRTYPE_IXFR, 8), Transport::udp).records().size() == 6);
    auto tuples_many = tuples;
    for (int i = 0; i < 40; ++i)
        tuples_many.push_back(test::tuple_of("http", ("10.30.0." + std::to_string(i + 1)).c_str(), "80", "1"));
    f.change(tuples_many, 10);
    CHECK(f.ask(xfr_query(KNOT_RRTYPE_IXFR, 9), Transport::udp).records() == std::vector<std::string>{soa_line(10)});
    CHECK(f.ask(xfr_query(KNOT_RRTYPE_IXFR, 9), Transport::tcp).records().size() == 4 + 80);

    // No SOA in the authority section: FORMERR (RFC 1995 §3).
    CHECK(f.ask(xfr_query(KNOT_RRTYPE_IXFR)).rcode() == KNOT_RCODE_FORMERR);
}

TEST_CASE("transfer: TSIG — signed streams verify, bad keys get NOTAUTH, the ACL key is enforced") {
    Fixture f;
    auto key = *TsigKey::make("transfer", "hmac-sha256", secret);
    auto other = *TsigKey::make("other", "hmac-sha256", secret);
    f.policy.keys = {key, other};
    AclEntry signed_only;
    signed_only.key = "transfer";
    f.policy.acl = {signed_only};
    std::vector<Tuple> many = test::seed_tuples();
    for (int i = 0; i < 3000; ++i)
        many.push_back(*parse_tuple("hostdomain.com", "big", "tcp", "10.40." + std::to_string(i / 250) + "." +
                                    std::to_string(i % 250 + 1), "443", "1", "1"));
    f.zones = build_zone_set({{"hostdomain.com", 7}}, many, {});

    auto query = xfr_query(KNOT_RRTYPE_AXFR, std::nullopt, "hostdomain.com", key.get());
    auto m = f.ask(query);
    REQUIRE(m.wires.size() > 1);
    // Each message checks as a client checks it: the first against the request MAC, each
    // later one against the MAC before it (RFC 8945 §5.3.1).
    Pkt q(knot_pkt_new(query.data(), static_cast<uint16_t>(query.size()), nullptr));
    REQUIRE(knot_pkt_parse(q.get(), 0) == KNOT_EOK);
    std::vector<uint8_t> mac(knot_tsig_rdata_mac(q->tsig_rr), knot_tsig_rdata_mac(q->tsig_rr) +
                                                                   knot_tsig_rdata_mac_length(q->tsig_rr));
    for (size_t i = 0; i < m.pkts.size(); ++i) {
        const knot_pkt_t* p = m.pkts[i].get();
        REQUIRE(p->tsig_rr != nullptr);
        int ret = i == 0 ? knot_tsig_client_check(p->tsig_rr, p->wire, p->size, mac.data(), mac.size(), &key->knot(), 0)
                         : knot_tsig_client_check_next(p->tsig_rr, p->wire, p->size, mac.data(), mac.size(),
                                                       &key->knot(), 0);
        CHECK(ret == KNOT_EOK);
        mac.assign(knot_tsig_rdata_mac(p->tsig_rr), knot_tsig_rdata_mac(p->tsig_rr) + knot_tsig_rdata_mac_length(p->tsig_rr));
    }

    // Unsigned, or signed with a key the ACL does not name: REFUSED (signed when signed).
    CHECK(f.ask(xfr_query(KNOT_RRTYPE_AXFR)).rcode() == KNOT_RCODE_REFUSED);
    auto wrong = f.ask(xfr_query(KNOT_RRTYPE_AXFR, std::nullopt, "hostdomain.com", other.get()));
    CHECK(wrong.rcode() == KNOT_RCODE_REFUSED);
    CHECK(wrong.pkts[0]->tsig_rr != nullptr);
    // A key we do not have: NOTAUTH + BADKEY (RFC 8945 §5.2.1).
    auto stranger = *TsigKey::make("stranger", "hmac-sha256", secret);
    auto badkey = f.ask(xfr_query(KNOT_RRTYPE_AXFR, std::nullopt, "hostdomain.com", stranger.get()));
    CHECK(badkey.rcode() == KNOT_RCODE_NOTAUTH);
    REQUIRE(badkey.pkts[0]->tsig_rr != nullptr);
    CHECK(knot_tsig_rdata_error(badkey.pkts[0]->tsig_rr) == KNOT_RCODE_BADKEY);
    // Our key's name with another secret: NOTAUTH + BADSIG.
    auto forged = *TsigKey::make("transfer", "hmac-sha256", "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=");
    auto badsig = f.ask(xfr_query(KNOT_RRTYPE_AXFR, std::nullopt, "hostdomain.com", forged.get()));
    CHECK(badsig.rcode() == KNOT_RCODE_NOTAUTH);
    CHECK(knot_tsig_rdata_error(badsig.pkts[0]->tsig_rr) == KNOT_RCODE_BADSIG);

    // An ordinary signed query is answered and signed too.
    auto soa = f.ask(xfr_query(KNOT_RRTYPE_SOA, std::nullopt, "hostdomain.com", key.get()), Transport::udp);
    CHECK(soa.rcode() == KNOT_RCODE_NOERROR);
    CHECK(soa.records() == std::vector<std::string>{soa_line(7)});
    CHECK(soa.pkts[0]->tsig_rr != nullptr);
}

TEST_CASE("dispatch: UPDATE goes to the handler when there is one, else NOTIMP") {
    Fixture f;
    auto update = xfr_query(KNOT_RRTYPE_SOA);
    knot_wire_set_opcode(update.data(), KNOT_OPCODE_UPDATE);
    CHECK(f.ask(update, Transport::udp).rcode() == KNOT_RCODE_NOTIMPL);

    std::optional<Endpoint> seen;
    f.policy.update = [&](const DnsRequest& r, std::vector<uint8_t>& out) {
        seen = r.source;
        out.assign(r.wire, r.wire + r.len);
        knot_wire_set_qr(out.data());
        knot_wire_set_rcode(out.data(), KNOT_RCODE_REFUSED);
        return true;
    };
    CHECK(f.ask(update, Transport::tcp, "127.0.0.9").rcode() == KNOT_RCODE_REFUSED);
    REQUIRE(seen);
    CHECK(seen->str() == "127.0.0.9:5300");
}
