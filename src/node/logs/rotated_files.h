// Names of rotated log files (internal to skiff_logs).
//
// A live file <path> is rotated to "<path>.<YYYYMMDD-hhmmss>" (UTC), or
// "<path>.<YYYYMMDD-hhmmss>.<n>" (n >= 1) when that stamp would not sort after every existing
// rotated file (same second, or a clock that went backwards). Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cri_format.h"
#include "skiff/common/status.h"

namespace skiff::node::logs {

struct RotatedFile {
  std::string path;
  std::string stamp;  // "YYYYMMDD-hhmmss"
  uint64_t seq = 0;   // the ".<n>" suffix, 0 when absent

  // The rotation order: oldest first.
  bool Before(const RotatedFile& other) const {
    return stamp != other.stamp ? stamp < other.stamp : seq < other.seq;
  }
};

// "YYYYMMDD-hhmmss" in UTC.
std::string RotationStamp(TimePoint t);

// The rotated files of `live_path` in its directory, oldest first. Other names (e.g. ".gz"
// copies, temporary files) are ignored. A missing directory is an empty list; other failures
// name the directory.
Result<std::vector<RotatedFile>> ListRotatedFiles(const std::string& live_path);

// The name the live file gets when rotated at `now`, given the current rotated files (oldest
// first): it sorts after all of them.
RotatedFile NextRotatedName(const std::string& live_path, TimePoint now,
                            const std::vector<RotatedFile>& existing);

}  // namespace skiff::node::logs
