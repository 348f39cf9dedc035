// The log driver's output: a CRI log file rotated by size (internal to skiff_logs).
//
// Entries are batched in memory and written with one write(2) per Flush(). Before an entry would
// take the file past max_size (and the file is not empty) the file is renamed to its rotated name
// (see rotated_files.h), a new live file is created, and the oldest rotated files beyond
// max_files - 1 are deleted. Failures (disk full, rename refused) are reported on stderr at most
// every 10 s and never stop the caller: output that cannot be written is dropped. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "cri_format.h"
#include "skiff/common/status.h"
#include "skiff/common/unique_fd.h"

namespace skiff::node::logs {

class RotatingLogFile {
 public:
  struct Options {
    std::string path;             // absolute path of the live file
    int64_t max_size = 10 << 20;  // bytes, > 0
    int max_files = 5;            // live + rotated, >= 1
  };

  // Creates the parent directory (0755) and opens/creates the live file (0640, append). A live
  // file whose last byte is not '\n' (its last entry was cut short by a power cut or a killed
  // writer) gets a '\n' first: the cut entry stays a line of its own, which readers show as
  // far as it parses or skip, and the next entry starts a line.
  static Result<RotatingLogFile> Open(Options options);

  // Queues one entry "<timestamp> <stream> <P|F> <content>\n", rotating first if needed.
  void Append(TimePoint now, LogStream stream, bool partial, std::string_view content);
  // Writes the queued entries. Returns false when they could not be written (dropped).
  bool Flush();

  int64_t size() const { return size_; }
  size_t queued() const { return batch_.size(); }

 private:
  explicit RotatingLogFile(Options options) : options_(std::move(options)) {}
  Status OpenLive();
  void EndTornLine();
  void Rotate(TimePoint now);
  void Complain(const std::string& message);

  Options options_;
  UniqueFd fd_;
  int64_t size_ = 0;   // bytes in the live file
  std::string batch_;  // entries not yet written
  std::chrono::steady_clock::time_point next_rotate_try_{};
  std::chrono::steady_clock::time_point next_complaint_{};
};

}  // namespace skiff::node::logs
