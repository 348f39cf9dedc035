// Backup archives of the SQLite store: one SQLite file that holds a consistent copy of the
// store's pages plus two tables of its own, so that a backup is a single file SQLite can check.
//
//   skiff_backup_meta   one row: format, skiff_version, created_unix, source, revision,
//                       live_keys (see BackupInfo)
//   skiff_backup_files  path TEXT PRIMARY KEY, mode INTEGER, content BLOB (see BackupFile)
//
// Taking a copy: the store file is opened read-only and one read transaction (a snapshot) is
// held while SQLite's online backup API copies its pages in steps. In WAL mode a reader never
// blocks the writer, so a running `skiff server` keeps committing meanwhile; the copy is the
// store as of the moment the snapshot began. (A snapshot per step would not do: every commit in
// between would restart the copy, and a busy server could keep it from ever finishing.) While
// the snapshot is held the server's checkpoints cannot recycle its WAL, which grows by what
// the server writes during the copy and shrinks at its next checkpoint after.
//
// Restoring: the archive's pages are copied into a new store file and the archive's tables are
// dropped, leaving exactly the tables, indexes and header (application id, schema version,
// auto_vacuum) of the store it was taken from.
//
// Files created here get mode 0600 (an archive holds private keys). Nothing here modifies the
// store or the archive it reads. Functions are thread-compatible: concurrent calls must use
// different destination paths.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::store {

// The archive layout this binary writes, and the newest it reads.
inline constexpr int64_t kBackupFormatVersion = 1;

// A file kept in an archive beside the store.
struct BackupFile {
  std::string path;   // relative to what it was taken from, e.g. "server/tls/ca.crt"
  uint32_t mode = 0;  // permission bits (0600)
  std::string content;
  bool operator==(const BackupFile&) const = default;
};

// What an archive says about itself.
struct BackupInfo {
  int64_t format = kBackupFormatVersion;
  std::string skiff_version;  // of the binary that wrote it
  int64_t created_unix = 0;   // when it was written, seconds since the epoch
  std::string source;         // where it was taken from (a data directory)
  // Filled in from the copy by WriteBackupArchive:
  int64_t revision = 0;   // the store's revision
  int64_t live_keys = 0;  // keys (API objects) in the store
};

struct BackupArchive {
  BackupInfo info;
  std::vector<BackupFile> files;  // ordered by path
};

// Called after each step of a page copy with the pages copied so far and the total.
using CopyProgress = std::function<void(int64_t copied, int64_t total)>;

// Writes a new archive at `archive_path`, which must not exist (kAlreadyExists otherwise;
// journal and WAL files left beside it by a crashed copy are removed): the store at `store_path` (kNotFound when
// there is none, kCorrupt when it is not a skiff store), `info` with revision and live_keys
// filled in from the copy, and `files`. On OK the archive has passed `PRAGMA integrity_check`
// and is fsynced (it still has to be renamed into place); on failure it is removed.
Result<BackupInfo> WriteBackupArchive(const std::string& store_path,
                                      const std::string& archive_path, BackupInfo info,
                                      const std::vector<BackupFile>& files,
                                      const CopyProgress& progress);

// Reads and checks the archive at `archive_path`, without modifying it. Errors name the path:
// kNotFound when it does not exist; kInvalidArgument when it is not a skiff backup (not SQLite,
// no skiff_backup_meta, not a skiff store inside) or is of a newer format or store schema than
// this binary knows; kCorrupt when it is truncated or damaged (integrity_check fails).
Result<BackupArchive> ReadBackupArchive(const std::string& archive_path);

// Writes a new store file at `store_path` (which must not exist) from an archive that
// ReadBackupArchive accepted: its pages without the archive's tables, checked with
// `PRAGMA integrity_check` and fsynced (it still has to be renamed into place). On failure the
// file is removed.
Status RestoreStoreFile(const std::string& archive_path, const std::string& store_path,
                        const CopyProgress& progress);

}  // namespace skiff::store
