#include "watch_hub.h"

namespace skiff::store {

bool HubWatcher::TakeLocked(std::vector<EventPtr>* out) {
  out->insert(out->end(), std::make_move_iterator(queue_.begin()),
              std::make_move_iterator(queue_.end()));
  bool had = !queue_.empty();
  queue_.clear();
  return had || reason_ == WatchCloseReason::kOpen;
}

bool HubWatcher::Poll(std::vector<EventPtr>* out) {
  std::lock_guard lock(mu_);
  return TakeLocked(out);
}

bool HubWatcher::Wait(std::vector<EventPtr>* out, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout,
               [&] { return !queue_.empty() || reason_ != WatchCloseReason::kOpen; });
  return TakeLocked(out);
}

WatchCloseReason HubWatcher::close_reason() const {
  std::lock_guard lock(mu_);
  return reason_;
}

bool HubWatcher::closed() const { return close_reason() != WatchCloseReason::kOpen; }

void HubWatcher::CloseWith(WatchCloseReason reason) {
  bool notify;
  {
    std::lock_guard lock(mu_);
    if (reason_ != WatchCloseReason::kOpen) return;
    reason_ = reason;
    // Whatever the reason, the consumer must relist or stop: free the backlog now.
    queue_.clear();
    notify = started_;
  }
  cv_.notify_all();
  if (notify) Notify();
}

bool HubWatcher::Push(const std::vector<const EventPtr*>& events) {
  bool overflow = false;
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (reason_ != WatchCloseReason::kOpen) return false;
    if (queue_.size() + events.size() > max_pending_) {
      overflow = true;
    } else {
      for (const EventPtr* e : events) queue_.push_back(*e);
      wake = started_;
    }
  }
  if (overflow) {
    CloseWith(WatchCloseReason::kFellBehind);
    return false;
  }
  if (wake) cv_.notify_all();
  return wake;
}

void HubWatcher::FinishStart(std::vector<EventPtr> replay) {
  bool overflow = false;
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    started_ = true;
    if (reason_ != WatchCloseReason::kOpen) {
      wake = true;
    } else if (replay.size() + queue_.size() > max_pending_) {
      overflow = true;
    } else {
      queue_.insert(queue_.begin(), std::make_move_iterator(replay.begin()),
                    std::make_move_iterator(replay.end()));
      wake = !queue_.empty();
    }
  }
  if (overflow) {
    CloseWith(WatchCloseReason::kFellBehind);
    return;
  }
  if (wake) {
    cv_.notify_all();
    Notify();
  }
}

Revision WatchHub::Register(const std::shared_ptr<HubWatcher>& w, std::optional<Revision> after) {
  std::lock_guard lock(mu_);
  w->after_ = after.value_or(published_);
  if (closed_) {
    w->CloseWith(WatchCloseReason::kStoreClosed);
  } else {
    watchers_.push_back(w);
  }
  return published_;
}

void WatchHub::Publish(const std::vector<EventPtr>& events) {
  if (events.empty()) return;
  std::vector<const EventPtr*> matching;
  std::lock_guard lock(mu_);
  published_ = events.back()->revision();
  size_t keep = 0;
  for (size_t i = 0; i < watchers_.size(); ++i) {
    HubWatcher& w = *watchers_[i];
    if (w.closed()) continue;  // dropped from the list below
    matching.clear();
    for (const EventPtr& e : events) {
      if (w.Matches(*e)) matching.push_back(&e);
    }
    if (!matching.empty() && w.Push(matching)) w.Notify();
    if (w.closed()) continue;
    if (keep != i) watchers_[keep] = std::move(watchers_[i]);
    ++keep;
  }
  watchers_.resize(keep);
}

void WatchHub::CloseAll() {
  std::vector<std::shared_ptr<HubWatcher>> all;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    all.swap(watchers_);
  }
  for (auto& w : all) w->CloseWith(WatchCloseReason::kStoreClosed);
}

Revision WatchHub::published() const {
  std::lock_guard lock(mu_);
  return published_;
}

}  // namespace skiff::store
