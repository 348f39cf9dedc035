// Splits a log file into records (lines without '\n') as it grows (internal to skiff_logs).
//
// A record longer than kMaxRecord (no writer of ours makes one) is dropped whole, so a damaged
// or foreign file cannot make the reader hold unbounded memory. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "log_source.h"
#include "skiff/common/status.h"

namespace skiff::node::logs {

inline constexpr size_t kMaxRecord = 256 * 1024;

class RecordReader {
 public:
  // Receives one record, valid only during the call; returns false to stop reading.
  using RecordFn = std::function<bool(std::string_view record)>;

  RecordReader();

  // Reads `source` from its offset to the current end of the file, passing every complete record
  // to `fn`, and advances the offset. A trailing record without '\n' is held back (the writer may
  // be in the middle of it). Returns the number of bytes read; kUnavailable on a read error.
  Result<int64_t> ReadAvailable(LogSource& source, const RecordFn& fn);

  // The file is finished (rotated away, or reading ends): passes on the held-back record, if
  // any, and forgets it. Returns what `fn` returned (true when there was nothing).
  bool Finish(const RecordFn& fn);

 private:
  std::unique_ptr<char[]> buf_;
  std::string carry_;      // the start of a record whose '\n' has not been read yet
  bool skipping_ = false;  // inside an over-long record: drop bytes up to the next '\n'
};

}  // namespace skiff::node::logs
