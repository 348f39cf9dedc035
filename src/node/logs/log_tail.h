// Where `--tail N` starts (internal to skiff_logs).
//
// Walks the files backward from the end (reading 64 KiB blocks and only the first bytes of each
// record) and counts whole lines: F entries of the selected stream. Malformed records and P
// pieces do not count. Not thread-safe (uses the sources' descriptors).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "cri_format.h"
#include "log_source.h"
#include "skiff/common/status.h"

namespace skiff::node::logs {

struct TailStart {
  size_t source = 0;   // index into the sources
  int64_t offset = 0;  // byte offset in that file
};

// The position after which exactly `lines` whole lines of `stream` (both when nullopt) end, or
// the start of the first file when there are fewer. lines >= 0.
Result<TailStart> FindTailStart(const std::vector<LogSource>& sources, int64_t lines,
                                std::optional<LogStream> stream);

}  // namespace skiff::node::logs
