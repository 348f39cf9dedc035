// Named network namespaces, pinned by bind mounts at <dir>/<name> (the layout `ip netns`
// uses when dir is /run/netns), and a way to run code inside one.
//
// A namespace is created empty (not even `lo` is up: that is the CNI loopback plugin's job)
// by a short-lived helper thread that unshares its network namespace and bind-mounts
// /proc/thread-self/ns/net onto <dir>/<name>; the calling thread's namespace never changes.
// The mount keeps the namespace alive after the thread ends, until Remove.
//
// Thread-safety: NetNs holds only its directory name; every method may be called from any
// thread. Operations on the same name from two threads at once are the caller's to avoid.
// Errors name the path and the cause; nothing throws.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::net {

class NetNs {
 public:
  explicit NetNs(std::string dir = "/run/netns");

  const std::string& dir() const { return dir_; }
  // <dir>/<name>, whether or not it exists.
  std::string PathOf(const std::string& name) const;

  // Creates the namespace and returns its path. Creates <dir> (0755) when missing and, as
  // `ip netns add` does, makes it a shared mount point (bound onto itself) unless it already
  // is one or already holds pins; a later `ip netns add` then leaves skiff's pins reachable.
  // kInvalidArgument for an empty name, one with '/', "." or "..";
  // kAlreadyExists when <dir>/<name> exists (pinned or not). On any failure nothing is left.
  Result<std::string> Create(const std::string& name) const;

  // Unmounts (every stacked mount) and deletes <dir>/<name>. Idempotent: a missing file or
  // a file that is no longer a mount point is fine. Processes still inside the namespace
  // keep it alive; the name is gone regardless.
  Status Remove(const std::string& name) const;

  // True when <dir>/<name> is a pinned network namespace.
  bool Exists(const std::string& name) const;

  // The names under <dir> that are pinned network namespaces, sorted. An absent <dir> is
  // an empty list.
  Result<std::vector<std::string>> List() const;

 private:
  std::string dir_;
};

// True when `path` refers to a network namespace (a pinned bind mount or /proc/PID/ns/net).
bool IsNetNsPath(const std::string& path);

// Runs `fn` on a new thread that has joined the network namespace at `path`, waits for it
// and returns its Status. Sockets `fn` creates stay in that namespace after it returns, and
// processes it spawns start there. The calling thread is not moved. An exception escaping
// `fn` becomes kInternal. kNotFound / kInvalidArgument when `path` is missing or is not a
// network namespace.
Status RunInNetNs(const std::string& path, const std::function<Status()>& fn);

}  // namespace skiff::net
