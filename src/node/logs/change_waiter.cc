#include "change_waiter.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>

namespace skiff::node::logs {

ChangeWaiter::ChangeWaiter(const std::string& dir) {
  int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0) return;
  UniqueFd owned(fd);
  constexpr uint32_t kEvents =
      IN_MODIFY | IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_DELETE_SELF;
  if (::inotify_add_watch(fd, dir.c_str(), kEvents) < 0) return;
  fd_ = std::move(owned);
}

void ChangeWaiter::Wait(std::chrono::milliseconds timeout) {
  int ms = static_cast<int>(timeout.count());
  if (!fd_.valid()) {
    ::poll(nullptr, 0, ms);
    return;
  }
  pollfd p{fd_.get(), POLLIN, 0};
  if (::poll(&p, 1, ms) <= 0) return;
  // Drop the events: the caller re-reads the files whatever changed.
  alignas(inotify_event) char buf[4096];
  while (::read(fd_.get(), buf, sizeof buf) > 0) {
  }
}

}  // namespace skiff::node::logs
