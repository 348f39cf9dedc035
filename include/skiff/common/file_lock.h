// An exclusive advisory lock on a file (flock(2)), for state that several processes may change:
// the host-local IPAM store (shared with the CNI plugin), the cluster PKI (shared by the server
// and `skiff certificate rotate`). The lock is held while the FileLock lives and released when
// it is destroyed or the process dies; flock locks do not pass to children (the descriptor is
// close-on-exec).
#pragma once

#include <sys/types.h>

#include <string>

#include "skiff/common/status.h"
#include "skiff/common/unique_fd.h"

namespace skiff {

class FileLock {
 public:
  // Opens `path` (created with `mode` when missing) and waits for the exclusive lock.
  // kUnavailable names the path and the cause.
  static Result<FileLock> Acquire(const std::string& path, mode_t mode = 0600);

  FileLock(FileLock&&) = default;
  FileLock& operator=(FileLock&&) = default;

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;  // closing it drops the lock
};

}  // namespace skiff
