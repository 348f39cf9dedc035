#include "sqlite_conn.h"

#include <cerrno>
#include <cstring>
#include <string>

namespace skiff::store {

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const char* file = db ? sqlite3_db_filename(db, "main") : nullptr;
  if (file && *file) {
    msg += " (database ";
    msg += file;
    msg += ")";
  }
  // An I/O error says which system call failed only through errno: a full disk (or quota)
  // shows up as SQLITE_IOERR_WRITE/SHMSIZE/TRUNCATE with ENOSPC rather than SQLITE_FULL.
  const int sys_errno = db ? sqlite3_system_errno(db) : 0;
  if ((rc & 0xff) == SQLITE_IOERR && sys_errno != 0) {
    msg += ": ";
    msg += std::strerror(sys_errno);
    if (sys_errno == ENOSPC || sys_errno == EDQUOT) return ResourceExhaustedError("disk full: " + msg);
  }
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return ResourceExhaustedError("disk full: " + msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return CorruptError(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return UnavailableError(msg);
    case SQLITE_NOMEM:
      return ResourceExhaustedError("out of memory: " + msg);
    case SQLITE_TOOBIG:
      return TooLargeError(msg);
    case SQLITE_CONSTRAINT:
      return ConflictError(msg);
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return UnavailableError(msg);
    default:
      return InternalError(msg);
  }
}

Result<std::unique_ptr<SqliteConn>> SqliteConn::Open(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status st = SqliteError(db, rc, "open " + path);
    sqlite3_close_v2(db);
    return st;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  return std::unique_ptr<SqliteConn>(new SqliteConn(db, path));
}

SqliteConn::~SqliteConn() {
  for (auto& [sql, stmt] : stmts_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status SqliteConn::Exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return Error(rc, text);
  return Status::Ok();
}

Result<int64_t> SqliteConn::QueryInt(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &s, nullptr);
  if (rc != SQLITE_OK) return Error(rc, sql);
  rc = sqlite3_step(s);
  Result<int64_t> out = NotFoundError(std::string(sql) + ": no row");
  if (rc == SQLITE_ROW) {
    out = sqlite3_column_int64(s, 0);
  } else if (rc != SQLITE_DONE) {
    out = Error(rc, sql);
  }
  sqlite3_finalize(s);
  return out;
}

Result<std::string> SqliteConn::QueryText(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &s, nullptr);
  if (rc != SQLITE_OK) return Error(rc, sql);
  rc = sqlite3_step(s);
  Result<std::string> out = NotFoundError(std::string(sql) + ": no row");
  if (rc == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(s, 0);
    out = std::string(t ? reinterpret_cast<const char*>(t) : "");
  } else if (rc != SQLITE_DONE) {
    out = Error(rc, sql);
  }
  sqlite3_finalize(s);
  return out;
}

Result<Stmt> SqliteConn::Prepare(const char* sql) {
  auto it = stmts_.find(sql);
  if (it == stmts_.end()) {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    if (rc != SQLITE_OK) return Error(rc, sql);
    it = stmts_.emplace(sql, s).first;
  }
  return Stmt(it->second);
}

}  // namespace skiff::store
