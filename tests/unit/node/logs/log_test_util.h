// Helpers shared by the node_logs tests: temporary directories, CRI file builders, and a running
// log driver process wired like the shim wires it (fd 3 stdout, fd 4 stderr, fd 5 readiness).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "skiff/node/container_logs.h"

namespace skiff::node::testing {

// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReadAll(const std::string& path);
void WriteAll(const std::string& path, const std::string& data, bool append = false);
bool Exists(const std::string& path);
std::vector<std::string> ListDir(const std::string& dir);  // sorted names

// One parsed line of a CRI file (the test's own parser, independent of the library's).
struct FileEntry {
  std::string time;
  std::string stream;
  std::string tag;
  std::string content;
};
std::vector<FileEntry> ParseFile(const std::string& data);

// "<time> <stream> <tag> <content>\n"
std::string Cri(const std::string& time, const std::string& stream, const std::string& tag,
                const std::string& content);

// ReadContainerLog without follow, the whole output; fails the test on a non-OK status.
std::string ReadLog(const std::string& path, const LogOptions& opts = {});

// Polls `cond` every 10 ms until it holds or `timeout` passes; returns its last value.
bool WaitFor(const std::function<bool()>& cond,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The log driver helper binary, started with posix_spawn like the shim starts it.
class DriverProcess {
 public:
  // `args` are argv[1..] (key/value pairs).
  explicit DriverProcess(const std::vector<std::string>& args);
  ~DriverProcess();  // kills and reaps the process if it is still running
  DriverProcess(const DriverProcess&) = delete;
  DriverProcess& operator=(const DriverProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Waits for the readiness byte: true when it came, false on EOF or timeout.
  bool WaitReady(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void WriteStdout(const std::string& data);
  void WriteStderr(const std::string& data);
  void CloseStdout();
  void CloseStderr();
  // Waits for exit; returns the exit code, or -1 on timeout / death by signal.
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void Signal(int sig);
  // Peak resident set size of the exited process (from wait4), in KiB.
  long max_rss_kb() const { return max_rss_kb_; }

 private:
  pid_t pid_ = -1;
  int out_w_ = -1, err_w_ = -1, ready_r_ = -1;
  bool reaped_ = false;
  long max_rss_kb_ = -1;
};

}  // namespace skiff::node::testing
