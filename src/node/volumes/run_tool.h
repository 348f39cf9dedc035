// Runs a short-lived system tool (mkfs.ext4, debugfs, e2fsck, resize2fs) through
// net::RunProcess (skiff_cni's child-process runner) and reports how it ended. Internal to
// skiff_volumes.
//
// The child inherits skiff's environment (PATH finds the tool) and an empty stdin; its stdout
// then stderr (trimmed, at most 4 KiB) go into the error message. One stuck for 10 minutes is
// killed. Thread-safe: each call is independent.
#pragma once

#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::node::internal {

struct ToolResult {
  int exit_code = -1;  // -1 when a signal ended it
  std::string output;  // stdout and stderr, trimmed
};

// Runs argv (argv[0] looked up in PATH) to its end. kNotFound when the tool is not installed,
// kInternal when it cannot be started. A non-zero exit is not an error here.
Result<ToolResult> RunTool(const std::vector<std::string>& argv);

// RunTool, OK only when the tool exits 0; otherwise kInternal
// "<argv[0]> exited with status N: <output>".
Status RunToolChecked(const std::vector<std::string>& argv);

}  // namespace skiff::node::internal
