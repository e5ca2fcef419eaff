// log: one entry per event, for both daemons (docs/logs.md).
//   Under systemd — stderr is the journal stream: JOURNAL_STREAM names stderr's device and
//   inode — each entry goes to journald with sd_journal_sendv(3): MESSAGE, PRIORITY,
//   SYSLOG_IDENTIFIER and the entry's fields (ZONE=, SERIAL=, UNIT=, …), so that
//   `journalctl -u patchbay-agent ZONE=hostdomain.com` finds it; an entry about a unit also
//   carries OBJECT_SYSTEMD_UNIT, so `journalctl -u THAT-UNIT` shows it (root senders only).
//   Otherwise: one plain line on stderr, the message alone.
// Entries less severe than the process's level (log_level, --log-level) are dropped.
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace patchbay {

// syslog(3) priorities: the number is the journal's PRIORITY.
enum class LogLevel { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

// "error", "warning", "notice", "info", "debug" ⇒ the level. Errors: "unknown log level
// 'X' (want error, warning, notice, info or debug)".
Result<LogLevel> parse_log_level(std::string_view text);
// The level's name as parse_log_level reads it.
std::string_view log_level_name(LogLevel level);
// True when an entry at `level` is kept by a process logging at `threshold`.
constexpr bool log_wanted(LogLevel level, LogLevel threshold) { return level <= threshold; }

// What an entry is about, in the user's words; the journal field is the name in capitals.
enum class LogKey { zone, service, transport, address, port, unit, serial, change, host, account };
// "ZONE", "SERVICE", … : the journal field of `key`.
std::string_view log_key_name(LogKey key);

// One field of an entry: {LogKey::zone, "hostdomain.com"}, {LogKey::serial, 42}.
struct LogField {
    LogField(LogKey what, std::string text) : key(what), value(std::move(text)) {}
    LogField(LogKey what, const char* text) : key(what), value(text) {}
    template <std::integral N>
    LogField(LogKey what, N number) : key(what), value(std::to_string(number)) {}

    LogKey key;
    std::string value;
};
using LogFields = std::vector<LogField>;

// The process's logging, set once by main before any thread starts. A process-wide
// setting and not a logger object handed down: every module of both daemons logs (some
// from their own threads), and threading one object through all their constructors would
// only carry what is a property of the process, like its stderr. Both are atomics, so a
// read from any thread is defined; nothing else is global.
//   identifier: SYSLOG_IDENTIFIER, a string that lives as long as the process (a literal);
//   default the program's name.
void start_logging(const char* identifier, LogLevel level);
LogLevel log_level();

// Writes one entry (see the top of this file); never throws, never fails.
void log_entry(LogLevel level, std::string_view message, const LogFields& fields = {});

inline void log_error(std::string_view message, const LogFields& fields = {}) {
    log_entry(LogLevel::error, message, fields);
}
inline void log_warning(std::string_view message, const LogFields& fields = {}) {
    log_entry(LogLevel::warning, message, fields);
}
inline void log_notice(std::string_view message, const LogFields& fields = {}) {
    log_entry(LogLevel::notice, message, fields);
}
inline void log_info(std::string_view message, const LogFields& fields = {}) {
    log_entry(LogLevel::info, message, fields);
}
inline void log_debug(std::string_view message, const LogFields& fields = {}) {
    log_entry(LogLevel::debug, message, fields);
}

// --- the pure parts, for tests ---------------------------------------------------------

// True when JOURNAL_STREAM's value ("DEV:INODE", decimal, as systemd.exec(5) sets it)
// names the file with that device and inode, i.e. stderr is connected to journald.
bool is_journal_stream(std::string_view journal_stream, uint64_t device, uint64_t inode);

// The journal fields of one entry, each "NAME=value" (a value may hold newlines:
// sd_journal_sendv sends those in the binary form): MESSAGE (without a leading
// "IDENTIFIER: ", which the journal shows anyway), PRIORITY, SYSLOG_IDENTIFIER, the
// entry's fields in order, then OBJECT_SYSTEMD_UNIT for each UNIT.
std::vector<std::string> journal_fields(LogLevel level, std::string_view message, const LogFields& fields,
                                        std::string_view identifier);

}  // namespace patchbay
