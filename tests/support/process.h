// Runs a program for a test: captures stdout and stderr, can signal it, and never leaves it
// running (the destructor kills and reaps it).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace skiff::testing {

class Process {
 public:
  // Starts argv[0] (a path) with argv; extra environment entries "K=V" are added.
  explicit Process(std::vector<std::string> argv, std::vector<std::string> env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Reads output until the process exits or `timeout` passes; returns whether it exited.
  bool WaitExit(std::chrono::milliseconds timeout);
  // Reads output until stderr contains `text` or `timeout` passes.
  bool WaitForStderr(const std::string& text, std::chrono::milliseconds timeout);
  void Signal(int sig);

  bool exited() const { return exited_; }
  // Exit code, or 128 + signal number when it was killed by a signal.
  int exit_code() const { return exit_code_; }
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }
  pid_t pid() const { return pid_; }

 private:
  void Pump(std::chrono::milliseconds slice);
  void Reap(bool block);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
  std::string out_;
  std::string err_;
};

// Runs to completion (at most `timeout`) and returns the finished process.
struct RunResult {
  int exit_code;
  std::string out;
  std::string err;
};
RunResult Run(std::vector<std::string> argv,
              std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace skiff::testing
