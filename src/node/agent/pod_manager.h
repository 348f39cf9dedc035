// Keeps every pod bound to this node in the hands of a pod worker. It follows the pods whose
// spec.nodeName is this node (a Subscription, plus a periodic full resync), and hands each pod
// that changed -- or that needs a look again (backoff expiry, a container exit reported by a
// shim, a resync) -- to a pool of workers through a WorkQueue, so one pod is never handled by
// two workers at once and the newest version of the pod is always the one acted on. Pods that
// exist on disk but no longer in the API (deleted while skiff was down) are torn down.
#pragma once

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
  PodManager(client::Client& client, PodWorker& worker, std::string node_name,
             std::string pods_dir, int workers);
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
  void Work();

  client::Client& client_;
  PodWorker& worker_;
  const std::string node_name_;
  const std::string pods_dir_;
  const int workers_;
  WorkQueue queue_;
  mutable std::mutex mu_;  // guards pods_, versions_
  std::map<std::string, nlohmann::json> pods_;  // uid -> the pod as last listed
  std::map<std::string, std::string> versions_;  // uid -> resourceVersion last queued
  std::unique_ptr<client::Subscription> subscription_;
  std::vector<std::thread> threads_;
};

}  // namespace skiff::node
