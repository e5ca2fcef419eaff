// One line per event on stderr. Under systemd (JOURNAL_STREAM set) each line starts with a
// sd-daemon(3) level prefix like "<6>" so journald records the priority; plain otherwise.
#pragma once

#include <string_view>

namespace patchbay {

enum class LogLevel { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

void log_line(LogLevel level, std::string_view text);

inline void log_error(std::string_view text) { log_line(LogLevel::error, text); }
inline void log_warning(std::string_view text) { log_line(LogLevel::warning, text); }
inline void log_notice(std::string_view text) { log_line(LogLevel::notice, text); }
inline void log_info(std::string_view text) { log_line(LogLevel::info, text); }

}  // namespace patchbay
