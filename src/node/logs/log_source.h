// Open log files for the reader (internal to skiff_logs).
//
// The reader holds every file it will read open, so a rotation or a deletion of old files while
// it reads never loses what it already found. Not thread-safe; each read owns its sources.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rotated_files.h"
#include "skiff/common/status.h"
#include "skiff/common/unique_fd.h"

namespace skiff::node::logs {

struct LogSource {
  UniqueFd fd;
  std::string path;  // the name it had when opened
  dev_t dev = 0;
  ino_t ino = 0;
  int64_t offset = 0;  // next byte to read

  bool Is(const struct stat& st) const { return st.st_dev == dev && st.st_ino == ino; }
  bool Is(const LogSource& other) const { return other.dev == dev && other.ino == ino; }
};

// Opens `path` read-only. nullopt when it does not exist; kUnavailable otherwise.
Result<std::optional<LogSource>> OpenLogSource(const std::string& path);

// The current size of the open file (0 if fstat fails).
int64_t FileSize(const LogSource& source);

struct LogSourceSet {
  std::vector<LogSource> files;  // rotated files oldest first, then the live file if it exists
  bool has_live = false;         // files.back() is the live file
  std::optional<RotatedFile> newest_rotated;  // the newest rotated name seen (or `after`)
};

// Opens the live file first, then the rotated files that sort after `after` (all when nullopt)
// except those that are the live file or `exclude` (the same inode under its rotated name).
// Opening the live file first means a rotation in between shows up as a rotated name holding an
// inode we already have, which is dropped: nothing is missed and nothing read twice.
Result<LogSourceSet> OpenLogSources(const std::string& live_path,
                                    const std::optional<RotatedFile>& after,
                                    const LogSource* exclude);

}  // namespace skiff::node::logs
