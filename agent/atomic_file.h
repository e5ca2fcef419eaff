// A file that is whole or absent after a crash: written to `temporary` beside it,
// fsync'ed, renamed over `path`, and its directory fsync'ed (the spool's reports, the
// last-known-good snapshot).
#pragma once

#include <string>
#include <string_view>

#include "result.h"

namespace patchbay {

// Errors name the file and the reason; the temporary is removed and `path` is untouched.
Result<void> write_atomically(const std::string& path, const std::string& temporary, std::string_view text);

}  // namespace patchbay
