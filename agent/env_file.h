// The per-instance environment file the agent writes before starting a unit, so the
// template (EnvironmentFile=/run/patchbay/env/%n.env) learns its tuple (DESIGN.md §3).
#pragma once

#include <string>

#include "reconcile.h"
#include "result.h"

namespace patchbay {

// "PATCHBAY_ADDRESS=...\nPATCHBAY_PORT=...\n..." for a start action. Pure.
std::string env_file_text(const Action& start);

// DIR/UNIT.env
std::string env_file_path(const std::string& dir, const std::string& unit);

// Writes atomically (temporary file in DIR, then rename), creating DIR if needed, so a
// starting unit never reads half a file. Errors name the path and the system error.
Result<void> write_env_file(const std::string& dir, const std::string& unit, const std::string& text);

// Removes DIR/UNIT.env; a missing file is fine. Errors name the path.
Result<void> remove_env_file(const std::string& dir, const std::string& unit);

}  // namespace patchbay
