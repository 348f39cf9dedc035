#include "runtime/shim/unix_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

namespace skiff::runtime::shim {

namespace {

std::string Errno(int err) { return std::string(strerror(err)); }

Status FillAddress(const std::string& path, sockaddr_un* addr) {
  *addr = {};
  addr->sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr->sun_path)) {
    return InvalidArgumentError("unix socket path \"" + path + "\" is empty or longer than " +
                                std::to_string(sizeof(addr->sun_path) - 1) + " bytes");
  }
  memcpy(addr->sun_path, path.data(), path.size());
  return Status::Ok();
}

}  // namespace

Result<UniqueFd> ConnectUnixSocket(const std::string& path, std::chrono::milliseconds timeout) {
  sockaddr_un addr;
  if (Status s = FillAddress(path, &addr); !s.ok()) return s;
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return InternalError("socket() for " + path + ": " + Errno(errno));

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  // A unix socket whose backlog is full answers EAGAIN: wait for it to become writable.
  while (rc != 0 && (errno == EAGAIN || errno == EINTR || errno == EINPROGRESS)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return UnavailableError("connecting to " + path + ": timed out after " +
                              std::to_string(timeout.count()) + " ms");
    }
    pollfd p{fd.get(), POLLOUT, 0};
    ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 10)));
    rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
    if (rc != 0 && errno == EISCONN) rc = 0;
  }
  if (rc != 0) {
    const int err = errno;
    const std::string message = "connecting to " + path + ": " + Errno(err);
    if (err == ENOENT) return NotFoundError(message);
    if (err == ECONNREFUSED) return UnavailableError(message + " (nothing listens: stale socket?)");
    return UnavailableError(message);
  }
  // Back to blocking: the reader thread blocks in read(), writers rely on SO_SNDTIMEO.
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
    return InternalError("fcntl on the socket of " + path + ": " + Errno(errno));
  }
  return fd;
}

Result<UniqueFd> ListenUnixSocket(const std::string& path) {
  sockaddr_un addr;
  if (Status s = FillAddress(path, &addr); !s.ok()) return s;
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return AlreadyExistsError("cannot listen at " + path +
                                ": a file that is not a socket is there");
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return InternalError("removing stale socket " + path + ": " + Errno(errno));
    }
  }
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return InternalError("socket() for " + path + ": " + Errno(errno));
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int err = errno;
    if (err == ENOENT) return NotFoundError("binding " + path + ": " + Errno(err));
    return InternalError("binding " + path + ": " + Errno(err));
  }
  if (::listen(fd.get(), 64) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    return InternalError("listening on " + path + ": " + Errno(err));
  }
  return fd;
}

Status WriteAll(int fd, std::string_view data, std::string_view what) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK) {
        return UnavailableError("writing to " + std::string(what) + ": timed out");
      }
      return UnavailableError("writing to " + std::string(what) + ": " + Errno(err));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

void SetSendTimeout(int fd, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

}  // namespace skiff::runtime::shim
