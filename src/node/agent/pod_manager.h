// Keeps every pod bound to this node in the hands of a pod worker. It follows the pods whose
// spec.nodeName is this node (a Subscription, plus a periodic full resync), and hands each pod
// that changed -- or that needs a look again (backoff expiry, a container exit reported by a
// shim, a resync) -- to a pool of workers through a WorkQueue, so one pod is never handled by
// two workers at once and the newest version of the pod is always the one acted on. Pods that
// exist on disk but no longer in the API (deleted while skiff was down) are torn down.
//
// Stopping a pod's containers can block for a long time (up to their grace period, 30 s by
// default, for a process that ignores SIGTERM). So a pass over a pod being deleted (or gone
// from the API) is handed from the pool to a stopper thread of its own, started as needed (up
// to max_stoppers; past that the worker does it itself) and leaving after a while without
// work: pods being stopped never hold up a new pod's start, while starts, which are CPU-bound,
// stay limited to the pool's `workers` at once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pod_worker.h"
#include "skiff/client/client.h"
#include "skiff/common/work_queue.h"

namespace skiff::node {

class PodManager {
 public:
  PodManager(client::Client& client, PodWorker& worker, std::string node_name, std::string pods_dir,
             int workers, int max_stoppers);
  ~PodManager();
  PodManager(const PodManager&) = delete;
  PodManager& operator=(const PodManager&) = delete;

  Status Start();
  void Stop();
  // Asks for another pass over the pod (e.g. a shim said one of its containers exited).
  void Poke(const std::string& uid) { queue_.Add(uid); }
  // The latest version of a pod this node runs, by namespace and name.
  std::optional<nlohmann::json> FindPod(const std::string& ns, const std::string& name) const;
  // The latest version of every pod this node runs.
  std::vector<nlohmann::json> Pods() const;

 private:
  // Lists this node's pods and queues the changed ones; with scan_disk (the periodic resync,
  // and the first one) also the pods left on disk that the API no longer has.
  void Refresh(bool scan_disk);
  // A pool worker's loop.
  void Work();
  // A stopper's loop: passes handed over by Offload, until kIdleExit without one.
  void StopperLoop();
  // True when the key's pass stops a pod (being deleted, or gone from the API).
  bool Stops(const std::string& key) const;
  // Hands the key's pass to an idle stopper, or a new one; false when max_stoppers_ are busy.
  bool Offload(const std::string& key);
  // One key from the queue: a pod's pass, or a (re)listing; then Done.
  void Handle(const std::string& key);

  client::Client& client_;
  PodWorker& worker_;
  const std::string node_name_;
  const std::string pods_dir_;
  const int workers_;
  const int max_stoppers_;
  WorkQueue queue_;
  mutable std::mutex mu_;  // guards pods_, versions_
  std::map<std::string, nlohmann::json> pods_;  // uid -> the pod as last listed
  std::map<std::string, std::string> versions_;  // uid -> resourceVersion last queued
  std::unique_ptr<client::Subscription> subscription_;
  std::vector<std::thread> workers_threads_;

  struct Stopper {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished;
  };
  std::mutex stop_mu_;  // guards everything below
  std::condition_variable stop_cv_;
  std::vector<Stopper> stoppers_;
  std::deque<std::string> handed_;  // keys handed to the stoppers, not taken yet
  int idle_stoppers_ = 0;
  int live_stoppers_ = 0;
  bool stopping_ = false;
};

}  // namespace skiff::node
