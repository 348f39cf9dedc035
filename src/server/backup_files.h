// The files of a data directory that a backup holds besides the store: every file of
// <data-dir>/server/tls (the cluster CA, the serving and client certificates and their keys)
// and <data-dir>/server/token (the admin token). In a backup their paths are relative to the
// data directory ("server/tls/ca.crt"). Private to skiff_server.
#pragma once

#include <string>
#include <vector>

#include "server/data_dir.h"
#include "skiff/common/status.h"
#include "skiff/store/backup_archive.h"

namespace skiff::server {

// Reads the files with their permission bits, ordered by path. Skips what is not a regular
// file, hidden files (the PKI's lock) and the temporary files of atomic writes. Holds the PKI's
// lock (<tls>/.lock, see auth::EnsurePki) while it reads, so a certificate rotation is seen all
// old or all new. kNotFound naming the path when the TLS directory, ca.crt, ca.key or the token
// is missing.
Result<std::vector<store::BackupFile>> ReadBackupFiles(const DataDir& dir);

// OK when a backup's `files` are ones ReadBackupFiles makes: each "server/token" or
// "server/tls/NAME" with NAME a plain file name, and the CA, its key and the token among them.
// kInvalidArgument naming `archive` otherwise: a backup must not write outside the data
// directory, nor bring a box back without its CA.
Status CheckBackupFiles(const std::vector<store::BackupFile>& files, const std::string& archive);

}  // namespace skiff::server
