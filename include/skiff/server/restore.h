// `skiff restore FILE --data-dir DIR`: a data directory brought back from a `skiff backup`,
// from which `skiff server --data-dir DIR` starts with every object of the backup, the same CA
// (kubeconfigs made before keep working) and the same admin token.
//
// RestoreBackup refuses, before writing anything, when `data_dir` exists and is not an empty
// directory (naming the first entry found) and when `file` is not a complete, undamaged skiff
// backup this binary can read (store::ReadBackupArchive, plus only files of server/tls and
// server/token, the CA and the token among them). It then builds <data_dir>/.skiff-restore/
// server (directories 0700, as the server makes them; the files with their backed-up modes;
// the store checked with integrity_check), fsyncs it and renames it to <data_dir>/server in
// one step, so `data_dir` holds either nothing of the backup or all of it. On failure what it
// wrote is removed (and `data_dir`, when it created it). The node agent's state is not
// restored: the server's controllers recreate pods from the store.
#pragma once

#include <iosfwd>
#include <string>

#include "skiff/cli/options.h"
#include "skiff/common/status.h"
#include "skiff/store/backup_archive.h"

namespace skiff::server {

// Returns what the backup says about itself and how many files it restored.
Result<store::BackupArchive> RestoreBackup(const std::string& file, const std::string& data_dir,
                                           const store::CopyProgress& progress);

// The command: progress lines and a last line with what was restored on `out`;
// "skiff: restore: <cause>" on `err`. Returns 0 or 1.
int RunRestore(const cli::BackupOptions& options, std::ostream& out, std::ostream& err);

}  // namespace skiff::server
