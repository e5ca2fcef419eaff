#include "log.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace patchbay {

void log_line(LogLevel level, std::string_view text) {
    // Read once: the environment of a daemon does not change under it.
    static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
    std::string line;
    line.reserve(text.size() + 5);
    if (journal) {
        line += '<';
        line += static_cast<char>('0' + static_cast<int>(level));
        line += '>';
    }
    line.append(text);
    line += '\n';
    // One fwrite per line, so lines from one process never interleave mid-line.
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace patchbay
