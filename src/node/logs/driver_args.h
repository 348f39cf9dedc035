// The log driver's command line (internal to skiff_logs).
//
// containerd-shim-runc-v2 turns the binary:// URI's query into argv as key, value, key, value ...
// in random order (Go map iteration), so argv[1..] is parsed as pairs and order never matters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "skiff/common/status.h"

namespace skiff::node::logs {

struct DriverArgs {
  std::string path;
  int64_t max_size = 10 << 20;
  int max_files = 5;
  std::string attach;      // "" or the attach socket's absolute path
  std::string stdin_path;  // "" or the container's stdin FIFO (absolute)
  bool stdin_once = false;
  bool tty = false;  // the container has a terminal: fd 3 is its console, fd 4 is unused
};

// argv[0] is the program. Keys: skiff-log-driver (value ignored), path (required, absolute),
// max-size, max-files, attach (absolute), stdin (absolute), stdin-once and tty ("true" or
// "false"); unknown keys are ignored. kInvalidArgument names the bad key and value.
Result<DriverArgs> ParseDriverArgs(int argc, const char* const* argv);

// A byte count: digits, optionally followed by a Kubernetes quantity suffix (Ki, Mi, Gi, k, M,
// G). Must be positive and fit int64.
Result<int64_t> ParseByteSize(std::string_view text);

}  // namespace skiff::node::logs
