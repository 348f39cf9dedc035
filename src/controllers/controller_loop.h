// The loop every workload controller runs, in kube-controller-manager's shape: informer
// handlers only enqueue a key ("namespace/name"); `workers` threads take keys from a WorkQueue
// and call `sync(key)`, which reads the informers' caches, compares desired with actual, acts
// and writes status. A sync that fails is retried with the queue's per-key exponential
// backoff (5 ms doubling, capped at `max_backoff`); one that succeeds forgets the key's
// failures. The queue never hands one key to two workers at once, and a key enqueued many
// times while waiting is synced once.
//
// sync must be idempotent and level-triggered: it is told only that something about the key
// may have changed. A sync that wants to look again later (a minReadySeconds to wait out, a
// deadline) calls EnqueueAfter. Failures are logged (component, key, error) at most once per
// key per backoff step.
//
// Thread-safe. Start once; Stop (also the destructor) wakes and joins the workers, after which
// Enqueue is a no-op.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "skiff/common/status.h"
#include "skiff/common/work_queue.h"

namespace skiff::controllers {

struct ControllerLoopOptions {
  std::string name;  // the component, as logged: "replicaset-controller"
  int workers = 2;
  std::chrono::milliseconds base_backoff{5};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(1000)};
};

class ControllerLoop {
 public:
  using SyncFn = std::function<Status(const std::string& key)>;

  ControllerLoop(ControllerLoopOptions options, SyncFn sync);
  ~ControllerLoop();
  ControllerLoop(const ControllerLoop&) = delete;
  ControllerLoop& operator=(const ControllerLoop&) = delete;

  void Enqueue(const std::string& key);
  void EnqueueAfter(const std::string& key, std::chrono::milliseconds delay);

  void Start();
  void Stop();

  // Syncs that have finished (ok or not) since Start; for tests that wait for quiet.
  uint64_t syncs() const;

 private:
  void Work();

  const ControllerLoopOptions options_;
  const SyncFn sync_;
  WorkQueue queue_;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> syncs_{0};
  bool started_ = false;
};

}  // namespace skiff::controllers
