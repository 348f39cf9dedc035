// The controllers `skiff server` runs in-process: kube-controller-manager's set for the object
// model skiff serves (ReplicaSet, Deployment, StatefulSet, DaemonSet, Job, TTL-after-finished,
// CronJob, the garbage collector, node lifecycle, taint-based eviction, pod GC, Endpoints,
// EndpointSlices and their mirroring, PVC and PV protection, the ephemeral volume controller,
// the PersistentVolume binder with skiff's local-path provisioner and volume expansion) and
// k3s's ServiceLB (LoadBalancer services exposed on the nodes' addresses). They share the
// server's client and informer factory; the garbage collector follows every resource with its
// own metadata-only informers.
//
// Worker counts are those of a small box (1-2 per controller), not kube-controller-manager's
// defaults for large clusters. Construct before the informer factory starts; Start() after
// it; Stop() before the factory stops (the destructor also stops).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "skiff/client/client.h"
#include "skiff/client/informer.h"

namespace skiff::server {

struct ControllerManagerOptions {
  std::chrono::seconds node_monitor_grace_period{50};
  // Where the local-path provisioner puts volumes on their node (<data-dir>/storage).
  std::string local_path_root = "/var/lib/skiff/storage";
};

class ControllerManager {
 public:
  ControllerManager(client::Client& client, client::SharedInformerFactory& informers,
                    const ControllerManagerOptions& options);
  ~ControllerManager();
  ControllerManager(const ControllerManager&) = delete;
  ControllerManager& operator=(const ControllerManager&) = delete;

  void Start();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::server
