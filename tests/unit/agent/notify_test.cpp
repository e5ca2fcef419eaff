#include <catch2/catch.hpp>

#include "notify.h"
#include "wire.h"

using namespace patchbay;
using namespace patchbay::test;

namespace {

const std::vector<std::string> kDomains = {"hostdomain.com", "other.example"};

NotifyOutcome answer(const Wire& w) { return answer_notify(w.bytes.data(), w.bytes.size(), kDomains); }

}  // namespace

TEST_CASE("notify: a NOTIFY for our zone is acknowledged as RFC 1996 §4.7 says") {
    // As primaries send it: NOTIFY, AA, with the new SOA in the answer section.
    Wire q;
    q.header(0xbeef, kOpNotify | kAa, 1, 1).question("HostDomain.com", kTypeSoa);
    q.rr("hostdomain.com", kTypeSoa, 2 + 2 + 20).name("").name("").u32(8).u32(1).u32(1).u32(1).u32(1);
    auto out = answer(q);
    REQUIRE(out.refresh);
    CHECK(*out.refresh == "hostdomain.com");

    Wire want;  // same id; QR, opcode NOTIFY, AA; NOERROR; the question as sent; nothing else
    want.header(0xbeef, kQr | kOpNotify | kAa, 1).question("HostDomain.com", kTypeSoa);
    CHECK(out.reply == want.bytes);
}

TEST_CASE("notify: the reply keeps RD and a question with odd case byte for byte") {
    Wire q;
    q.header(1, kOpNotify | kRd, 1).question("OTHER.example", kTypeSoa);
    auto out = answer(q);
    REQUIRE(out.refresh);
    CHECK(*out.refresh == "other.example");
    Wire want;
    want.header(1, kQr | kOpNotify | kAa | kRd, 1).question("OTHER.example", kTypeSoa);
    CHECK(out.reply == want.bytes);
}

TEST_CASE("notify: everything else is refused, a format error, or dropped") {
    struct Row {
        const char* what;
        Wire request;
        uint16_t rcode;       // of the reply; 0xffff = dropped
        bool with_question;
    };
    std::vector<Row> rows;
    rows.push_back({"foreign zone", Wire().header(2, kOpNotify, 1).question("example.org", kTypeSoa), 5, true});
    rows.push_back({"subdomain of ours", Wire().header(2, kOpNotify, 1).question("a.hostdomain.com", kTypeSoa), 5, true});
    rows.push_back({"a plain query", Wire().header(3, 0, 1).question("hostdomain.com", kTypeSoa), 5, true});
    rows.push_back({"an UPDATE", Wire().header(3, 5 << 11, 1).question("hostdomain.com", kTypeSoa), 5, true});
    rows.push_back({"NOTIFY for type A", Wire().header(4, kOpNotify, 1).question("hostdomain.com", kTypeA), 1, true});
    rows.push_back({"NOTIFY class CH", Wire().header(4, kOpNotify, 1).question("hostdomain.com", kTypeSoa, 3), 1, true});
    rows.push_back({"no question", Wire().header(5, kOpNotify, 0), 1, false});
    rows.push_back({"two questions",
                    Wire().header(6, kOpNotify, 2).question("hostdomain.com", kTypeSoa).question("x", kTypeSoa), 1,
                    false});
    rows.push_back({"truncated question", Wire().header(7, kOpNotify, 1).raw({3, 'a', 'b'}), 1, false});
    rows.push_back({"a response", Wire().header(8, kQr | kOpNotify, 1).question("hostdomain.com", kTypeSoa),
                    0xffff, false});
    rows.push_back({"shorter than a header", Wire().raw({1, 2, 3}), 0xffff, false});
    rows.push_back({"empty", Wire(), 0xffff, false});
    for (auto& row : rows) {
        INFO(row.what);
        auto out = answer(row.request);
        CHECK(!out.refresh);
        CHECK(!out.note.empty());
        if (row.rcode == 0xffff) {
            CHECK(out.reply.empty());
            continue;
        }
        REQUIRE(out.reply.size() >= 12);
        CHECK(out.reply[0] == row.request.bytes[0]);
        CHECK(out.reply[1] == row.request.bytes[1]);
        CHECK((out.reply[2] & 0x80) != 0);                               // QR
        CHECK((out.reply[2] & 0x78) == (row.request.bytes[2] & 0x78));  // opcode echoed
        CHECK((out.reply[2] & 0x04) == 0);                               // not authoritative
        CHECK((out.reply[3] & 0x0f) == row.rcode);
        CHECK(out.reply[5] == (row.with_question ? 1 : 0));
        CHECK(out.reply[7] == 0);  // no answers
        if (row.with_question)
            CHECK(std::vector<uint8_t>(out.reply.begin() + 12, out.reply.end()) ==
                  std::vector<uint8_t>(row.request.bytes.begin() + 12, row.request.bytes.end()));
        else
            CHECK(out.reply.size() == 12);
    }
}

TEST_CASE("notify: random bytes never crash") {
    uint32_t x = 12345;
    for (int round = 0; round < 2000; ++round) {
        std::vector<uint8_t> junk(static_cast<size_t>(round % 80));
        for (auto& b : junk) {
            x = x * 1103515245u + 12345u;  // a fixed LCG: the same bytes every run
            b = static_cast<uint8_t>(x >> 16);
        }
        if (junk.size() > 4) junk[2] = static_cast<uint8_t>((junk[2] & 0x07) | 0x20);  // mostly NOTIFY requests
        auto out = answer_notify(junk.data(), junk.size(), kDomains);
        CHECK((out.reply.empty() || out.reply.size() >= 12));
    }
}
