// Sleeps until a log directory changes (internal to skiff_logs).
//
// Uses inotify on the directory (writes to its files, creations, renames, deletions). When
// inotify is unavailable (e.g. fs.inotify.max_user_instances reached) Wait just sleeps for the
// timeout, so following degrades to polling instead of failing. Not thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "skiff/common/unique_fd.h"

namespace skiff::node::logs {

class ChangeWaiter {
 public:
  explicit ChangeWaiter(const std::string& dir);

  // Returns after a change in the directory or after `timeout`, whichever comes first.
  void Wait(std::chrono::milliseconds timeout);
  bool watching() const { return fd_.valid(); }

 private:
  UniqueFd fd_;
};

}  // namespace skiff::node::logs
