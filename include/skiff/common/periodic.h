// A background loop: runs a function every `interval` on its own thread (the first run one
// interval after Start, or `first` after it when given) until Stop. Stop wakes the wait at once, lets a run in progress
// finish, and joins; it is idempotent and also done by the destructor. Start once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace skiff {

class Periodic {
 public:
  Periodic() = default;
  ~Periodic() { Stop(); }
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

  void Start(std::chrono::milliseconds interval, std::function<void()> fn);
  void Start(std::chrono::milliseconds first, std::chrono::milliseconds interval,
             std::function<void()> fn);
  void Stop();

 private:
  std::mutex mu_;  // guards stopping_
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace skiff
