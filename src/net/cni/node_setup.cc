#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "skiff/net/cni.h"

namespace skiff::net {
namespace {

// Writes "1" into a /proc/sys file. kNotFound when the file does not exist.
Status EnableSysctl(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    std::string msg = "cannot open " + path + ": " + std::strerror(e);
    return e == ENOENT ? NotFoundError(msg) : UnavailableError(msg);
  }
  ssize_t n = ::write(fd, "1\n", 2);
  int e = errno;
  ::close(fd);
  if (n != 2) return UnavailableError("cannot write 1 to " + path + ": " + std::strerror(e));
  return Status::Ok();
}

}  // namespace

Status PrepareNodeForPods(bool ipv6) {
  if (Status s = EnableSysctl("/proc/sys/net/ipv4/ip_forward"); !s.ok()) return s;
  if (ipv6) {
    if (Status s = EnableSysctl("/proc/sys/net/ipv6/conf/all/forwarding"); !s.ok()) return s;
  }
  // Present only when bridge netfilter is loaded (built in on these kernels).
  for (const char* path : {"/proc/sys/net/bridge/bridge-nf-call-iptables",
                           "/proc/sys/net/bridge/bridge-nf-call-ip6tables"}) {
    Status s = EnableSysctl(path);
    if (!s.ok() && s.code() != Code::kNotFound) return s;
  }
  return Status::Ok();
}

}  // namespace skiff::net
