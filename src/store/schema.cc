#include "schema.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace skiff::store {
namespace {

constexpr const char* kCreateSchema = R"sql(
CREATE TABLE log(
  rev        INTEGER PRIMARY KEY,
  key        TEXT    NOT NULL,
  create_rev INTEGER NOT NULL,
  prev_rev   INTEGER NOT NULL,
  superseded INTEGER,
  deleted    INTEGER NOT NULL,
  lease      INTEGER NOT NULL,
  value      BLOB    NOT NULL
);
CREATE UNIQUE INDEX log_current ON log(key) WHERE superseded IS NULL;
CREATE INDEX log_live ON log(key) WHERE superseded IS NULL AND deleted = 0;
CREATE INDEX log_key_rev ON log(key, rev);
CREATE INDEX log_superseded ON log(superseded) WHERE superseded IS NOT NULL;
CREATE INDEX log_tombstones ON log(rev) WHERE deleted = 1 AND superseded IS NULL;
CREATE INDEX log_lease ON log(lease) WHERE lease <> 0 AND superseded IS NULL;
CREATE TABLE meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta(name, value) VALUES ('rev', 0), ('compact_rev', 0);
CREATE TABLE lease(
  id         INTEGER PRIMARY KEY,
  ttl_s      INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
);
)sql";

// Reads the first bytes of an existing file to tell "not SQLite" apart before SQLite touches it.
Status CheckHeader(const std::string& path, bool* exists) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      *exists = false;
      return Status::Ok();
    }
    return UnavailableError("cannot stat database " + path + ": " + std::strerror(errno));
  }
  *exists = true;
  if (!S_ISREG(st.st_mode)) return CorruptError("database path " + path + " is not a regular file");
  if (st.st_size == 0) {
    // An empty file: SQLite treats it as a new database. Left by a crash before the first
    // commit of the schema; safe to initialise.
    return Status::Ok();
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return UnavailableError("cannot read database " + path + ": " + std::strerror(errno));
  char buf[16] = {};
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n != 16 || std::memcmp(buf, "SQLite format 3", 16) != 0) {
    return CorruptError("database " + path +
                        " is not an SQLite database (bad header); refusing to start. Move it "
                        "aside or restore it from a backup; skiff never overwrites it");
  }
  return Status::Ok();
}

Status Refuse(const std::string& path, const std::string& why) {
  return CorruptError("database " + path + " " + why +
                      "; refusing to start. Move it aside or restore it from a backup; skiff "
                      "never overwrites it");
}

// A read that failed: damage is refused as above; anything else (a full disk, an I/O error,
// a lock) says what happened without calling the file damaged, since starting again once the
// cause is gone works.
Status ReadFailure(const std::string& path, const Status& failed) {
  if (failed.code() == Code::kCorrupt) return Refuse(path, "cannot be read (" + failed.message() + ")");
  const std::string hint = failed.code() == Code::kResourceExhausted
                               ? "; free space on its disk and start again (the file is intact)"
                               : "";
  return Status(failed.code(), "cannot open the database " + path + ": " + failed.message() + hint);
}

Status ApplyConnectionPragmas(SqliteConn& c) {
  // Each pragma stands alone: a failure names the one that failed.
  if (Status s = c.Exec("PRAGMA synchronous=FULL"); !s.ok()) return s;
  if (Status s = c.Exec("PRAGMA temp_store=MEMORY"); !s.ok()) return s;
  if (Status s = c.Exec("PRAGMA cache_size=-2000"); !s.ok()) return s;  // ~2 MB per connection
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SqliteConn>> OpenWriter(const std::string& path) {
  bool exists = false;
  if (Status s = CheckHeader(path, &exists); !s.ok()) return s;

  int flags = SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE);
  auto conn = SqliteConn::Open(path, flags);
  if (!conn.ok()) return conn.status();
  SqliteConn& c = **conn;

  // Everything up to the schema decision only reads, so a foreign file stays untouched.
  auto check = c.QueryText("PRAGMA quick_check");
  if (!check.ok()) return ReadFailure(path, check.status());
  if (*check != "ok") return Refuse(path, "is damaged (quick_check: " + *check + ")");
  auto tables = c.QueryInt("SELECT count(*) FROM sqlite_master");
  if (!tables.ok()) return ReadFailure(path, tables.status());
  auto app_id = c.QueryInt("PRAGMA application_id");
  auto version = c.QueryInt("PRAGMA user_version");
  if (!app_id.ok() || !version.ok()) return Refuse(path, "has an unreadable header");

  const bool fresh = *tables == 0 && *app_id == 0;
  if (!fresh) {
    if (*app_id != kApplicationId) {
      return Refuse(path, "belongs to another program (application_id " + std::to_string(*app_id) +
                              ", not skiff's)");
    }
    if (*version > kSchemaVersion) {
      return Refuse(path, "was written by a newer skiff (schema " + std::to_string(*version) +
                              ", this binary knows " + std::to_string(kSchemaVersion) + ")");
    }
    if (*version < 1) return Refuse(path, "has no skiff schema version");
  }

  if (fresh) {
    // auto_vacuum must be chosen before the first table exists; INCREMENTAL lets compaction
    // hand freed pages back to the file system.
    if (Status s = c.Exec("PRAGMA auto_vacuum=INCREMENTAL"); !s.ok()) return s;
  }
  auto mode = c.QueryText("PRAGMA journal_mode=WAL");
  if (!mode.ok()) return mode.status();
  if (*mode != "wal")
    return UnavailableError("database " + path + " cannot use WAL mode: " + *mode);
  if (Status s = ApplyConnectionPragmas(c); !s.ok()) return s;
  // The WAL is checkpointed automatically every ~4 MB and truncated back to this size after
  // a checkpoint, so it cannot grow without bound.
  if (Status s = c.Exec("PRAGMA journal_size_limit=16777216"); !s.ok()) return s;
  if (Status s = c.Exec("PRAGMA wal_autocheckpoint=1000"); !s.ok()) return s;

  if (fresh) {
    std::string init = "BEGIN IMMEDIATE;";
    init += kCreateSchema;
    init += "PRAGMA application_id=" + std::to_string(kApplicationId) + ";";
    init += "PRAGMA user_version=" + std::to_string(kSchemaVersion) + ";";
    init += "COMMIT;";
    if (Status s = c.Exec(init); !s.ok()) {
      (void)c.Exec("ROLLBACK");
      return s;
    }
  }
  return std::move(conn).value();
}

Result<std::unique_ptr<SqliteConn>> OpenReader(const std::string& path) {
  auto conn = SqliteConn::Open(path, SQLITE_OPEN_READWRITE);
  if (!conn.ok()) return conn.status();
  if (Status s = ApplyConnectionPragmas(**conn); !s.ok()) return s;
  if (Status s = (*conn)->Exec("PRAGMA query_only=1"); !s.ok()) return s;
  return std::move(conn).value();
}

}  // namespace skiff::store
