#include "log.h"

#include <errno.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iterator>

#include <systemd/sd-journal.h>

namespace patchbay {

namespace {

std::atomic<const char*> identifier_{nullptr};
std::atomic<LogLevel> level_{LogLevel::info};

constexpr std::string_view kLevelNames[] = {"error", "warning", "notice", "info", "debug"};

const char* identifier() {
    const char* id = identifier_.load(std::memory_order_relaxed);
    return id ? id : program_invocation_short_name;
}

// Whether stderr is journald's stream, found once: the environment and stderr of a daemon
// do not change under it (systemd.exec(5), $JOURNAL_STREAM).
bool stderr_is_journal() {
    static const bool journal = [] {
        const char* env = std::getenv("JOURNAL_STREAM");
        struct stat st {};
        if (!env || fstat(STDERR_FILENO, &st) != 0) return false;
        return is_journal_stream(env, static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
    }();
    return journal;
}

// One write per line, so lines of several threads never interleave mid-line. `prefix`:
// the sd-daemon(3) "<N>" that gives journald the priority of a line on its stream.
void write_line(LogLevel level, std::string_view message, bool prefix) {
    std::string line;
    line.reserve(message.size() + 4);
    if (prefix) {
        line += '<';
        line += static_cast<char>('0' + static_cast<int>(level));
        line += '>';
    }
    line.append(message);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

bool send_to_journal(LogLevel level, std::string_view message, const LogFields& fields) {
    std::vector<std::string> entry = journal_fields(level, message, fields, identifier());
    std::vector<iovec> iov;
    iov.reserve(entry.size());
    for (auto& f : entry) iov.push_back(iovec{f.data(), f.size()});
    return sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) >= 0;
}

}  // namespace

Result<LogLevel> parse_log_level(std::string_view text) {
    for (size_t i = 0; i < std::size(kLevelNames); ++i)
        if (text == kLevelNames[i]) return static_cast<LogLevel>(static_cast<int>(i) + static_cast<int>(LogLevel::error));
    return fail("unknown log level '" + std::string(text) + "' (want error, warning, notice, info or debug)");
}

std::string_view log_level_name(LogLevel level) {
    return kLevelNames[static_cast<int>(level) - static_cast<int>(LogLevel::error)];
}

std::string_view log_key_name(LogKey key) {
    switch (key) {
        case LogKey::zone: return "ZONE";
        case LogKey::service: return "SERVICE";
        case LogKey::transport: return "TRANSPORT";
        case LogKey::address: return "ADDRESS";
        case LogKey::port: return "PORT";
        case LogKey::unit: return "UNIT";
        case LogKey::serial: return "SERIAL";
        case LogKey::change: return "CHANGE";
        case LogKey::host: return "HOST";
        case LogKey::account: return "ACCOUNT";
    }
    return "FIELD";
}

void start_logging(const char* identifier, LogLevel level) {
    identifier_.store(identifier, std::memory_order_relaxed);
    level_.store(level, std::memory_order_relaxed);
}

LogLevel log_level() { return level_.load(std::memory_order_relaxed); }

void log_entry(LogLevel level, std::string_view message, const LogFields& fields) {
    if (!log_wanted(level, log_level())) return;
    try {
        if (!stderr_is_journal()) return write_line(level, message, false);
        // No journald socket (a container without it): the stream still takes "<N>" lines.
        if (!send_to_journal(level, message, fields)) write_line(level, message, true);
    } catch (...) {  // out of memory: the entry is lost, the caller goes on
    }
}

bool is_journal_stream(std::string_view journal_stream, uint64_t device, uint64_t inode) {
    auto colon = journal_stream.find(':');
    if (colon == std::string_view::npos) return false;
    auto number = [](std::string_view text, uint64_t& out) {
        const char* end = text.data() + text.size();
        auto [at, ec] = std::from_chars(text.data(), end, out);
        return !text.empty() && ec == std::errc() && at == end;
    };
    uint64_t dev = 0, ino = 0;
    return number(journal_stream.substr(0, colon), dev) && number(journal_stream.substr(colon + 1), ino) &&
           dev == device && ino == inode;
}

std::vector<std::string> journal_fields(LogLevel level, std::string_view message, const LogFields& fields,
                                        std::string_view identifier) {
    if (!identifier.empty() && message.size() > identifier.size() + 2 && message.starts_with(identifier) &&
        message.substr(identifier.size(), 2) == ": ")
        message.remove_prefix(identifier.size() + 2);
    std::vector<std::string> out;
    out.reserve(fields.size() + 4);
    out.push_back("MESSAGE=" + std::string(message));
    out.push_back("PRIORITY=" + std::to_string(static_cast<int>(level)));
    out.push_back("SYSLOG_IDENTIFIER=" + std::string(identifier));
    for (const auto& f : fields) out.push_back(std::string(log_key_name(f.key)) + "=" + f.value);
    for (const auto& f : fields)
        if (f.key == LogKey::unit) out.push_back("OBJECT_SYSTEMD_UNIT=" + f.value);
    return out;
}

}  // namespace patchbay
