// Boost.Asio opens sockets without SOCK_CLOEXEC: every DNS socket is marked close-on-exec
// here, or the shims and log writers skiff starts would inherit it (and, outliving a stopped
// skiff, keep port 53 bound).
#pragma once

#include <fcntl.h>

namespace skiff::net::dns {

inline void CloseOnExec(int fd) {
  if (fd >= 0) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

}  // namespace skiff::net::dns
