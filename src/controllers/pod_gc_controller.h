// kube-controller-manager's pod garbage collector (PodGC). Every gc_period, over the pods and
// nodes in the informer caches, in this order:
//   1. Terminated pods (phase Succeeded or Failed) beyond terminated_pod_threshold (when > 0)
//      are deleted, evicted ones first (Failed with reason Evicted), then oldest
//      creationTimestamp first, then by name.
//   2. Terminating pods (deletionTimestamp set) on a node that is not Ready and carries the
//      node.kubernetes.io/out-of-service taint are deleted.
//   3. Orphaned pods, bound to a node that does not exist: such a node is quarantined for
//      `quarantine` (the informer may just not have seen it yet), then read from the API; when
//      it is really gone (NotFound) its pods get the condition DisruptionTarget True, reason
//      DeletionByPodGC, message "PodGC: node no longer exists" and are deleted. A node still
//      missing afterwards is quarantined afresh.
//   4. Terminating pods that were never scheduled (no spec.nodeName) are deleted.
// Each deletion first sets a pod that is not terminal to phase Failed (with the condition, for
// orphans) through the status subresource, then deletes it with grace period 0 (a force
// delete). Pods already gone are not an error. PodGC records no events.
//
// Errors: Gc returns the first failure after trying every pod (the loop retries with backoff);
// before the informers have synced it is kUnavailable.
//
// Thread-safe; passes are serialized. `client` and `informers` must outlive the controller; the
// caller starts the informer factory, then calls Start(). Stop() (also the destructor) joins
// the worker.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "controllers/controller_loop.h"
#include "controllers/node_util.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

struct PodGcControllerOptions {
  // --terminated-pod-gc-threshold; <= 0 turns the terminated-pod pass off.
  int terminated_pod_threshold = 12500;
  std::chrono::milliseconds gc_period{std::chrono::seconds(20)};   // gcCheckPeriod
  std::chrono::milliseconds quarantine{std::chrono::seconds(40)};  // quarantineTime
  // The controller's clock (system_clock::now when empty); tests inject one.
  NowFn clock;
  std::chrono::milliseconds base_backoff{5};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(1000)};
};

class PodGcController {
 public:
  PodGcController(client::Client& client, client::SharedInformerFactory& informers,
                  PodGcControllerOptions options = {});
  ~PodGcController();
  PodGcController(const PodGcController&) = delete;
  PodGcController& operator=(const PodGcController&) = delete;

  // Starts the worker: a pass now, then one every gc_period.
  void Start();
  void Stop();

  // One garbage collection pass.
  Status Gc();

  uint64_t syncs() const { return loop_.syncs(); }

 private:
  using Time = std::chrono::system_clock::time_point;

  Status GcTerminated(const std::vector<client::ObjectPtr>& pods, Time now);
  Status GcTerminating(const std::vector<client::ObjectPtr>& pods, Time now);
  Status GcOrphaned(const std::vector<client::ObjectPtr>& pods, Time now);
  Status GcUnscheduledTerminating(const std::vector<client::ObjectPtr>& pods, Time now);
  // markFailedAndDeletePodWithCondition; `condition` null for none.
  Status MarkFailedAndDelete(const json& pod, const json& condition, Time now);

  client::Client& client_;
  client::Informer& node_informer_;
  client::Informer& pod_informer_;
  const PodGcControllerOptions options_;

  std::mutex pass_mu_;  // serializes passes; guards quarantined_
  // Node names missing from the cache -> when their quarantine ends.
  std::map<std::string, Time> quarantined_;

  ControllerLoop loop_;
};

}  // namespace skiff::controllers
