#include "db_copy.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace skiff::store {
namespace {

constexpr int kPagesPerStep = 1024;  // 4 MiB at SQLite's default page size
constexpr std::chrono::seconds kBusyPatience{60};
constexpr std::chrono::milliseconds kBusyPause{50};

bool IsBusy(int rc) { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

// The rollback journal, WAL and shared-memory files SQLite keeps beside a database.
void RemoveSidecars(const std::string& path) {
  for (const char* suffix : {"-journal", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
}

}  // namespace

Result<std::unique_ptr<SqliteConn>> CreateCopyTarget(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return AlreadyExistsError(path + " already exists");
    return UnavailableError("cannot create " + path + ": " + std::strerror(errno));
  }
  ::close(fd);
  RemoveSidecars(path);
  auto conn = SqliteConn::Open(path, SQLITE_OPEN_READWRITE);
  if (!conn.ok()) {
    RemoveCopyTarget(path);
    return conn.status();
  }
  if (Status s = (*conn)->Exec("PRAGMA synchronous=FULL"); !s.ok()) {
    conn->reset();
    RemoveCopyTarget(path);
    return s;
  }
  return conn;
}

void RemoveCopyTarget(const std::string& path) {
  RemoveSidecars(path);
  ::unlink(path.c_str());
}

Status CopyPages(SqliteConn& from, SqliteConn& to, const CopyProgress& progress) {
  sqlite3_backup* copy = sqlite3_backup_init(to.raw(), "main", from.raw(), "main");
  if (copy == nullptr) return to.Error(sqlite3_errcode(to.raw()), "start copying " + from.path());
  auto give_up = std::chrono::steady_clock::now() + kBusyPatience;
  int rc = SQLITE_OK;
  for (;;) {
    rc = sqlite3_backup_step(copy, kPagesPerStep);
    if (rc == SQLITE_OK || rc == SQLITE_DONE) {
      const int total = sqlite3_backup_pagecount(copy);
      if (progress) progress(total - sqlite3_backup_remaining(copy), total);
      if (rc == SQLITE_DONE) break;
      give_up = std::chrono::steady_clock::now() + kBusyPatience;
    } else if (!IsBusy(rc) || std::chrono::steady_clock::now() > give_up) {
      break;
    } else {
      std::this_thread::sleep_for(kBusyPause);
    }
  }
  const int finished = sqlite3_backup_finish(copy);
  if (rc == SQLITE_DONE && finished == SQLITE_OK) return Status::Ok();
  // The error may come from either side: name both, not the one SQLite attaches it to.
  return SqliteError(nullptr, rc != SQLITE_DONE ? rc : finished,
                     "copy " + from.path() + " to " + to.path());
}

Status CheckIntegrity(SqliteConn& conn, const std::string& what) {
  Result<std::string> check = conn.QueryText("PRAGMA integrity_check");
  if (!check.ok())
    return CorruptError(what + " fails SQLite's integrity check: " + check.status().message());
  if (*check != "ok") return CorruptError(what + " fails SQLite's integrity check: " + *check);
  return Status::Ok();
}

}  // namespace skiff::store
