// ReadBackupArchive and RestoreStoreFile: checking an archive, and turning it back into a store.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "backup_tables.h"
#include "db_copy.h"
#include "schema.h"
#include "skiff/store/backup_archive.h"

namespace skiff::store {
namespace {

Status NotABackup(const std::string& path, const std::string& why) {
  return InvalidArgumentError(path + " is not a skiff backup (" + why + ")");
}

Status Damaged(const std::string& path, const Status& cause) {
  return CorruptError(path + " is damaged or truncated: " + cause.message());
}

// Tells a file that is not SQLite at all apart before SQLite reads it.
Status CheckHeader(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFoundError(path + " does not exist");
    return UnavailableError("cannot read " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return NotABackup(path, "not a regular file");
  if (st.st_size == 0) return NotABackup(path, "the file is empty");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return UnavailableError("cannot read " + path + ": " + std::strerror(errno));
  char magic[16] = {};
  const ssize_t n = ::read(fd, magic, sizeof magic);
  ::close(fd);
  if (n != sizeof magic || std::memcmp(magic, "SQLite format 3", sizeof magic) != 0) {
    return NotABackup(path, "not an SQLite database");
  }
  return Status::Ok();
}

Result<BackupInfo> ReadInfo(SqliteConn& c, const std::string& path) {
  Result<int64_t> tables = c.QueryInt(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'skiff_backup_meta'");
  if (!tables.ok()) return Damaged(path, tables.status());
  if (*tables == 0) return NotABackup(path, "an SQLite database without skiff_backup_meta");
  auto row = c.Prepare(
      "SELECT format, skiff_version, created_unix, source, revision, live_keys "
      "FROM skiff_backup_meta");
  if (!row.ok()) return Damaged(path, row.status());
  const int rc = row->Step();
  if (rc == SQLITE_DONE) return NotABackup(path, "skiff_backup_meta is empty");
  if (rc != SQLITE_ROW) return Damaged(path, c.Error(rc, "read skiff_backup_meta"));
  BackupInfo info{row->Int(0), row->Text(1), row->Int(2), row->Text(3), row->Int(4), row->Int(5)};
  if (info.format > kBackupFormatVersion) {
    return InvalidArgumentError(path + " was written by a newer skiff (" + info.skiff_version +
                                ", backup format " + std::to_string(info.format) +
                                "; this skiff reads format " +
                                std::to_string(kBackupFormatVersion) + ")");
  }
  if (info.format < 1) return NotABackup(path, "unknown format " + std::to_string(info.format));
  return info;
}

// The store inside: skiff's, of a schema this binary opens.
Status CheckStore(SqliteConn& c, const std::string& path) {
  Result<int64_t> app_id = c.QueryInt("PRAGMA application_id");
  Result<int64_t> version = c.QueryInt("PRAGMA user_version");
  if (!app_id.ok()) return Damaged(path, app_id.status());
  if (!version.ok()) return Damaged(path, version.status());
  if (*app_id != kApplicationId) return NotABackup(path, "it holds no skiff store");
  if (*version > kSchemaVersion) {
    return InvalidArgumentError(path + " holds a store of a newer skiff (schema " +
                                std::to_string(*version) + "; this skiff opens schema " +
                                std::to_string(kSchemaVersion) + ")");
  }
  return Status::Ok();
}

Result<std::vector<BackupFile>> ReadFiles(SqliteConn& c, const std::string& path) {
  auto row = c.Prepare("SELECT path, mode, content FROM skiff_backup_files ORDER BY path");
  if (!row.ok()) return Damaged(path, row.status());
  std::vector<BackupFile> files;
  int rc;
  while ((rc = row->Step()) == SQLITE_ROW) {
    files.push_back({row->Text(0), static_cast<uint32_t>(row->Int(1)), row->Text(2)});
  }
  if (rc != SQLITE_DONE) return Damaged(path, c.Error(rc, "read skiff_backup_files"));
  return files;
}

Result<std::unique_ptr<SqliteConn>> OpenArchive(const std::string& path) {
  if (Status s = CheckHeader(path); !s.ok()) return s;
  auto conn = SqliteConn::Open(path, SQLITE_OPEN_READONLY);
  if (!conn.ok()) return Damaged(path, conn.status());
  return conn;
}

}  // namespace

Result<BackupArchive> ReadBackupArchive(const std::string& archive_path) {
  auto conn = OpenArchive(archive_path);
  if (!conn.ok()) return conn.status();
  BackupArchive archive;
  Result<BackupInfo> info = ReadInfo(**conn, archive_path);
  if (!info.ok()) return info.status();
  archive.info = std::move(*info);
  if (Status s = CheckStore(**conn, archive_path); !s.ok()) return s;
  if (Status s = CheckIntegrity(**conn, "the file"); !s.ok()) return Damaged(archive_path, s);
  Result<std::vector<BackupFile>> files = ReadFiles(**conn, archive_path);
  if (!files.ok()) return files.status();
  archive.files = std::move(*files);
  return archive;
}

Status RestoreStoreFile(const std::string& archive_path, const std::string& store_path,
                        const CopyProgress& progress) {
  auto archive = OpenArchive(archive_path);
  if (!archive.ok()) return archive.status();
  auto store = CreateCopyTarget(store_path);
  if (!store.ok()) return store.status();
  Status s = CopyPages(**archive, **store, progress);
  archive->reset();
  // The archive's tables go; with auto_vacuum=INCREMENTAL (the store's) so do their pages.
  if (s.ok()) s = (*store)->Exec(std::string("BEGIN IMMEDIATE;") + kDropBackupTables + "COMMIT;");
  if (s.ok()) s = (*store)->Exec("PRAGMA incremental_vacuum");
  if (s.ok()) s = CheckIntegrity(**store, "the restored store " + store_path);
  store->reset();
  if (!s.ok()) RemoveCopyTarget(store_path);
  return s;
}

}  // namespace skiff::store
