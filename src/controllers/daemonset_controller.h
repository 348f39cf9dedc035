// kube-controller-manager's DaemonSet controller: one pod of spec.template on every node that
// should run it, kept up to date by the DaemonSet's update strategy, and reported in its status.
//
// Which nodes (daemonset_nodes.h): the node matches the template's nodeSelector and required
// node affinity (and spec.nodeName, if the template sets one), and the template's tolerations
// plus the daemon tolerations (not-ready and unreachable NoExecute; disk-, memory-, pid-pressure
// and unschedulable NoSchedule; network-unavailable NoSchedule for hostNetwork pods) tolerate
// its NoSchedule and NoExecute taints. Pods are created with those tolerations and the required
// node affinity `matchFields metadata.name In [<node>]`, not with spec.nodeName: the scheduler
// binds them. Pods carry controller-revision-hash=<hash of the current ControllerRevision>.
//
// Informers (from the factory): DaemonSets, ControllerRevisions, Pods, Nodes. Notifications:
//   - a DaemonSet added, changed or deleted enqueues it (a delete forgets its expectations);
//   - a pod or ControllerRevision enqueues the DaemonSet its controller reference names (an
//     orphan: every DaemonSet of its namespace whose selector matches it, when its labels or
//     reference changed); pod adds and deletes count off expectations (creations per DaemonSet,
//     deletions per pod key); a pod that became ready is looked at again after
//     minReadySeconds + 1 s;
//   - a node added enqueues the DaemonSets that should run on it; a node changed (beyond its
//     resourceVersion and condition heartbeats) enqueues those whose verdict for it changed; a
//     node deleted enqueues every DaemonSet (skiff's addition: the unbound pods meant for it
//     are removed at once rather than at the DaemonSet's next sync).
//
// Sync(key), level-triggered (daemon_controller.go syncDaemonSet):
//   - DaemonSet gone: its expectations are forgotten. Selector {} (selects everything): Warning
//     SelectingAll "This daemon set is selecting all pods. A non-empty selector is required.",
//     nothing else. Being deleted: nothing (the garbage collector removes its pods).
//   - Its ControllerRevisions are claimed and the current one found or made
//     (daemonset_history.h).
//   - Expectations not yet satisfied: only the status counts are written (observedGeneration
//     unchanged).
//   - Otherwise the pods are claimed (adopt matching orphans, release what stopped matching) and
//     grouped by the node they are for; per node (PlanNode): a missing pod is created; failed
//     pods are deleted (Warning FailedDaemonPod "Found failed daemon pod <ns>/<pod> on node
//     <node>, will try to kill it"), at most once per backoff window (1 s doubling to 15 min
//     per node); succeeded pods are deleted (Normal SucceededDaemonPod "Found succeeded daemon
//     pod <ns>/<pod> on node <node>, will try to delete it"); extra pods are deleted keeping the
//     oldest; pods on nodes that no longer qualify are deleted (those merely NoSchedule-tainted
//     stay); unbound pods meant for nodes that no longer exist are deleted. Creations run in
//     slow-start batches (1, 2, 4 ...; stopping at the first failing batch), at most
//     burst_replicas creations and deletions per pass. Events: Normal SuccessfulCreate
//     "Created pod: <name>", Warning FailedCreate "Error creating: <error>", Normal
//     SuccessfulDelete "Deleted pod: <name>", Warning FailedDelete "Error deleting: <error>".
//   - If that left nothing outstanding: RollingUpdate replaces old pods (daemonset_update.h);
//     OnDelete replaces a pod only when it is deleted. Old revisions beyond
//     revisionHistoryLimit are deleted.
//   - Status (daemonset_status.h) through the status subresource, when it changed, with
//     observedGeneration = metadata.generation; with minReadySeconds and ready pods not yet
//     available, the key is looked at again after minReadySeconds.
//
// Errors: Sync returns the first failure (revisions, creating, deleting, rolling update, status);
// the loop retries the key with backoff. Before the informers have synced Sync is kUnavailable.
//
// Thread-safe. `client` and `informers` must outlive the controller. Handlers are registered by
// the constructor; the caller starts the informer factory, then calls Start(). Stop() (also the
// destructor) removes the handlers and joins the workers; it must not be called from a handler.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "controllers/controller_loop.h"
#include "controllers/expectations.h"
#include "events/event_recorder.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

namespace daemonset {
class FailedPodBackoff;
struct Env;
}  // namespace daemonset

struct DaemonSetControllerOptions {
  int workers = 2;           // --concurrent-daemonset-syncs
  int burst_replicas = 250;  // BurstReplicas: creations or deletions per pass at most
  // ExpectationsTimeout: a pass acts again after this even if the informer never showed what
  // the last one did.
  std::chrono::milliseconds expectations_timeout{std::chrono::minutes(5)};
  // The work queue's per-key failure backoff (client-go's 5 ms doubling up to 1000 s).
  std::chrono::milliseconds base_backoff{5};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(1000)};
  // How soon a node's failed daemon pod is replaced again (kube-controller-manager: 1 s doubling
  // up to 15 min).
  std::chrono::milliseconds failed_pod_backoff{std::chrono::seconds(1)};
  std::chrono::milliseconds max_failed_pod_backoff{std::chrono::minutes(15)};
  // API calls of one batch issued at once.
  int write_parallelism = 4;
};

class DaemonSetController {
 public:
  DaemonSetController(client::Client& client, client::SharedInformerFactory& informers,
                      DaemonSetControllerOptions options = {});
  ~DaemonSetController();
  DaemonSetController(const DaemonSetController&) = delete;
  DaemonSetController& operator=(const DaemonSetController&) = delete;

  void Start();
  void Stop();

  // One pass over the DaemonSet `key` ("namespace/name").
  Status Sync(const std::string& key);

  // Syncs finished by the workers since Start (for tests that wait for quiet).
  uint64_t syncs() const { return loop_.syncs(); }

 private:
  // Informer handlers: enqueue keys and count off expectations, nothing else.
  void OnDaemonSetDelete(const client::ObjectPtr& ds);
  void OnPodAdd(const client::ObjectPtr& pod);
  void OnPodUpdate(const client::ObjectPtr& old_pod, const client::ObjectPtr& pod);
  void OnPodDelete(const client::ObjectPtr& pod);
  void OnHistoryAdd(const client::ObjectPtr& history);
  void OnHistoryUpdate(const client::ObjectPtr& old_history, const client::ObjectPtr& history);
  void OnHistoryDelete(const client::ObjectPtr& history);
  void OnNodeAdd(const client::ObjectPtr& node);
  void OnNodeUpdate(const client::ObjectPtr& old_node, const client::ObjectPtr& node);
  void OnNodeDelete(const client::ObjectPtr& node);

  // The DaemonSet a controller reference names, if cached with that uid; else null.
  client::ObjectPtr ResolveControllerRef(const std::string& ns, const nlohmann::json& ref) const;
  // The DaemonSets of obj's namespace whose (non-empty) selector matches its labels.
  std::vector<client::ObjectPtr> MatchingDaemonSets(const nlohmann::json& obj) const;
  void EnqueueAll();

  client::Client& client_;
  client::Informer& ds_informer_;
  client::Informer& history_informer_;
  client::Informer& pod_informer_;
  client::Informer& node_informer_;
  const DaemonSetControllerOptions options_;
  events::EventRecorder recorder_;
  Expectations expectations_;
  std::unique_ptr<daemonset::FailedPodBackoff> failed_backoff_;
  ControllerLoop loop_;
  std::unique_ptr<daemonset::Env> env_;
  std::mutex mu_;  // guards stopped_
  bool stopped_ = false;
  client::HandlerId ds_handler_ = 0;
  client::HandlerId history_handler_ = 0;
  client::HandlerId pod_handler_ = 0;
  client::HandlerId node_handler_ = 0;
};

}  // namespace skiff::controllers
