// Whole-database copies into new files, for backup archives (see skiff/store/backup_archive.h).
// Private to skiff_store.
#pragma once

#include <memory>
#include <string>

#include "skiff/store/backup_archive.h"
#include "sqlite_conn.h"

namespace skiff::store {

// Creates `path` as an empty file with mode 0600 and opens it as a new database, after removing
// the journal and WAL files a crashed earlier copy may have left beside it (SQLite would
// otherwise play them back into the new file). kAlreadyExists, naming the path, when `path`
// exists.
Result<std::unique_ptr<SqliteConn>> CreateCopyTarget(const std::string& path);

// Removes `path` and the journal, WAL and shared-memory files beside it; what does not exist
// is skipped.
void RemoveCopyTarget(const std::string& path);

// Copies every page of `from` into `to` (whose content it replaces) with SQLite's online backup
// API, a few megabytes per step, reporting progress after each step. Reads in the read
// transaction open on `from`, if any (then the copy is that snapshot), else in one per step.
// Waits out SQLITE_BUSY and SQLITE_LOCKED for up to a minute without progress.
Status CopyPages(SqliteConn& from, SqliteConn& to, const CopyProgress& progress);

// OK when `PRAGMA integrity_check` finds nothing; else kCorrupt naming `what` and the first
// problem SQLite reports.
Status CheckIntegrity(SqliteConn& conn, const std::string& what);

}  // namespace skiff::store
