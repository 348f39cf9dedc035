// Running a short-lived helper process (the shim's `start` and `delete` actions) and
// collecting its output.
//
// The child is spawned with posix_spawn: stdin from `stdin_data` (a pipe closed after it) or
// /dev/null, stdout and stderr captured, working directory `cwd`, environment exactly `env`,
// and every other descriptor closed in the child (whether or not the caller marked it
// close-on-exec). Output is collected until the child exits; whatever a detached grandchild
// keeps writing to an inherited pipe afterwards is not waited for. Thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::runtime::shim {

struct ChildSpec {
  std::vector<std::string> argv;          // argv[0] is a path, or a name looked up in env's PATH
  std::vector<std::string> env;           // "KEY=value" entries
  std::string cwd;                        // "" = the caller's
  std::optional<std::string> stdin_data;  // nullopt = /dev/null
  std::chrono::milliseconds timeout{10000};
};

struct ChildResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;      // the signal that killed it, else 0
  std::string out;
  std::string err;
};

// kNotFound when the program or cwd does not exist, kUnavailable when the child outlives the
// timeout (it is then SIGKILLed and reaped), kInternal for other spawn failures.
Result<ChildResult> RunChild(const ChildSpec& spec);

// The caller's environment with every `KEY=` in `unset` removed and `set` appended.
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& unset,
                                          const std::vector<std::string>& set);

}  // namespace skiff::runtime::shim
