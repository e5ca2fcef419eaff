// sqlite_stmt: a SQLite connection that closes itself and a prepared statement that
// finalizes itself, for the modules that keep a connection of their own on the
// controller's database file (store, history, arrangements, backup). Errors name the
// database and what was being done.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "result.h"

namespace patchbay {

struct SqliteCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
// An open connection; closed when dropped.
using SqliteDb = std::unique_ptr<sqlite3, SqliteCloser>;

// "CONTEXT: WHAT: sqlite's message", kind internal.
inline Error sqlite_error(sqlite3* db, const std::string& context, const std::string& what) {
    return fail(ErrorKind::internal, context + ": " + what + ": " + sqlite3_errmsg(db));
}

class SqliteStmt {
public:
    // `context` starts every error ("history database").
    SqliteStmt(sqlite3* db, const char* sql, std::string context = "history database")
        : db_(db), context_(std::move(context)) {
        sqlite3_prepare_v2(db, sql, -1, &s_, nullptr);
    }
    ~SqliteStmt() { sqlite3_finalize(s_); }
    SqliteStmt(const SqliteStmt&) = delete;
    SqliteStmt& operator=(const SqliteStmt&) = delete;
    bool ok() const { return s_ != nullptr; }
    SqliteStmt& text(int i, const std::string& v) {
        sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    SqliteStmt& integer(int i, int64_t v) {
        sqlite3_bind_int64(s_, i, v);
        return *this;
    }
    SqliteStmt& null(int i) {
        sqlite3_bind_null(s_, i);
        return *this;
    }
    SqliteStmt& real(int i, const std::optional<double>& v) {
        if (v) sqlite3_bind_double(s_, i, *v);
        else sqlite3_bind_null(s_, i);
        return *this;
    }
    // true: a row; false: done. Errors name `what`.
    Result<bool> step(const char* what) {
        int rc = sqlite3_step(s_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        return sqlite_error(db_, context_, what);
    }
    // Runs a write to the end and makes the statement ready for the next bindings.
    Result<void> run(const char* what) {
        auto r = step(what);
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
        if (!r) return r.failure();
        return {};
    }
    std::string col_text(int c) const {
        auto* p = sqlite3_column_text(s_, c);
        return p ? reinterpret_cast<const char*>(p) : "";
    }
    int64_t col_int(int c) const { return sqlite3_column_int64(s_, c); }
    bool col_null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
    std::optional<double> col_real(int c) const {
        if (col_null(c)) return std::nullopt;
        return sqlite3_column_double(s_, c);
    }

private:
    sqlite3* db_;
    std::string context_;
    sqlite3_stmt* s_ = nullptr;
};

// A column added to a table after the schema's first release.
struct SqliteAddedColumn {
    const char* table;
    const char* column;
    const char* definition;  // "TEXT NOT NULL DEFAULT ''"
};

// Gives a database made before them the columns it lacks (ALTER TABLE ADD COLUMN; its
// rows take the default). Errors: "CONTEXT: add COLUMN to TABLE: …".
template <typename Columns>
Result<void> sqlite_add_columns(sqlite3* db, const Columns& columns, const std::string& context) {
    for (const SqliteAddedColumn& added : columns) {
        SqliteStmt q(db, (std::string("SELECT 1 FROM pragma_table_info('") + added.table + "') WHERE name = ?").c_str(),
                     context);
        q.text(1, added.column);
        auto row = q.step("table info");
        if (!row) return row.failure();
        if (*row) continue;
        std::string sql = std::string("ALTER TABLE ") + added.table + " ADD COLUMN " + added.column + " " +
                          added.definition;
        if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
            return sqlite_error(db, context, std::string("add ") + added.column + " to " + added.table);
    }
    return {};
}

}  // namespace patchbay
