// Zone files in and out: parse errors say where, tuples come back from their records,
// and export ⇒ import gives back the same zone.
#include <catch2/catch.hpp>

#include <algorithm>

#include "seed.h"
#include "zone_content.h"
#include "zonefile.h"

using namespace patchbay;

namespace {

const char* const kExample = R"($ORIGIN example.org.
$TTL 300
@    IN SOA ns1.example.org. admin.example.org. 2024010101 3600 600 604800 300
@    IN NS  ns1
ns1  IN A   192.0.2.53
@    IN MX  10 mail
mail IN A   192.0.2.25
www  IN CNAME web
web  IN A   192.0.2.80
txt  IN TXT "hello  world" "second"
_sip._udp  IN SRV 10 60 5060 sip1
sip1       IN A    10.10.10.121
sip1       IN AAAA 2001:db8::121
_http._tcp IN SRV 1 100 80 ip4-10-10-10-122
ip4-10-10-10-122 IN A 10.10.10.122
_ext._tcp  IN SRV 1 1 443 other.example.net.
)";

DnsSettings settings() {
    DnsSettings s;
    s.ttl = 60;
    s.ns_addresses = {*Address::parse("127.0.0.1")};
    return s;
}

std::shared_ptr<const Zone> build(const ZoneFile& file, const ZoneContent& content) {
    return build_zone({file.zone, file.serial, content.records}, content.tuples, settings());
}

std::string error_of(std::string_view text, std::optional<std::string> zone = std::nullopt) {
    auto parsed = parse_zone_file(text, zone, "test.zone");
    REQUIRE_FALSE(parsed);
    CHECK(parsed.kind() == ErrorKind::invalid);
    return parsed.error();
}

}  // namespace

TEST_CASE("zonefile: the zone, its serial and every record but the SOA") {
    auto file = parse_zone_file(kExample, std::nullopt, "example.zone");
    REQUIRE(file);
    CHECK(file->zone == "example.org");
    CHECK(file->serial == 2024010101u);
    CHECK(file->records.size() == 13);
}

TEST_CASE("zonefile: SRV records on addresses of the zone become tuples, the rest stays records") {
    auto file = parse_zone_file(kExample, std::nullopt, "example.zone");
    REQUIRE(file);
    auto content = split_records(file->zone, file->records, settings());
    REQUIRE(content);
    std::vector<std::string> tuples;
    for (const auto& t : content->tuples)
        tuples.push_back(t.key.str() + " " + std::to_string(t.priority) + "/" + std::to_string(t.weight) + " " +
                         t.target);
    CHECK(tuples == std::vector<std::string>{
                        "http/tcp 10.10.10.122:80 1/100 ",  // derived target: no explicit one
                        "sip/udp 10.10.10.121:5060 10/60 sip1.example.org",
                        "sip/udp [2001:db8::121]:5060 10/60 sip1.example.org",
                    });
    // NS, ns1 A, MX, mail A, CNAME, web A, TXT and the SRV to a name outside the zone.
    CHECK(content->records.size() == 8);
    auto zone = build(*file, *content);
    REQUIRE(zone);
    auto lines = zone->dump();
    auto has = [&](const std::string& line) { return std::find(lines.begin(), lines.end(), line) != lines.end(); };
    CHECK(has("example.org. 300 IN MX 10 mail.example.org."));
    CHECK(has("txt.example.org. 300 IN TXT \"hello world\" \"second\""));  // dump() squeezes blanks
    CHECK(has("_ext._tcp.example.org. 300 IN SRV 1 1 443 other.example.net."));
    CHECK(has("www.example.org. 300 IN CNAME web.example.org."));
    // The controller's own NS and the zone's NS form one RRset, with the controller's TTL.
    CHECK(has("example.org. 60 IN NS ns.example.org."));
    CHECK(has("example.org. 60 IN NS ns1.example.org."));
}

TEST_CASE("zonefile: export then import gives back the same zone, byte for byte") {
    auto file = parse_zone_file(kExample, std::nullopt, "example.zone");
    REQUIRE(file);
    auto content = split_records(file->zone, file->records, settings());
    REQUIRE(content);
    auto zone = build(*file, *content);
    std::string exported = format_zone_file(*zone);
    CHECK(exported.find("\"hello  world\"") != std::string::npos);  // text kept exactly

    auto again = parse_zone_file(exported, std::nullopt, "exported.zone");
    REQUIRE(again);
    CHECK(again->zone == "example.org");
    CHECK(again->serial == file->serial);
    auto content2 = split_records(again->zone, again->records, settings());
    REQUIRE(content2);
    CHECK(content2->tuples == content->tuples);
    CHECK(content2->records == content->records);
    CHECK(format_zone_file(*build(*again, *content2)) == exported);
}

TEST_CASE("zonefile: the seed's tuples survive a zone file") {
    auto tuples = test::seed_tuples();
    auto zone = build_zone({"hostdomain.com", 7, {}}, tuples, settings());
    auto file = parse_zone_file(format_zone_file(*zone), std::nullopt, "seed.zone");
    REQUIRE(file);
    auto content = split_records(file->zone, file->records, settings());
    REQUIRE(content);
    std::sort(tuples.begin(), tuples.end());
    CHECK(content->tuples == tuples);
    CHECK(content->records.empty());
}

TEST_CASE("zonefile: errors say what and where") {
    SECTION("syntax, with the line") {
        CHECK(error_of("@ SOA a. b. 1 2 3 4 5\nfoo AAA 1.2.3.4\n", "x.org") == "test.zone:2: unsupported record type");
    }
    SECTION("$INCLUDE is refused before anything is read") {
        CHECK(error_of("@ SOA a. b. 1 2 3 4 5\n$include /etc/passwd\n", "x.org") ==
              "test.zone:2: $INCLUDE is not allowed (send one file)");
    }
    SECTION("no SOA") { CHECK(error_of("www A 192.0.2.1\n", "x.org") == "test.zone: no SOA record (a zone file starts with one)"); }
    SECTION("two SOAs") {
        CHECK(error_of("@ SOA a. b. 1 2 3 4 5\n@ SOA a. b. 2 2 3 4 5\n", "x.org") ==
              "test.zone:2: a second SOA (the first is on line 1)");
    }
    SECTION("an SOA for another zone") {
        CHECK(error_of("y.org. SOA a. b. 1 2 3 4 5\n", "x.org") == "test.zone:1: the SOA is for y.org, not x.org");
    }
    SECTION("a file that does not name its zone") {
        CHECK(error_of("@ SOA a. b. 1 2 3 4 5\n") ==
              "test.zone:1: the file does not name its zone ($ORIGIN or an absolute SOA owner): give the zone");
    }
    SECTION("an owner outside the zone") {
        CHECK(error_of("@ SOA a. b. 1 2 3 4 5\nwww.y.org. A 192.0.2.1\n", "x.org") ==
              "test.zone:2: www.y.org is outside the zone x.org");
    }
    SECTION("a class other than IN (libzscanner reads IN only)") {
        CHECK(error_of("@ SOA a. b. 1 2 3 4 5\nwww CH TXT \"x\"\n", "x.org") == "test.zone:2: unsupported record type");
    }
}

TEST_CASE("zone content: a CNAME beside other data is refused") {
    auto file = parse_zone_file("@ SOA a. b. 1 2 3 4 5\nwww CNAME web\nwww TXT \"x\"\n", "x.org", "t");
    REQUIRE(file);
    auto content = split_records(file->zone, file->records, settings());
    REQUIRE_FALSE(content);
    CHECK(content.error() == "www.x.org CNAME: a CNAME cannot sit beside other records");
}

TEST_CASE("zone content: an SRV that cannot be a tuple stays an SRV record") {
    // Unknown transport label, and a target with no address: both plain records.
    auto file = parse_zone_file("@ SOA a. b. 1 2 3 4 5\n_x._quic SRV 1 1 1 h\nh A 192.0.2.1\n_y._tcp SRV 1 1 1 none\n",
                                "x.org", "t");
    REQUIRE(file);
    auto content = split_records(file->zone, file->records, settings());
    REQUIRE(content);
    CHECK(content->tuples.empty());
    CHECK(content->records.size() == 3);
}

TEST_CASE("zone content: an RRset's records take its lowest TTL, so the round trip holds") {
    auto file = parse_zone_file("@ SOA a. b. 1 2 3 4 5\na 20 A 10.0.0.2\na 10 A 10.0.0.1\n", "x.org", "t");
    REQUIRE(file);
    auto content = split_records(file->zone, file->records, settings());
    REQUIRE(content);
    REQUIRE(content->records.size() == 2);
    CHECK(content->records[0].ttl == 10);
    CHECK(content->records[1].ttl == 10);
}
