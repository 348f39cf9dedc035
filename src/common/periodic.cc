#include "skiff/common/periodic.h"

#include <utility>

namespace skiff {

void Periodic::Start(std::chrono::milliseconds interval, std::function<void()> fn) {
  Start(interval, interval, std::move(fn));
}

void Periodic::Start(std::chrono::milliseconds first, std::chrono::milliseconds interval,
                     std::function<void()> fn) {
  thread_ = std::thread([this, first, interval, fn = std::move(fn)] {
    std::unique_lock lock(mu_);
    std::chrono::milliseconds wait = first;
    while (!cv_.wait_for(lock, wait, [&] { return stopping_; })) {
      lock.unlock();
      fn();
      lock.lock();
      wait = interval;
    }
  });
}

void Periodic::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace skiff
