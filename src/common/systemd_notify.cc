#include "skiff/common/systemd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <algorithm>
#include <cstddef>
#include <cstring>

namespace skiff {

std::unique_ptr<SystemdNotifier> SystemdNotifier::FromEnvironment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  const char* usec = std::getenv("WATCHDOG_USEC");
  const char* pid = std::getenv("WATCHDOG_PID");
  std::chrono::microseconds watchdog{0};
  // WATCHDOG_PID names the process the watchdog is for: not us when it is someone else.
  if (usec && (!pid || std::atoll(pid) == static_cast<long long>(getpid()))) {
    watchdog = std::chrono::microseconds(std::atoll(usec));
  }
  std::string path = socket ? socket : "";
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
  return std::unique_ptr<SystemdNotifier>(new SystemdNotifier(std::move(path), watchdog));
}

SystemdNotifier::~SystemdNotifier() { StopWatchdog(); }

bool SystemdNotifier::Send(const std::string& message) {
  if (socket_.empty()) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, socket_.data(), socket_.size());
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  const socklen_t len =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_.size());
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const ssize_t n = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                             reinterpret_cast<const sockaddr*>(&addr), len);
  ::close(fd);
  return n == static_cast<ssize_t>(message.size());
}

void SystemdNotifier::Ready(const std::string& status) { Send("READY=1\nSTATUS=" + status); }

void SystemdNotifier::Status(const std::string& status) { Send("STATUS=" + status); }

void SystemdNotifier::Stopping() { Send("STOPPING=1\nSTATUS=stopping"); }

void SystemdNotifier::StartWatchdog(std::function<bool()> healthy) {
  if (socket_.empty() || watchdog_.count() <= 0) return;
  const auto half = std::chrono::duration_cast<std::chrono::milliseconds>(watchdog_ / 2);
  const auto every = std::max(half, std::chrono::milliseconds(1));
  watchdog_loop_.Start(std::chrono::milliseconds(0), every, [this, healthy = std::move(healthy)] {
    if (healthy()) Send("WATCHDOG=1");
  });
}

void SystemdNotifier::StopWatchdog() { watchdog_loop_.Stop(); }

}  // namespace skiff
