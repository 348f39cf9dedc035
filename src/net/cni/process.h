// Runs a child process with given argv, environment and stdin, collects its stdout and stderr,
// and kills it (with its process group) when it outlives a timeout. Internal to skiff_cni.
//
// The child is started with posix_spawn in its own process group, with default signal
// dispositions and an empty signal mask; it inherits no descriptor of ours but stdin/out/err
// (skiff opens every descriptor close-on-exec). It inherits the calling thread's namespaces,
// so calling from a thread inside a network namespace runs the child there.
// Thread-safe: each call is independent.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::net {

struct ProcessSpec {
  std::string path;               // the executable; looked up in PATH when it has no '/'
  std::vector<std::string> argv;  // argv[0] included; empty means {path}
  std::vector<std::string> env;   // "KEY=VALUE" entries: the child's whole environment
  std::string input;              // written to stdin, which is then closed
  std::chrono::milliseconds timeout{30000};
  size_t max_output = 1 << 20;  // bytes kept per stream; the rest is read and dropped
};

struct ProcessOutput {
  int exit_code = -1;   // when the child exited normally
  int term_signal = 0;  // when a signal ended it (SIGKILL after a timeout)
  bool timed_out = false;
  std::string out;
  std::string err;
  bool ok() const { return !timed_out && term_signal == 0 && exit_code == 0; }
};

// Errors: kNotFound when the executable does not exist, kUnavailable when it cannot be
// started (naming it and the errno). A non-zero exit or a timeout is not an error here: the
// caller reads ProcessOutput.
Result<ProcessOutput> RunProcess(const ProcessSpec& spec);

// The first executable `name` in the ':'-separated `search_path` (a name with '/' is
// returned as is). kNotFound naming the name and the path.
Result<std::string> FindExecutable(const std::string& name, const std::string& search_path);

// "exit status 3", "killed by signal 9", "timed out after 200 ms".
std::string DescribeExit(const ProcessOutput& out, const ProcessSpec& spec);

// Runs `argv[0]`, looked up in `search_path` (also the child's PATH), with `input` on stdin.
// OK when it exits 0 or with one of `ok_exit_codes`; otherwise kUnavailable
// "<argv[0]> <DescribeExit>[: <stderr, else stdout, trimmed>]". kNotFound when the executable
// is not there.
Status RunChecked(const std::string& search_path, std::vector<std::string> argv,
                  const std::string& input, std::chrono::milliseconds timeout,
                  const std::vector<int>& ok_exit_codes = {});

}  // namespace skiff::net
