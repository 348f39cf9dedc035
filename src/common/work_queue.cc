#include "skiff/common/work_queue.h"

namespace skiff {

WorkQueue::WorkQueue(WorkQueueOptions options) : options_(options) {
  timer_ = std::thread([this] { TimerLoop(); });
}

WorkQueue::~WorkQueue() {
  ShutDown();
  if (timer_.joinable()) timer_.join();
}

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_ || dirty_.count(key)) return;
  dirty_.insert(key);
  if (processing_.count(key)) return;  // requeued by Done
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard lock(mu_);
  AddLocked(key);
}

void WorkQueue::AddAfterLocked(const std::string& key, std::chrono::milliseconds delay) {
  if (shutting_down_) return;
  if (delay.count() <= 0) return AddLocked(key);
  const Clock::time_point at = Clock::now() + delay;
  auto it = waiting_.find(key);
  if (it != waiting_.end()) {
    if (it->second->first <= at) return;  // already due sooner
    delayed_.erase(it->second);
    it->second = delayed_.emplace(at, key);
  } else {
    waiting_.emplace(key, delayed_.emplace(at, key));
  }
  timer_cv_.notify_one();
}

void WorkQueue::AddAfter(const std::string& key, std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  AddAfterLocked(key, delay);
}

std::chrono::milliseconds WorkQueue::AddRateLimited(const std::string& key) {
  std::lock_guard lock(mu_);
  const int exp = failures_[key]++;
  // base * 2^exp, computed so that large counts saturate at the cap instead of overflowing.
  std::chrono::milliseconds delay = options_.max_delay;
  if (exp < 62) {
    const int64_t base = options_.base_delay.count();
    const int64_t factor = int64_t{1} << exp;
    if (base == 0 || base <= options_.max_delay.count() / factor) {
      delay = std::chrono::milliseconds(base * factor);
    }
  }
  if (delay > options_.max_delay) delay = options_.max_delay;
  AddAfterLocked(key, delay);
  return delay;
}

void WorkQueue::Forget(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

int WorkQueue::NumRequeues(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

std::optional<std::string> WorkQueue::Get() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return shutting_down_ || !queue_.empty(); });
  if (shutting_down_) return std::nullopt;
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  return key;
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard lock(mu_);
  processing_.erase(key);
  if (dirty_.count(key) && !shutting_down_) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::ShutDown() {
  {
    std::lock_guard lock(mu_);
    shutting_down_ = true;
  }
  cv_.notify_all();
  timer_cv_.notify_all();
}

size_t WorkQueue::Len() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void WorkQueue::TimerLoop() {
  std::unique_lock lock(mu_);
  while (!shutting_down_) {
    if (delayed_.empty()) {
      timer_cv_.wait(lock);
      continue;
    }
    auto first = delayed_.begin();
    if (first->first > Clock::now()) {
      // A copy: wait_until reads its deadline again after waking, and by then another thread
      // may have erased the entry it came from.
      const Clock::time_point due = first->first;
      timer_cv_.wait_until(lock, due);
      continue;
    }
    std::string key = std::move(first->second);
    waiting_.erase(key);
    delayed_.erase(first);
    AddLocked(key);
  }
}

}  // namespace skiff
