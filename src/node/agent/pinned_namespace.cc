#include "pinned_namespace.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace skiff::node {
namespace {

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

Status Pin(const std::string& path, int flag, const char* proc_name, const std::string& hostname) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (fd < 0) return InternalError(Errno("cannot create the namespace file", path));
  close(fd);
  Status result;
  // unshare moves only the calling thread, so a throwaway thread does it and the caller's
  // namespaces never change.
  std::thread t([&] {
    if (unshare(flag) != 0) {
      result = InternalError(Errno("cannot create a namespace for", path));
      return;
    }
    if (!hostname.empty() && sethostname(hostname.data(), hostname.size()) != 0) {
      result = InternalError(Errno("cannot set the hostname for", path));
      return;
    }
    const std::string self = std::string("/proc/thread-self/ns/") + proc_name;
    if (mount(self.c_str(), path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      result = InternalError(Errno("cannot pin the namespace at", path));
    }
  });
  t.join();
  if (!result.ok()) unlink(path.c_str());
  return result;
}

}  // namespace

Status PinIpcNamespace(const std::string& path) { return Pin(path, CLONE_NEWIPC, "ipc", ""); }

Status PinUtsNamespace(const std::string& path, const std::string& hostname) {
  return Pin(path, CLONE_NEWUTS, "uts", hostname);
}

Status UnpinNamespace(const std::string& path) {
  while (umount2(path.c_str(), MNT_DETACH) == 0) {
  }
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return InternalError(Errno("cannot remove the namespace file", path));
  }
  return Status::Ok();
}

}  // namespace skiff::node
