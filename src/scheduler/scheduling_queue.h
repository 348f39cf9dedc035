// The pods waiting for a node: kube-scheduler's PriorityQueue, in three parts.
//   - active: ready to be tried, higher spec.priority first, then in the order queued;
//   - backoff: a failed attempt that may succeed on its own (a bind error), back in active
//     after a per-pod delay (1 s doubling to 10 s by default, as kube-scheduler);
//   - unschedulable: no node fits; back in active when the cluster changes (MoveAllToActive:
//     a node added or changed, a pod deleted or finished) or after `unschedulable_timeout`
//     (kube-scheduler's 5 minutes).
// Pods are keyed by uid. An update that changes more than the status (spec, labels,
// annotations, deletion) brings an unschedulable pod back to active; our own status writes do
// not. A change that happens while a pod is being tried (popped, not yet returned) is not
// lost: the pod goes back to active instead of unschedulable.
// Thread-safe; Pop blocks until a pod is active or Close().
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "skiff/client/informer.h"

namespace skiff::scheduler {

struct QueueOptions {
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{10000};
  std::chrono::milliseconds unschedulable_timeout{std::chrono::minutes(5)};
};

// A pod handed out by Pop.
struct QueuedPod {
  client::ObjectPtr pod;
  int attempts = 0;                                    // tries so far, this one included
  uint64_t cycle = 0;                                  // the queue's cycle when popped
  std::chrono::steady_clock::time_point first_queued;  // when it was first added
};

class SchedulingQueue {
 public:
  explicit SchedulingQueue(QueueOptions options = {});

  // A pending pod, new or changed.
  void AddOrUpdate(client::ObjectPtr pod);
  // Forgets the pod (deleted, bound, or no longer ours).
  void Delete(const std::string& uid);
  // The next active pod; nullopt once closed.
  std::optional<QueuedPod> Pop();
  // After a failed attempt: no node fits.
  void AddUnschedulable(QueuedPod pod);
  // After a failed attempt that may succeed later by itself.
  void AddBackoff(QueuedPod pod);
  // The attempt ended another way (bound, or the pod is gone): forget its bookkeeping.
  void Done(const std::string& uid);
  // The cluster changed in a way that may let unschedulable pods fit.
  void MoveAllToActive();
  void Close();

  size_t ActiveCount() const;
  size_t UnschedulableCount() const;
  size_t BackoffCount() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    client::ObjectPtr pod;
    int attempts = 0;
    Clock::time_point first_queued;
    int64_t priority = 0;
    uint64_t seq = 0;  // order of entering active
  };
  // Ordering of active: (-priority, seq).
  using ActiveKey = std::pair<int64_t, uint64_t>;

  void ActivateLocked(const std::string& uid, Entry entry);
  void FlushLocked(Clock::time_point now);

  const QueueOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  uint64_t seq_ = 0;
  uint64_t cycle_ = 0;       // bumped by every Pop
  uint64_t move_cycle_ = 0;  // the cycle of the last MoveAllToActive
  std::map<ActiveKey, std::string> active_order_;
  std::unordered_map<std::string, std::pair<ActiveKey, Entry>> active_;
  std::unordered_map<std::string, std::pair<Clock::time_point, Entry>> backoff_;
  std::unordered_map<std::string, std::pair<Clock::time_point, Entry>> unschedulable_;
  // Popped and not yet returned: uid -> the latest object (the popped one until an update
  // comes) and whether it changed significantly since the pop.
  struct InFlight {
    client::ObjectPtr latest;
    bool changed = false;
    bool deleted = false;
  };
  std::unordered_map<std::string, InFlight> in_flight_;

  // Ends the in-flight bookkeeping of a returned pod: *f gets what happened meanwhile, *e the
  // entry to queue. False when it must not be queued again (deleted, or the queue closed).
  bool ReturnLocked(const std::string& uid, const QueuedPod& q, InFlight* f, Entry* e);
};

}  // namespace skiff::scheduler
