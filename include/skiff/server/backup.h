// `skiff backup FILE`: one file holding a consistent copy of a data directory's store, its
// cluster PKI (<data-dir>/server/tls) and its admin token (<data-dir>/server/token), taken
// while `skiff server` may be running on it. The format is skiff/store/backup_archive.h's; the
// node agent's state (<data-dir>/agent) is not included.
//
// TakeBackup writes <file>.tmp (mode 0600: it holds private keys), checks it with SQLite's
// integrity_check, fsyncs it, renames it to `file` and fsyncs the directory, so a `file` that
// exists is a complete backup. It never replaces a file: kAlreadyExists when `file` exists,
// and when <file>.tmp does (another backup writing it, or one that was interrupted). It never
// modifies the data directory. On failure nothing is left behind. Errors name the path.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "skiff/cli/options.h"
#include "skiff/common/status.h"
#include "skiff/store/backup_archive.h"

namespace skiff::server {

struct BackupResult {
  store::BackupInfo info;  // what the backup says about itself
  std::size_t files = 0;   // files kept besides the store
  int64_t bytes = 0;       // size of the backup file
};

Result<BackupResult> TakeBackup(const std::string& data_dir, const std::string& file,
                                const store::CopyProgress& progress);

// The command: progress lines (for stores copied in several steps) and a last line with the
// size and contents on `out`; "skiff: backup: <cause>" on `err`. Returns 0 or 1.
int RunBackup(const cli::BackupOptions& options, std::ostream& out, std::ostream& err);

}  // namespace skiff::server
