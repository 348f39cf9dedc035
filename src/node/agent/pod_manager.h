// Keeps every pod bound to this node in the hands of a pod worker. It follows the pods whose
// spec.nodeName is this node (a Subscription, plus a periodic full resync), and hands each pod
// that changed -- or that needs a look again (backoff expiry, a container exit reported by a
// shim, a resync) -- to a pool of workers through a WorkQueue, so one pod is never handled by
// two workers at once and the newest version of the pod is always the one acted on. Pods that
// exist on disk but no longer in the API (deleted while skiff was down) are torn down.
//
// A pass can block for a long time (stopping a container waits up to its grace period, 30 s by
// default), so the pool grows: whenever every worker is busy another one starts, up to
// max_workers, and a worker beyond the first `workers` leaves after a while without work. Pods
// being stopped thus never hold up a new pod's start (kubelet gives every pod its own worker).
#pragma once

#include <atomic>
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
             int workers, int max_workers);
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
  // Workers running now (idle or busy).
  int Workers() const;

 private:
  // Lists this node's pods and queues the changed ones; with scan_disk (the periodic resync,
  // and the first one) also the pods left on disk that the API no longer has.
  void Refresh(bool scan_disk);
  // A worker's loop; an extra worker (beyond the first `workers_`) returns after kIdleExit
  // without work.
  void Work(bool extra);
  // One key from the queue: a pod's pass, or a (re)listing.
  void Handle(const std::string& key);
  // Starts another worker when every one is busy and the pool is below max_workers_.
  void GrowIfAllBusy();

  client::Client& client_;
  PodWorker& worker_;
  const std::string node_name_;
  const std::string pods_dir_;
  const int workers_;
  const int max_workers_;
  WorkQueue queue_;
  mutable std::mutex mu_;  // guards pods_, versions_
  std::map<std::string, nlohmann::json> pods_;  // uid -> the pod as last listed
  std::map<std::string, std::string> versions_;  // uid -> resourceVersion last queued
  std::unique_ptr<client::Subscription> subscription_;

  struct Thread {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished;
  };
  mutable std::mutex pool_mu_;  // guards threads_, live_, busy_, stopping_
  std::vector<Thread> threads_;
  int live_ = 0;  // workers in their loop
  int busy_ = 0;  // of them, handling a key
  bool stopping_ = false;
};

}  // namespace skiff::node
