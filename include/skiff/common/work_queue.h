// A queue of keys for level-triggered workers, with client-go's workqueue guarantees:
// - a key added many times before a worker takes it is handed out once (it only says "look
//   at this again");
// - a key is never handed to two workers at once: added while being processed, it is handed
//   out again after Done();
// - AddAfter delays a key (retry with backoff, periodic resync) without blocking the caller; a
//   key waiting for its delay waits once, until the earliest time it was asked for;
// - AddRateLimited is client-go's per-item exponential failure rate limiter: the n-th
//   consecutive failure of a key (n counted from 0) delays it base_delay * 2^n, capped at
//   max_delay, until Forget(key) resets its count (call it when the key was handled well).
// Thread-safe. ShutDown() wakes every Get(), which then returns nullopt.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>

namespace skiff {

struct WorkQueueOptions {
  // client-go's DefaultControllerRateLimiter per-item values.
  std::chrono::milliseconds base_delay{5};
  std::chrono::milliseconds max_delay{std::chrono::seconds(1000)};
};

class WorkQueue {
 public:
  WorkQueue() : WorkQueue(WorkQueueOptions{}) {}
  explicit WorkQueue(WorkQueueOptions options);
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void Add(const std::string& key);
  void AddAfter(const std::string& key, std::chrono::milliseconds delay);
  // Counts a failure of `key` and adds it after base_delay * 2^(failures before this one),
  // capped at max_delay. Returns that delay.
  std::chrono::milliseconds AddRateLimited(const std::string& key);
  // Resets `key`'s failure count (it does not remove the key from the queue).
  void Forget(const std::string& key);
  // Failures counted for `key` since the last Forget.
  int NumRequeues(const std::string& key) const;
  // Blocks until a key is ready or the queue shuts down.
  std::optional<std::string> Get();
  // The worker finished with `key` (which it got from Get).
  void Done(const std::string& key);
  void ShutDown();
  // Keys waiting (not counting delayed or in-process ones).
  size_t Len() const;

 private:
  using Clock = std::chrono::steady_clock;
  void AddLocked(const std::string& key);
  void AddAfterLocked(const std::string& key, std::chrono::milliseconds delay);
  void TimerLoop();

  const WorkQueueOptions options_;
  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;        // Get waiters
  std::condition_variable timer_cv_;  // the delay thread
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;       // queued or to be requeued after Done
  std::set<std::string> processing_;  // handed out, not Done yet
  std::multimap<Clock::time_point, std::string> delayed_;
  // Each delayed key's entry in delayed_ (one per key).
  std::unordered_map<std::string, std::multimap<Clock::time_point, std::string>::iterator> waiting_;
  std::unordered_map<std::string, int> failures_;  // AddRateLimited counts, until Forget
  bool shutting_down_ = false;
  std::thread timer_;
};

}  // namespace skiff
