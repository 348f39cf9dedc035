// Runs a real `skiff server` for the API benchmark: a child process on loopback with its own
// temporary data directory, and the admin credentials read from the kubeconfig it writes.
//
// Not thread-safe; used from the benchmark's main thread. The destructor always stops the
// child (SIGTERM, then SIGKILL after a grace period) and removes the temporary directory.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include "api_bench_https.h"

namespace skiff::bench {

class SkiffServer {
 public:
  // `skiff` is the binary; the temporary directory is made under `parent_dir`.
  SkiffServer(std::string skiff, std::string parent_dir);
  ~SkiffServer();
  SkiffServer(const SkiffServer&) = delete;
  SkiffServer& operator=(const SkiffServer&) = delete;

  // Starts the server, waits for the kubeconfig and for /readyz to answer "ok". On failure
  // returns false with a message (and the end of the server's log) in *error.
  bool Start(std::chrono::seconds timeout, std::string* error);

  // Stops the child (idempotent). Returns false if it had to be killed.
  bool Stop();

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  const std::string& host() const { return host_; }
  const std::shared_ptr<TlsConfig>& tls() const { return tls_; }

  // The server's resident set size in MiB (VmRSS from /proc/<pid>/status), or -1.
  double RssMiB() const;
  // CPU time (user + system) the server has used so far, in seconds, or -1.
  double CpuSeconds() const;
  // The last `lines` lines of the server's log.
  std::string LogTail(int lines) const;

 private:
  bool ReadKubeconfig(std::string* error);
  bool Exited();

  std::string skiff_;
  std::string parent_dir_;
  std::string dir_;  // the temporary directory, "" until made
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  pid_t pid_ = -1;
  std::shared_ptr<TlsConfig> tls_;
};

// A TCP port on 127.0.0.1 that was free a moment ago, or 0.
int FreeLoopbackPort();

}  // namespace skiff::bench
