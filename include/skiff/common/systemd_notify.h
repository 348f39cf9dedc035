// The systemd notification protocol (sd_notify(3)) without libsystemd: datagrams such as
// "READY=1", "STATUS=...", "WATCHDOG=1" and "STOPPING=1" sent to the socket named by
// $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace). Without NOTIFY_SOCKET every
// call does nothing. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "skiff/common/periodic.h"

namespace skiff {

class SystemdNotifier {
 public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID, then removes them from the
  // environment so that the processes skiff starts (shims, plugins, runc) do not inherit them.
  // Call once, early, before other threads start.
  static std::unique_ptr<SystemdNotifier> FromEnvironment();
  ~SystemdNotifier();

  bool enabled() const { return !socket_.empty(); }
  // The watchdog interval systemd asked for (WatchdogSec); zero when none.
  std::chrono::microseconds watchdog() const { return watchdog_; }

  void Ready(const std::string& status);
  void Status(const std::string& status);
  void Stopping();
  // Sends WATCHDOG=1 every half watchdog interval while `healthy` returns true (a hung
  // process stops pinging and systemd restarts it). Nothing without a watchdog interval.
  void StartWatchdog(std::function<bool()> healthy);
  void StopWatchdog();

  // One datagram; false when it could not be sent.
  bool Send(const std::string& message);

 private:
  SystemdNotifier(std::string socket, std::chrono::microseconds watchdog)
      : socket_(std::move(socket)), watchdog_(watchdog) {}
  const std::string socket_;
  const std::chrono::microseconds watchdog_;
  Periodic watchdog_loop_;
};

}  // namespace skiff
