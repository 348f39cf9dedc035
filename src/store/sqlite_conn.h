// RAII ownership of one SQLite connection and its cached prepared statements.
//
// A SqliteConn is used by one thread at a time (the store hands each to a single owner).
// Statements are prepared once per connection and reused; a Stmt handle resets its statement
// when it goes out of scope, so no statement is left holding a read snapshot open.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "skiff/common/status.h"

namespace skiff::store {

// Maps an SQLite result code to a Status naming `what` failed (and the path for context).
Status SqliteError(sqlite3* db, int rc, std::string_view what);

class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  Stmt(Stmt&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt() {
    if (!s_) return;
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }

  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindBlob(int i, std::string_view v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindNull(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(s_); }

  int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::string Text(int col) const {
    const void* p = sqlite3_column_blob(s_, col);
    int n = sqlite3_column_bytes(s_, col);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
  }

 private:
  sqlite3_stmt* s_;
};

class SqliteConn {
 public:
  // Opens `path` with SQLite `flags` (SQLITE_OPEN_*). Does not create the file unless the
  // flags say so. Sets a busy timeout so short lock waits never surface as errors.
  static Result<std::unique_ptr<SqliteConn>> Open(const std::string& path, int flags);
  ~SqliteConn();
  SqliteConn(const SqliteConn&) = delete;
  SqliteConn& operator=(const SqliteConn&) = delete;

  sqlite3* raw() const { return db_; }
  const std::string& path() const { return path_; }

  // Runs one or more statements that return no rows we need.
  Status Exec(std::string_view sql);
  // Runs a statement returning one integer (e.g. a PRAGMA); kNotFound if it returns no row.
  Result<int64_t> QueryInt(std::string_view sql);
  // Runs a statement returning one text value.
  Result<std::string> QueryText(std::string_view sql);
  // The cached prepared statement for `sql` (prepared on first use). `sql` must outlive the
  // connection: pass string literals.
  Result<Stmt> Prepare(const char* sql);

  Status Error(int rc, std::string_view what) const { return SqliteError(db_, rc, what); }

 private:
  SqliteConn(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  std::unordered_map<const char*, sqlite3_stmt*> stmts_;
};

}  // namespace skiff::store
