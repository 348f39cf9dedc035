// The named pipes one exec's stdio goes through: <parent>/<exec id>/{stdin,stdout,stderr},
// made with mkfifo (mode 0600), and the agent's ends of them. Owned by one exec session;
// not thread-safe (the session hands each descriptor to one thread).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include "skiff/common/status.h"
#include "skiff/common/unique_fd.h"

namespace skiff::node {

class ExecFifos {
 public:
  // Makes the directory <parent>/<exec_id> (and `parent` if missing) with the FIFOs asked for:
  // stdout always, stdin and stderr when asked. Opens the agent's ends, close-on-exec and
  // non-blocking so no open waits for the shim: stdout and stderr for reading (poll reports
  // neither data nor hang-up until the shim has opened and closed its end), stdin read-write
  // (so the shim's non-blocking opens of it never fail). Errors name the path; nothing is
  // left behind on failure.
  static Result<std::unique_ptr<ExecFifos>> Make(const std::string& parent,
                                                 const std::string& exec_id, bool with_stdin,
                                                 bool with_stderr);
  // Closes what is still open and removes the FIFOs and their directory.
  ~ExecFifos();
  ExecFifos(const ExecFifos&) = delete;
  ExecFifos& operator=(const ExecFifos&) = delete;

  const std::string& dir() const { return dir_; }
  // "" for a FIFO not made.
  std::string stdin_path, stdout_path, stderr_path;
  UniqueFd stdin_fd, stdout_fd, stderr_fd;

 private:
  explicit ExecFifos(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

// Waits until process `pid` holds the FIFO that `fd` is open on open for reading (an O_PATH
// handle does not count); true when it does within `timeout`, false otherwise (also when its
// /proc entries cannot be read). The shim opens its end of an exec's stdin FIFO in a goroutine
// after Start returns, with a blocking open that completes only while a writer exists: the
// agent's writer must not close (ending stdin) before that open happened, or the open waits
// forever and the process never sees its stdin end.
bool WaitForFifoReader(pid_t pid, int fd, std::chrono::milliseconds timeout);

}  // namespace skiff::node
