// Small file-system helpers with the error reporting skiff wants (the path in every message).
#pragma once

#include <sys/types.h>

#include <string>

#include "skiff/common/status.h"

namespace skiff {

// What a written file must survive.
enum class Durability {
  // Power loss: the file and its directory are fsynced before the write returns.
  kPowerLoss,
  // A crash of skiff but not of the machine (the page cache keeps it): no fsync. For files
  // that describe what a power cut destroys anyway and that are written again when it is
  // rebuilt (a pod sandbox's generated /etc files, container bundles); an fsync costs more
  // than the rest of such a write.
  kProcessCrash,
};

// Writes `data` to `path` so that readers see either the old or the new file, never a half
// one: a temporary file beside it is written, given `mode` and renamed over `path` (with
// kPowerLoss the file is fsynced before the rename and the directory after it).
Status WriteFileAtomic(const std::string& path, const std::string& data, mode_t mode,
                       Durability durability = Durability::kPowerLoss);

// WriteFileAtomic for a file rewritten often (a pod's record): the new contents go into the
// spare file `path`.spare, which is then exchanged with `path` in one step (renameat2
// RENAME_EXCHANGE); the old contents stay in the spare, whose inode the next write reuses.
// After the second write no inode is allocated or freed, which is most of a small write's
// cost on ext4 without a journal (allocation skips past every inode freed in the last
// minutes). Readers see the old or the new file, never a half one; the spare is the caller's
// to remove with `path`. Where the filesystem cannot exchange, it falls back to a rename.
Status RewriteFileAtomic(const std::string& path, const std::string& data, mode_t mode,
                         Durability durability = Durability::kPowerLoss);

// Reads a whole file. kNotFound when it does not exist.
Result<std::string> ReadFile(const std::string& path);

// The directory part of `path`: what precedes its last '/', "/" when that slash is the first
// byte, "." when there is none. No cleaning: "a/b/" gives "a/b", "a//b" gives "a/".
std::string DirName(const std::string& path);
// What follows the last '/' of `path` (all of it when there is none; "" after a trailing '/').
std::string BaseName(const std::string& path);

// Creates `path` and missing parents (new directories get `mode`). Fails naming the path.
Status MakeDirs(const std::string& path, mode_t mode = 0700);

// fsyncs the directory `dir`, making the creation, removal and renaming of its entries durable.
Status SyncDir(const std::string& dir);

// Puts a finished file in place for good, never over another: fsyncs `tmp`, renames it to
// `path` and fsyncs their directory (both must be in the same one). kAlreadyExists, with
// `tmp` left where it is, when `path` exists (even if it appeared after the caller looked).
Status CommitNewFile(const std::string& tmp, const std::string& path);

}  // namespace skiff
