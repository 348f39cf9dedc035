#include "skiff/common/work_queue.h"

namespace skiff {

WorkQueue::WorkQueue() { timer_ = std::thread([this] { TimerLoop(); }); }

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

void WorkQueue::AddAfter(const std::string& key, std::chrono::milliseconds delay) {
  if (delay.count() <= 0) return Add(key);
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  delayed_.emplace(std::chrono::steady_clock::now() + delay, key);
  timer_cv_.notify_one();
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
    if (first->first > std::chrono::steady_clock::now()) {
      timer_cv_.wait_until(lock, first->first);
      continue;
    }
    std::string key = first->second;
    delayed_.erase(first);
    AddLocked(key);
  }
}

}  // namespace skiff
