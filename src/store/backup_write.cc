// WriteBackupArchive: a snapshot of the store copied page by page into a new archive, then the
// archive's own tables.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "backup_tables.h"
#include "db_copy.h"
#include "schema.h"
#include "skiff/store/backup_archive.h"

namespace skiff::store {
namespace {

// Opens the store read-only and begins the read transaction the whole copy is taken in.
Result<std::unique_ptr<SqliteConn>> OpenSnapshot(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFoundError("there is no store at " + path);
    return UnavailableError("cannot read the store " + path + ": " + std::strerror(errno));
  }
  auto conn = SqliteConn::Open(path, SQLITE_OPEN_READONLY);
  if (!conn.ok()) return conn.status();
  SqliteConn& c = **conn;
  if (Status s = c.Exec("BEGIN"); !s.ok()) return s;
  // The first read starts the snapshot; the header then says whose file this is.
  Result<int64_t> app_id = c.QueryInt("PRAGMA application_id");
  if (!app_id.ok()) {
    return CorruptError("cannot read the store " + path + ": " + app_id.status().message());
  }
  if (*app_id != kApplicationId) {
    return CorruptError(path + " is not a skiff store (application_id " + std::to_string(*app_id) +
                        ")");
  }
  if (sqlite3_txn_state(c.raw(), "main") != SQLITE_TXN_READ) {
    return InternalError("no read transaction open on " + path);
  }
  return conn;
}

// The store's revision and live keys in the snapshot (see schema.h).
Status Summarize(SqliteConn& store, BackupInfo& info) {
  Result<int64_t> rev = store.QueryInt(
      "SELECT max((SELECT coalesce(max(value), 0) FROM meta WHERE name = 'rev'),"
      "           (SELECT coalesce(max(rev), 0) FROM log))");
  if (!rev.ok()) return rev.status();
  Result<int64_t> live =
      store.QueryInt("SELECT count(*) FROM log WHERE superseded IS NULL AND deleted = 0");
  if (!live.ok()) return live.status();
  info.revision = *rev;
  info.live_keys = *live;
  return Status::Ok();
}

Status AddTables(SqliteConn& archive, const BackupInfo& info,
                 const std::vector<BackupFile>& files) {
  // The copy carries the store's WAL flag; an archive is one self-contained file.
  Result<std::string> mode = archive.QueryText("PRAGMA journal_mode=DELETE");
  if (!mode.ok()) return mode.status();
  if (Status s = archive.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  Status s = archive.Exec(kCreateBackupTables);
  if (s.ok()) {
    auto meta = archive.Prepare("INSERT INTO skiff_backup_meta VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!meta.ok()) return meta.status();
    meta->Bind(1, info.format).Bind(2, info.skiff_version).Bind(3, info.created_unix);
    meta->Bind(4, info.source).Bind(5, info.revision).Bind(6, info.live_keys);
    if (int rc = meta->Step(); rc != SQLITE_DONE) s = archive.Error(rc, "write backup meta");
  }
  for (std::size_t i = 0; s.ok() && i < files.size(); ++i) {
    const BackupFile& f = files[i];
    auto row = archive.Prepare("INSERT INTO skiff_backup_files VALUES (?1, ?2, ?3)");
    if (!row.ok()) return row.status();
    row->Bind(1, f.path).Bind(2, static_cast<int64_t>(f.mode)).BindBlob(3, f.content);
    if (int rc = row->Step(); rc != SQLITE_DONE) s = archive.Error(rc, "add " + f.path);
  }
  if (s.ok()) return archive.Exec("COMMIT");
  (void)archive.Exec("ROLLBACK");
  return s;
}

}  // namespace

Result<BackupInfo> WriteBackupArchive(const std::string& store_path,
                                      const std::string& archive_path, BackupInfo info,
                                      const std::vector<BackupFile>& files,
                                      const CopyProgress& progress) {
  info.format = kBackupFormatVersion;
  auto store = OpenSnapshot(store_path);
  if (!store.ok()) return store.status();
  if (Status s = Summarize(**store, info); !s.ok()) return s;
  auto archive = CreateCopyTarget(archive_path);
  if (!archive.ok()) return archive.status();
  Status s = CopyPages(**store, **archive, progress);
  store->reset();  // ends the snapshot: the server's checkpoints may recycle its WAL again
  if (s.ok()) s = AddTables(**archive, info, files);
  if (s.ok()) s = CheckIntegrity(**archive, "the new backup " + archive_path);
  archive->reset();
  if (!s.ok()) {
    RemoveCopyTarget(archive_path);
    return s;
  }
  return info;
}

}  // namespace skiff::store
