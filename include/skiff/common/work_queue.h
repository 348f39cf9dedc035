// A queue of keys for level-triggered workers, with client-go's workqueue guarantees:
// - a key added many times before a worker takes it is handed out once (it only says "look
//   at this again");
// - a key is never handed to two workers at once: added while being processed, it is handed
//   out again after Done();
// - AddAfter delays a key (retry with backoff, periodic resync) without blocking the caller.
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

namespace skiff {

class WorkQueue {
 public:
  WorkQueue();
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void Add(const std::string& key);
  void AddAfter(const std::string& key, std::chrono::milliseconds delay);
  // Blocks until a key is ready or the queue shuts down.
  std::optional<std::string> Get();
  // The worker finished with `key` (which it got from Get).
  void Done(const std::string& key);
  void ShutDown();
  // Keys waiting (not counting delayed or in-process ones).
  size_t Len() const;

 private:
  void AddLocked(const std::string& key);
  void TimerLoop();

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;        // Get waiters
  std::condition_variable timer_cv_;  // the delay thread
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;       // queued or to be requeued after Done
  std::set<std::string> processing_;  // handed out, not Done yet
  std::multimap<std::chrono::steady_clock::time_point, std::string> delayed_;
  bool shutting_down_ = false;
  std::thread timer_;
};

}  // namespace skiff
