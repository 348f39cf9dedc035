// Kubernetes' NoExecute taint manager (the taint-eviction-controller): deletes the pods bound
// to a node with NoExecute taints they do not tolerate.
//
// Informers (from the factory): Nodes and Pods (with the spec.nodeName index). A node whose
// NoExecute taints changed (or that was added or deleted) enqueues the node (key: its name);
// a pod added, deleted, or whose nodeName or tolerations changed enqueues the pod
// ("namespace/name").
//
// For a pod bound to a node (a node key looks at each of its pods):
//   - no NoExecute taint: nothing (a scheduled eviction is cancelled);
//   - a NoExecute taint the pod does not tolerate: the pod is deleted now;
//   - every one tolerated (each by the first toleration that tolerates it,
//     GetMatchingTolerations), some with tolerationSeconds: the pod is deleted when the
//     smallest of them has passed since its taint was added, and looked at again then;
//     tolerationSeconds <= 0 means at once;
//   - every one tolerated without tolerationSeconds: the pod stays.
// A taint was added at the earlier of its timeAdded and the time this controller first saw it
// (so a taint without timeAdded counts from when it was seen). Kubernetes counts from when its
// taint manager noticed the taint, which restarts the count after a controller restart; here a
// restart keeps the node lifecycle controller's timeAdded.
// Deleting: the pod gets the condition DisruptionTarget True, reason DeletionByTaintManager,
// message "Taint manager: deleting due to NoExecute taint" (written through the status
// subresource when it changed), then a delete with the pod's own grace period. Events (source
// taint-eviction-controller): Normal TaintManagerEviction "Marking for deletion Pod <ns>/<name>"
// before deleting, and "Cancelling deletion of Pod <ns>/<name>" when a scheduled eviction is
// cancelled (taint removed, toleration changed, pod deleted or moved). Pods already being
// deleted are left alone.
//
// Errors: Sync returns the first failure; the loop retries with backoff. Before the informers
// have synced Sync is kUnavailable.
//
// Thread-safe. `client` and `informers` must outlive the controller. Handlers are registered by
// the constructor; the caller starts the informer factory, then calls Start(). Stop() (also the
// destructor) removes the handlers and joins the workers; it must not be called from a handler.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "controllers/controller_loop.h"
#include "controllers/node_util.h"
#include "events/event_recorder.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

// One worker: a node's pods and the pods themselves are judged one at a time.
struct TaintEvictionControllerOptions {
  // The controller's clock (system_clock::now when empty); tests inject one.
  NowFn clock;
  std::chrono::milliseconds base_backoff{5};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(1000)};
};

class TaintEvictionController {
 public:
  TaintEvictionController(client::Client& client, client::SharedInformerFactory& informers,
                          TaintEvictionControllerOptions options = {});
  ~TaintEvictionController();
  TaintEvictionController(const TaintEvictionController&) = delete;
  TaintEvictionController& operator=(const TaintEvictionController&) = delete;

  void Start();
  void Stop();

  // One pass over a node (its name: every pod bound to it) or a pod ("namespace/name").
  Status Sync(const std::string& key);

  // When the pod's eviction is scheduled, if it is (for tests and diagnostics).
  std::optional<std::chrono::system_clock::time_point> ScheduledEviction(
      const std::string& pod_key) const;

  uint64_t syncs() const { return loop_.syncs(); }

 private:
  using Time = std::chrono::system_clock::time_point;

  Status SyncNode(const std::string& name, Time now);
  // Decides about one pod (pod == nullptr: gone) on `node` (nullptr: no such node).
  Status ProcessPod(const std::string& key, const client::ObjectPtr& pod,
                    const client::ObjectPtr& node, Time now);
  // When a NoExecute taint of the node counts as added.
  Time TaintAddedAt(const std::string& node, const json& taint, Time now);
  void ForgetNodeTaints(const std::string& node, const std::vector<json>& current);
  Status EvictNow(const std::string& key, const json& pod, Time now);
  void Cancel(const std::string& key, const json* pod);

  client::Client& client_;
  client::Informer& node_informer_;
  client::Informer& pod_informer_;
  const TaintEvictionControllerOptions options_;
  events::EventRecorder recorder_;

  mutable std::mutex state_mu_;            // guards scheduled_ and first_seen_
  std::map<std::string, Time> scheduled_;  // pod key -> when it is to be deleted
  // node -> taint ("key=value:effect") -> when this controller first saw it.
  std::map<std::string, std::map<std::string, Time>> first_seen_;

  ControllerLoop loop_;
  std::mutex mu_;  // guards stopped_
  bool stopped_ = false;
  client::HandlerId node_handler_ = 0;
  client::HandlerId pod_handler_ = 0;
};

}  // namespace skiff::controllers
