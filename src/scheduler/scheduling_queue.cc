#include "scheduler/scheduling_queue.h"

#include "scheduler/json_access.h"

#include <algorithm>

namespace skiff::scheduler {
namespace {

using nlohmann::json;

const json& Member(const json& obj, const char* key) { return internal::At(obj, key); }

const std::string& Uid(const json& pod) {
  static const std::string kEmpty;
  const json& uid = Member(Member(pod, "metadata"), "uid");
  return uid.is_string() ? uid.get_ref<const std::string&>() : kEmpty;
}

int64_t Priority(const json& pod) {
  const json& p = Member(Member(pod, "spec"), "priority");
  return p.is_number_integer() ? p.get<int64_t>() : 0;
}

// More than the status (or the resourceVersion) changed: what could make a pod fit.
bool Significant(const json& old_pod, const json& new_pod) {
  if (Member(old_pod, "spec") != Member(new_pod, "spec")) return true;
  const json& om = Member(old_pod, "metadata");
  const json& nm = Member(new_pod, "metadata");
  for (const char* key : {"labels", "annotations", "deletionTimestamp"}) {
    if (Member(om, key) != Member(nm, key)) return true;
  }
  return false;
}

}  // namespace

SchedulingQueue::SchedulingQueue(QueueOptions options) : options_(options) {}

void SchedulingQueue::ActivateLocked(const std::string& uid, Entry entry) {
  entry.priority = Priority(*entry.pod);
  entry.seq = ++seq_;
  const ActiveKey key{-entry.priority, entry.seq};
  active_order_.emplace(key, uid);
  active_.insert_or_assign(uid, std::make_pair(key, std::move(entry)));
  cv_.notify_one();
}

void SchedulingQueue::AddOrUpdate(client::ObjectPtr pod) {
  if (!pod) return;
  const std::string uid = Uid(*pod);
  std::lock_guard lock(mu_);
  if (closed_) return;
  if (auto it = in_flight_.find(uid); it != in_flight_.end()) {
    InFlight& f = it->second;
    f.changed = f.changed || Significant(*f.latest, *pod);
    f.latest = std::move(pod);
    return;
  }
  if (auto it = active_.find(uid); it != active_.end()) {
    Entry& e = it->second.second;
    if (Priority(*pod) == e.priority) {
      e.pod = std::move(pod);
      return;
    }
    Entry moved = std::move(e);
    moved.pod = std::move(pod);
    active_order_.erase(it->second.first);
    active_.erase(it);
    ActivateLocked(uid, std::move(moved));
    return;
  }
  if (auto it = backoff_.find(uid); it != backoff_.end()) {
    it->second.second.pod = std::move(pod);  // it returns when its backoff ends
    return;
  }
  if (auto it = unschedulable_.find(uid); it != unschedulable_.end()) {
    Entry e = std::move(it->second.second);
    const bool significant = Significant(*e.pod, *pod);
    e.pod = std::move(pod);
    if (!significant) {
      it->second.second = std::move(e);
      return;
    }
    unschedulable_.erase(it);
    ActivateLocked(uid, std::move(e));
    return;
  }
  Entry e;
  e.pod = std::move(pod);
  e.first_queued = Clock::now();
  ActivateLocked(uid, std::move(e));
}

void SchedulingQueue::Delete(const std::string& uid) {
  std::lock_guard lock(mu_);
  if (auto it = active_.find(uid); it != active_.end()) {
    active_order_.erase(it->second.first);
    active_.erase(it);
  }
  backoff_.erase(uid);
  unschedulable_.erase(uid);
  if (auto it = in_flight_.find(uid); it != in_flight_.end()) it->second.deleted = true;
}

void SchedulingQueue::FlushLocked(Clock::time_point now) {
  for (auto it = backoff_.begin(); it != backoff_.end();) {
    if (it->second.first <= now) {
      std::string uid = it->first;
      Entry e = std::move(it->second.second);
      it = backoff_.erase(it);
      ActivateLocked(uid, std::move(e));
    } else {
      ++it;
    }
  }
  for (auto it = unschedulable_.begin(); it != unschedulable_.end();) {
    if (now - it->second.first >= options_.unschedulable_timeout) {
      std::string uid = it->first;
      Entry e = std::move(it->second.second);
      it = unschedulable_.erase(it);
      ActivateLocked(uid, std::move(e));
    } else {
      ++it;
    }
  }
}

std::optional<QueuedPod> SchedulingQueue::Pop() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (closed_) return std::nullopt;
    const auto now = Clock::now();
    FlushLocked(now);
    if (!active_order_.empty()) {
      auto first = active_order_.begin();
      const std::string uid = first->second;
      active_order_.erase(first);
      auto it = active_.find(uid);
      Entry e = std::move(it->second.second);
      active_.erase(it);
      QueuedPod q{e.pod, e.attempts + 1, ++cycle_, e.first_queued};
      in_flight_[uid] = InFlight{q.pod};  // what changes are compared with
      return q;
    }
    // Sleep until the next backoff or unschedulable timeout ends, or a pod arrives.
    auto wake = now + options_.unschedulable_timeout;
    for (const auto& [uid, b] : backoff_) wake = std::min(wake, b.first);
    for (const auto& [uid, u] : unschedulable_) {
      wake = std::min(wake, u.first + options_.unschedulable_timeout);
    }
    cv_.wait_until(lock, wake);
  }
}

bool SchedulingQueue::ReturnLocked(const std::string& uid, const QueuedPod& q, InFlight* f,
                                   Entry* e) {
  if (auto it = in_flight_.find(uid); it != in_flight_.end()) {
    *f = std::move(it->second);
    in_flight_.erase(it);
  }
  if (closed_ || f->deleted) return false;
  e->pod = f->latest ? f->latest : q.pod;
  e->attempts = q.attempts;
  e->first_queued = q.first_queued;
  return true;
}

void SchedulingQueue::AddUnschedulable(QueuedPod q) {
  const std::string uid = Uid(*q.pod);
  std::lock_guard lock(mu_);
  InFlight f;
  Entry e;
  if (!ReturnLocked(uid, q, &f, &e)) return;
  // The pod or the cluster changed while it was being tried: try again at once.
  if (f.changed || move_cycle_ >= q.cycle) {
    ActivateLocked(uid, std::move(e));
    return;
  }
  unschedulable_.insert_or_assign(uid, std::make_pair(Clock::now(), std::move(e)));
}

void SchedulingQueue::AddBackoff(QueuedPod q) {
  const std::string uid = Uid(*q.pod);
  std::lock_guard lock(mu_);
  InFlight f;
  Entry e;
  if (!ReturnLocked(uid, q, &f, &e)) return;
  auto delay = options_.initial_backoff;
  for (int i = 1; i < q.attempts && delay < options_.max_backoff; ++i) delay *= 2;
  delay = std::min(delay, options_.max_backoff);
  backoff_.insert_or_assign(uid, std::make_pair(Clock::now() + delay, std::move(e)));
  cv_.notify_one();  // Pop recomputes its wake-up time
}

void SchedulingQueue::Done(const std::string& uid) {
  std::lock_guard lock(mu_);
  in_flight_.erase(uid);
}

void SchedulingQueue::MoveAllToActive() {
  std::lock_guard lock(mu_);
  move_cycle_ = cycle_;
  for (auto& [uid, u] : unschedulable_) ActivateLocked(uid, std::move(u.second));
  unschedulable_.clear();
}

void SchedulingQueue::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  cv_.notify_all();
}

size_t SchedulingQueue::ActiveCount() const {
  std::lock_guard lock(mu_);
  return active_.size();
}
size_t SchedulingQueue::UnschedulableCount() const {
  std::lock_guard lock(mu_);
  return unschedulable_.size();
}
size_t SchedulingQueue::BackoffCount() const {
  std::lock_guard lock(mu_);
  return backoff_.size();
}

}  // namespace skiff::scheduler
