// Follows the live log file across rotations (internal to skiff_logs).
//
// Holds the file being followed open. When the live name stops pointing at it (the driver renamed
// it), it reads the file to its end, then every file rotated since (oldest first), then the new
// live file from its start. Not thread-safe.
#pragma once

#include <optional>
#include <string>

#include "log_renderer.h"
#include "log_source.h"
#include "record_reader.h"
#include "skiff/common/status.h"

namespace skiff::node::logs {

class LogFollower {
 public:
  // `live` is the live file positioned where reading continues (nullopt when it did not exist);
  // `newest_rotated` the newest rotated name already read or skipped.
  LogFollower(std::string path, std::optional<LogSource> live,
              std::optional<RotatedFile> newest_rotated)
      : path_(std::move(path)), current_(std::move(live)), newest_(std::move(newest_rotated)) {}

  // Passes everything new to `renderer`. Returns true when anything was read or a rotation was
  // taken; false when nothing changed.
  Result<bool> Poll(LogRenderer& renderer);
  // Reading ends: passes on a trailing record still without its '\n'.
  void Finish(LogRenderer& renderer);

 private:
  std::string path_;
  std::optional<LogSource> current_;
  RecordReader reader_;  // for current_
  std::optional<RotatedFile> newest_;
};

}  // namespace skiff::node::logs
