#include <catch2/catch.hpp>

#include <stdio.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "log.h"
#include "temp_dir.h"

using namespace patchbay;

TEST_CASE("log: level names read and written") {
    struct Row {
        std::string text;
        LogLevel level;
    };
    for (const Row& row : std::vector<Row>{{"error", LogLevel::error},
                                           {"warning", LogLevel::warning},
                                           {"notice", LogLevel::notice},
                                           {"info", LogLevel::info},
                                           {"debug", LogLevel::debug}}) {
        auto level = parse_log_level(row.text);
        REQUIRE(level);
        CHECK(*level == row.level);
        CHECK(log_level_name(row.level) == row.text);
    }
    CHECK(static_cast<int>(LogLevel::error) == 3);  // syslog's LOG_ERR … LOG_DEBUG: the journal's PRIORITY
    CHECK(static_cast<int>(LogLevel::debug) == 7);
    for (const char* bad : {"", "Info", "warn", "err", "trace", "info "}) {
        auto level = parse_log_level(bad);
        REQUIRE_FALSE(level);
        CHECK(level.error() == "unknown log level '" + std::string(bad) +
                                   "' (want error, warning, notice, info or debug)");
    }
}

TEST_CASE("log: entries less severe than the level are dropped") {
    struct Row {
        LogLevel entry, threshold;
        bool kept;
    };
    for (const Row& row : std::vector<Row>{{LogLevel::error, LogLevel::error, true},
                                           {LogLevel::warning, LogLevel::error, false},
                                           {LogLevel::info, LogLevel::info, true},
                                           {LogLevel::notice, LogLevel::info, true},
                                           {LogLevel::debug, LogLevel::info, false},
                                           {LogLevel::debug, LogLevel::debug, true},
                                           {LogLevel::error, LogLevel::debug, true}}) {
        INFO(log_level_name(row.entry) << " at " << log_level_name(row.threshold));
        CHECK(log_wanted(row.entry, row.threshold) == row.kept);
    }
}

TEST_CASE("log: JOURNAL_STREAM must name stderr's device and inode") {
    CHECK(is_journal_stream("8:12345", 8, 12345));
    CHECK(is_journal_stream("64769:4242", 64769, 4242));
    CHECK_FALSE(is_journal_stream("8:12345", 8, 12346));    // another file: stderr was redirected
    CHECK_FALSE(is_journal_stream("9:12345", 8, 12345));
    CHECK_FALSE(is_journal_stream("", 8, 12345));           // set, but empty
    CHECK_FALSE(is_journal_stream("8", 8, 12345));
    CHECK_FALSE(is_journal_stream("8:", 8, 0));
    CHECK_FALSE(is_journal_stream(":0", 0, 0));
    CHECK_FALSE(is_journal_stream("8:12345x", 8, 12345));
    CHECK_FALSE(is_journal_stream("-8:12345", 8, 12345));
}

TEST_CASE("log: the journal fields of an entry") {
    SECTION("message, priority, identifier, then the fields in order") {
        auto fields = journal_fields(LogLevel::info, "change 7: zone hostdomain.com at serial 3",
                                     {{LogKey::zone, "hostdomain.com"}, {LogKey::serial, 3u}, {LogKey::change, int64_t{7}}},
                                     "patchbay-controller");
        CHECK(fields == std::vector<std::string>{"MESSAGE=change 7: zone hostdomain.com at serial 3", "PRIORITY=6",
                                                 "SYSLOG_IDENTIFIER=patchbay-controller", "ZONE=hostdomain.com",
                                                 "SERIAL=3", "CHANGE=7"});
    }
    SECTION("every field has its name in the user's words") {
        LogFields all{{LogKey::zone, "z"},    {LogKey::service, "http"}, {LogKey::transport, "tcp"},
                      {LogKey::address, "10.10.10.121"}, {LogKey::port, uint16_t{80}}, {LogKey::serial, 1},
                      {LogKey::change, 2},    {LogKey::host, "h121"},   {LogKey::account, "acme"}};
        auto fields = journal_fields(LogLevel::error, "m", all, "patchbay-agent");
        CHECK(fields == std::vector<std::string>{"MESSAGE=m", "PRIORITY=3", "SYSLOG_IDENTIFIER=patchbay-agent",
                                                 "ZONE=z", "SERVICE=http", "TRANSPORT=tcp", "ADDRESS=10.10.10.121",
                                                 "PORT=80", "SERIAL=1", "CHANGE=2", "HOST=h121", "ACCOUNT=acme"});
    }
    SECTION("a unit is also the entry's OBJECT_SYSTEMD_UNIT, so journalctl -u finds it") {
        auto fields = journal_fields(LogLevel::notice, "start patchbay-http@10.10.10.121:80-tcp.service (…)",
                                     {{LogKey::unit, "patchbay-http@10.10.10.121:80-tcp.service"}, {LogKey::port, 80}},
                                     "patchbay-agent");
        CHECK(fields == std::vector<std::string>{"MESSAGE=start patchbay-http@10.10.10.121:80-tcp.service (…)",
                                                 "PRIORITY=5", "SYSLOG_IDENTIFIER=patchbay-agent",
                                                 "UNIT=patchbay-http@10.10.10.121:80-tcp.service", "PORT=80",
                                                 "OBJECT_SYSTEMD_UNIT=patchbay-http@10.10.10.121:80-tcp.service"});
    }
    SECTION("values with newlines stay whole (sd_journal_sendv sends them in the binary form)") {
        auto fields = journal_fields(LogLevel::warning, "two\nlines", {{LogKey::zone, "a\nb"}}, "patchbay-agent");
        REQUIRE(fields.size() == 4);
        CHECK(fields[0] == "MESSAGE=two\nlines");
        CHECK(fields[3] == "ZONE=a\nb");
    }
    SECTION("the daemon's own name leading the message is the identifier's, not repeated") {
        auto fields = journal_fields(LogLevel::info, "patchbay-controller: API on http://127.0.0.1:8080/v1", {},
                                     "patchbay-controller");
        CHECK(fields.at(0) == "MESSAGE=API on http://127.0.0.1:8080/v1");
        // Only the whole name followed by ": " is taken off.
        CHECK(journal_fields(LogLevel::info, "patchbay-controller:x", {}, "patchbay-controller").at(0) ==
              "MESSAGE=patchbay-controller:x");
        CHECK(journal_fields(LogLevel::info, "patchbay-agent: y", {}, "patchbay-controller").at(0) ==
              "MESSAGE=patchbay-agent: y");
        CHECK(journal_fields(LogLevel::info, "patchbay-controller: ", {}, "patchbay-controller").at(0) ==
              "MESSAGE=patchbay-controller: ");
    }
}

TEST_CASE("log: plain lines on stderr, the message alone, below the level dropped") {
    test::TempDir tmp;
    const std::string path = (tmp.dir / "stderr").string();
    std::fflush(stderr);
    int saved = dup(STDERR_FILENO);
    REQUIRE(saved >= 0);
    FILE* file = std::fopen(path.c_str(), "w");
    REQUIRE(file);
    dup2(fileno(file), STDERR_FILENO);
    const LogLevel before = log_level();
    start_logging("patchbay-test", LogLevel::notice);
    log_info("an info line");
    log_notice("a notice line", {{LogKey::zone, "hostdomain.com"}});
    log_error("patchbay-test: an error line");
    log_debug("a debug line");
    start_logging("patchbay-test", LogLevel::debug);
    log_debug("now a debug line");
    start_logging(nullptr, before);
    std::fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    std::fclose(file);
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str() == "a notice line\npatchbay-test: an error line\nnow a debug line\n");
}
