// The tables a backup archive adds to its copy of the store (see skiff/store/backup_archive.h).
// Private to skiff_store.
#pragma once

namespace skiff::store {

inline constexpr const char* kCreateBackupTables = R"sql(
CREATE TABLE skiff_backup_meta(
  format        INTEGER NOT NULL,
  skiff_version TEXT    NOT NULL,
  created_unix  INTEGER NOT NULL,
  source        TEXT    NOT NULL,
  revision      INTEGER NOT NULL,
  live_keys     INTEGER NOT NULL
);
CREATE TABLE skiff_backup_files(
  path    TEXT    PRIMARY KEY,
  mode    INTEGER NOT NULL,
  content BLOB    NOT NULL
);
)sql";

inline constexpr const char* kDropBackupTables =
    "DROP TABLE skiff_backup_meta; DROP TABLE skiff_backup_files;";

}  // namespace skiff::store
