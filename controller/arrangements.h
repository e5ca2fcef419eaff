// arrangements: how each user lays out the timelines page (issue 6) — the order of the
// servers' timelines and which are pinned at the top — kept on the controller per user,
// under names: the page keeps the one in use under kCurrentArrangement on every change,
// and the user saves and loads others by name. A user is a token (its account and name).
// In the controller's database file, on a connection and table of its own. Thread-safe.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "principal.h"
#include "result.h"
#include "sqlite_stmt.h"

namespace patchbay {

// The name the page keeps the arrangement in use under; user names cannot take it.
inline constexpr const char* kCurrentArrangement = "@current";

struct Arrangement {
    std::string name;
    std::vector<std::string> order;   // server names, top to bottom (servers not named follow, by name)
    std::vector<std::string> pinned;  // server names in the pinned area, top to bottom
    int64_t at_ms = 0;                // when it was saved
    bool operator==(const Arrangement&) const = default;
};

// A name a user may save under: 1..64 of letters, digits, space, '.', '_', '-', not
// starting or ending with a space; or kCurrentArrangement. Errors name it.
Result<void> check_arrangement_name(const std::string& name);
// {"order": [...], "pinned": [...]} (both optional, at most 10,000 names each of 1..253
// bytes, none twice in one list). Errors name the field: "order[3]: 'h1' twice".
Result<Arrangement> arrangement_from(const nlohmann::json& body, const std::string& name);
nlohmann::json arrangement_json(const Arrangement& a);

// Who an arrangement belongs to.
struct ArrangementOwner {
    std::string account;  // '' for admins
    std::string user;     // the token's name
};
ArrangementOwner owner_of(const Principal& p);

class Arrangements {
public:
    // Opens (creating the table if needed) the database at `path`. Errors name it.
    static Result<std::unique_ptr<Arrangements>> open(const std::string& path);

    // Replaces the owner's arrangement of that name (at_ms as given).
    Result<void> put(const ArrangementOwner& owner, const Arrangement& a);
    // Errors: not_found "no arrangement 'NAME'".
    Result<Arrangement> get(const ArrangementOwner& owner, const std::string& name) const;
    // Every arrangement of the owner, by name (the current one first: '@' sorts first).
    Result<std::vector<Arrangement>> list(const ArrangementOwner& owner) const;
    // Errors: not_found "no arrangement 'NAME'".
    Result<void> remove(const ArrangementOwner& owner, const std::string& name);

private:
    explicit Arrangements(sqlite3* db) : db_(db) {}
    mutable std::mutex mutex_;  // the API's threads share the connection
    SqliteDb db_;
};

}  // namespace patchbay
