// http_stream: the queue and the park/unpark handshake alone, with counting hooks in place
// of libmicrohttpd's suspend and resume.
#include <catch2/catch.hpp>

#include <string>

#include "http_stream.h"

using namespace patchbay;

namespace {

struct Hooks {
    int parks = 0;
    int unparks = 0;
    void attach(HttpStream& s) {
        s.attach([this] { ++parks; }, [this] { ++unparks; });
    }
};

std::string read_all(HttpStream& s, size_t max = 64) {
    std::string out;
    char buf[64];
    for (;;) {
        auto got = s.read(buf, std::min(max, sizeof buf));
        if (got.what != HttpStream::Read::data) return out;
        out.append(buf, got.bytes);
    }
}

}  // namespace

TEST_CASE("HTTP stream: an empty stream parks its reader once; a push wakes it once") {
    HttpStream s;
    Hooks hooks;
    hooks.attach(s);
    char buf[16];
    CHECK(s.read(buf, sizeof buf).what == HttpStream::Read::parked);
    CHECK(hooks.parks == 1);
    CHECK(hooks.unparks == 0);
    CHECK(s.push("abc") == HttpStream::Push::queued);
    CHECK(hooks.unparks == 1);
    CHECK(s.push("def") == HttpStream::Push::queued);  // not parked any more: no second resume
    CHECK(hooks.unparks == 1);
    CHECK(s.buffered() == 6);
    CHECK(read_all(s, 4) == "abcdef");  // in pieces, in order
    CHECK(hooks.parks == 2);            // read_all stopped on the park
}

TEST_CASE("HTTP stream: ended, what was queued is still read, then the end") {
    HttpStream s;
    Hooks hooks;
    hooks.attach(s);
    CHECK(s.push("last") == HttpStream::Push::queued);
    s.end();
    CHECK_FALSE(s.open());
    CHECK(s.push("more") == HttpStream::Push::closed);
    char buf[16];
    auto got = s.read(buf, sizeof buf);
    REQUIRE(got.what == HttpStream::Read::data);
    CHECK(std::string(buf, got.bytes) == "last");
    CHECK(s.read(buf, sizeof buf).what == HttpStream::Read::end);
    CHECK(hooks.parks == 0);  // an ended stream never parks: the server can stop
}

TEST_CASE("HTTP stream: ending a parked stream wakes its reader") {
    HttpStream s;
    Hooks hooks;
    hooks.attach(s);
    char buf[16];
    CHECK(s.read(buf, sizeof buf).what == HttpStream::Read::parked);
    s.end();
    CHECK(hooks.unparks == 1);
    CHECK(s.read(buf, sizeof buf).what == HttpStream::Read::end);
}

TEST_CASE("HTTP stream: a reader too far behind overflows the stream, which then closes") {
    HttpStream s(10);
    Hooks hooks;
    hooks.attach(s);
    char buf[16];
    CHECK(s.read(buf, sizeof buf).what == HttpStream::Read::parked);
    CHECK(s.push("123456") == HttpStream::Push::queued);  // wakes the reader, which does not read
    CHECK(s.push("7890") == HttpStream::Push::queued);    // exactly the bound
    CHECK(s.push("x") == HttpStream::Push::overflow);
    CHECK(s.buffered() == 0);  // the memory goes at once
    CHECK_FALSE(s.open());
    CHECK(s.push("y") == HttpStream::Push::closed);
    CHECK(s.read(buf, sizeof buf).what == HttpStream::Read::error);  // the server closes the connection
}

TEST_CASE("HTTP stream: detached (the connection gone), pushes are refused and no hook runs") {
    HttpStream s;
    Hooks hooks;
    hooks.attach(s);
    char buf[16];
    CHECK(s.read(buf, sizeof buf).what == HttpStream::Read::parked);
    s.detach();
    CHECK(s.push("late") == HttpStream::Push::closed);
    s.end();
    CHECK(hooks.unparks == 0);
    CHECK_FALSE(s.open());
}

TEST_CASE("HTTP stream: not attached, an empty read is an error, never a park nobody wakes") {
    HttpStream s;
    char buf[16];
    CHECK(s.read(buf, sizeof buf).what == HttpStream::Read::error);
}
