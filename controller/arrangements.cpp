#include "arrangements.h"

#include <set>

#include "sqlite_stmt.h"

namespace patchbay {

namespace {

constexpr const char* kContext = "arrangements database";
constexpr size_t kMaxNames = 10000;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS arrangements (
  account TEXT NOT NULL,
  user TEXT NOT NULL,
  name TEXT NOT NULL,
  body TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  PRIMARY KEY (account, user, name)
) WITHOUT ROWID;
)sql";

Result<std::vector<std::string>> names_at(const nlohmann::json& body, const char* field) {
    std::vector<std::string> out;
    if (!body.contains(field)) return out;
    const auto& list = body[field];
    if (!list.is_array()) return fail(std::string(field) + ": must be an array of server names");
    if (list.size() > kMaxNames)
        return fail(std::string(field) + ": " + std::to_string(list.size()) + " names, at most " +
                    std::to_string(kMaxNames));
    std::set<std::string> seen;
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string where = std::string(field) + "[" + std::to_string(i) + "]";
        if (!list[i].is_string()) return fail(where + ": must be a server name (a string)");
        auto name = list[i].get<std::string>();
        if (name.empty() || name.size() > 253) return fail(where + ": a server name is 1 to 253 bytes");
        if (!seen.insert(name).second) return fail(where + ": '" + name + "' twice");
        out.push_back(std::move(name));
    }
    return out;
}

Arrangement row_of(const SqliteStmt& q) {
    Arrangement a;
    a.name = q.col_text(0);
    a.at_ms = q.col_int(2);
    // Written by put() from checked values; a row edited by hand to bad JSON reads as empty.
    auto body = nlohmann::json::parse(q.col_text(1), nullptr, false);
    if (auto order = names_at(body, "order")) a.order = std::move(*order);
    if (auto pinned = names_at(body, "pinned")) a.pinned = std::move(*pinned);
    return a;
}

Error not_found(const std::string& name) { return fail(ErrorKind::not_found, "no arrangement '" + name + "'"); }

}  // namespace

Result<void> check_arrangement_name(const std::string& name) {
    if (name == kCurrentArrangement) return {};
    auto bad = [&](const std::string& why) { return fail("arrangement name '" + name + "': " + why); };
    if (name.empty() || name.size() > 64) return bad("1 to 64 characters");
    if (name.front() == ' ' || name.back() == ' ') return bad("must not start or end with a space");
    for (char c : name) {
        bool fine = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' ||
                    c == '.' || c == '_' || c == '-';
        if (!fine) return bad("letters, digits, space, '.', '_' and '-' only");
    }
    return {};
}

Result<Arrangement> arrangement_from(const nlohmann::json& body, const std::string& name) {
    if (auto ok = check_arrangement_name(name); !ok) return ok.failure();
    if (!body.is_object()) return fail("the body must be a JSON object {\"order\": [...], \"pinned\": [...]}");
    for (const auto& [key, value] : body.items())
        if (key != "order" && key != "pinned") return fail(key + ": unknown field (expected order, pinned)");
    Arrangement a;
    a.name = name;
    auto order = names_at(body, "order");
    if (!order) return order.failure();
    auto pinned = names_at(body, "pinned");
    if (!pinned) return pinned.failure();
    a.order = std::move(*order);
    a.pinned = std::move(*pinned);
    return a;
}

nlohmann::json arrangement_json(const Arrangement& a) {
    return {{"name", a.name}, {"order", a.order}, {"pinned", a.pinned}, {"at_ms", a.at_ms}};
}

ArrangementOwner owner_of(const Principal& p) { return {p.role == Role::admin ? "" : p.account, p.token_name}; }

Result<std::unique_ptr<Arrangements>> Arrangements::open(const std::string& path) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    std::unique_ptr<Arrangements> a(new Arrangements(raw));
    if (rc != SQLITE_OK)
        return fail(ErrorKind::unavailable,
                    "cannot open database " + path + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
    sqlite3_busy_timeout(raw, 5000);
    for (const char* sql : {"PRAGMA journal_mode = WAL", kSchema})
        if (sqlite3_exec(raw, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
            return fail(ErrorKind::unavailable, sqlite_error(raw, kContext, path).message);
    return a;
}

Result<void> Arrangements::put(const ArrangementOwner& owner, const Arrangement& a) {
    std::lock_guard lock(mutex_);
    SqliteStmt q(db_.get(), "INSERT OR REPLACE INTO arrangements VALUES (?,?,?,?,?)", kContext);
    if (!q.ok()) return sqlite_error(db_.get(), kContext, "prepare");
    nlohmann::json body = {{"order", a.order}, {"pinned", a.pinned}};
    q.text(1, owner.account).text(2, owner.user).text(3, a.name).text(4, body.dump()).integer(5, a.at_ms);
    return q.run("save arrangement");
}

Result<Arrangement> Arrangements::get(const ArrangementOwner& owner, const std::string& name) const {
    std::lock_guard lock(mutex_);
    SqliteStmt q(db_.get(), "SELECT name, body, at_ms FROM arrangements WHERE account = ? AND user = ? AND name = ?",
                 kContext);
    if (!q.ok()) return sqlite_error(db_.get(), kContext, "prepare");
    q.text(1, owner.account).text(2, owner.user).text(3, name);
    auto row = q.step("read arrangement");
    if (!row) return row.failure();
    if (!*row) return not_found(name);
    return row_of(q);
}

Result<std::vector<Arrangement>> Arrangements::list(const ArrangementOwner& owner) const {
    std::lock_guard lock(mutex_);
    SqliteStmt q(db_.get(), "SELECT name, body, at_ms FROM arrangements WHERE account = ? AND user = ? ORDER BY name",
                 kContext);
    if (!q.ok()) return sqlite_error(db_.get(), kContext, "prepare");
    q.text(1, owner.account).text(2, owner.user);
    std::vector<Arrangement> out;
    for (;;) {
        auto row = q.step("list arrangements");
        if (!row) return row.failure();
        if (!*row) break;
        out.push_back(row_of(q));
    }
    return out;
}

Result<void> Arrangements::remove(const ArrangementOwner& owner, const std::string& name) {
    std::lock_guard lock(mutex_);
    SqliteStmt q(db_.get(), "DELETE FROM arrangements WHERE account = ? AND user = ? AND name = ?", kContext);
    if (!q.ok()) return sqlite_error(db_.get(), kContext, "prepare");
    q.text(1, owner.account).text(2, owner.user).text(3, name);
    if (auto r = q.run("remove arrangement"); !r) return r;
    if (sqlite3_changes(db_.get()) == 0) return not_found(name);
    return {};
}

}  // namespace patchbay
