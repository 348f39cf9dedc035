// Turns CRI records into what `kubectl logs` prints (internal to skiff_logs).
//
// Per stream it joins P pieces into one line (held up to kMaxHeldLine bytes, then passed on in
// pieces), applies since_time to whole lines (by the time of their first piece), prefixes the
// timestamp once per line, cuts the output at limit_bytes and batches it for the sink. Not
// thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cri_format.h"

namespace skiff::node::logs {

inline constexpr size_t kMaxHeldLine = 64 * 1024;

class LogRenderer {
 public:
  using Sink = std::function<bool(std::string_view)>;

  struct Options {
    std::optional<LogStream> stream;  // nullopt: both
    std::optional<TimePoint> since;
    bool timestamps = false;
    std::optional<int64_t> limit_bytes;
  };

  // `sink` must outlive the renderer.
  LogRenderer(Options options, const Sink& sink) : options_(std::move(options)), sink_(sink) {
    if (options_.limit_bytes) remaining_ = *options_.limit_bytes;
  }

  // One record of a file. Malformed records are counted and skipped. Returns false once the
  // output is complete (limit reached or the sink refused).
  bool Record(std::string_view record);
  // Hands the batched output to the sink.
  bool Flush();
  // Reading ends: lines still waiting for their F piece are written as they are (no newline).
  bool Finish();

  bool done() const { return done_; }
  uint64_t malformed() const { return malformed_; }

 private:
  struct Line {
    bool open = false;     // pieces of this line have been seen, its F not yet
    bool skip = false;     // older than since: drop every piece
    bool started = false;  // its prefix is out (part of it was passed on)
    TimePoint time{};
    std::string held;
  };

  void Start(Line& line);
  void Emit(std::string_view text);

  Options options_;
  const Sink& sink_;
  Line lines_[2];
  std::string out_;
  int64_t remaining_ = INT64_MAX;
  bool done_ = false;
  uint64_t malformed_ = 0;
};

}  // namespace skiff::node::logs
