// kube-controller-manager's ReplicaSet controller: keeps spec.replicas active pods of
// spec.template running for every ReplicaSet, and reports them in its status.
//
// Informers (from the factory): ReplicaSets and Pods; the pod informer gets the index
// kControllerUidIndex (IndexByControllerUid), shared with any controller that added it first.
// Pod notifications enqueue the ReplicaSet a pod's controller reference names (when it is in the
// cache with that uid); an orphan pod enqueues every ReplicaSet of its namespace whose selector
// matches it; a pod update that changes labels or controller reference enqueues the old and the
// new owner; a pod that became ready enqueues its owner again after minReadySeconds + 1 s.
// Pod adds and deletes count off the controller's expectations (creations per ReplicaSet,
// deletions per pod key).
//
// Sync(key), level-triggered:
//   - ReplicaSet gone: its expectations are forgotten.
//   - The active pods of its namespace (IsPodActive) are claimed (Claim: adopt matching orphans,
//     release owned pods that stopped matching).
//   - If its expectations are satisfied and it is not being deleted: too few pods are created
//     from spec.template in slow-start batches 1, 2, 4 ... (stopping at the first batch with a
//     failure), at most burst_replicas per sync; too many are deleted (at most burst_replicas),
//     chosen by the ActivePodsWithRanks order (active_pods.h). Events: Normal SuccessfulCreate
//     "Created pod: <name>", Warning FailedCreate "Error creating: <error>", Normal
//     SuccessfulDelete "Deleted pod: <name>", Warning FailedDelete "Error deleting: <error>".
//   - Status (replicaset_status.h) is written through the status subresource when it changed;
//     if a pod is ready but not yet available, the key is looked at again when it will be.
// The ReplicaSet's own deletion is the garbage collector's business (its pods carry its
// controller reference with blockOwnerDeletion).
//
// Errors: Sync returns the first failure (claiming, creating, deleting, writing status); the
// loop retries the key with backoff. Before the informers have synced Sync is kUnavailable.
//
// Thread-safe. `client` and `informers` must outlive the controller. Handlers are registered by
// the constructor; the caller starts the informer factory, then calls Start(). Stop() (also the
// destructor) removes the handlers and joins the workers; it must not be called from a handler.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "controllers/controller_loop.h"
#include "controllers/controller_ref.h"
#include "controllers/expectations.h"
#include "events/event_recorder.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

// The pod informer index of controller-reference uids (IndexByControllerUid).
inline constexpr char kControllerUidIndex[] = "controller-uid";

struct ReplicaSetControllerOptions {
  int workers = 5;           // --concurrent-replicaset-syncs
  int burst_replicas = 500;  // BurstReplicas: creations or deletions per sync at most
  // ExpectationsTimeout: a sync acts again after this even if the informer never showed what
  // it did.
  std::chrono::milliseconds expectations_timeout{std::chrono::minutes(5)};
  // The work queue's per-key failure backoff (client-go's 5 ms doubling up to 1000 s).
  std::chrono::milliseconds base_backoff{5};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(1000)};
  // API calls of one batch issued at once (Kubernetes issues a whole batch at once).
  int write_parallelism = 4;
};

class ReplicaSetController {
 public:
  ReplicaSetController(client::Client& client, client::SharedInformerFactory& informers,
                       ReplicaSetControllerOptions options = {});
  ~ReplicaSetController();
  ReplicaSetController(const ReplicaSetController&) = delete;
  ReplicaSetController& operator=(const ReplicaSetController&) = delete;

  void Start();
  void Stop();

  // One pass over the ReplicaSet `key` ("namespace/name").
  Status Sync(const std::string& key);

  // Syncs finished by the workers since Start (for tests that wait for quiet).
  uint64_t syncs() const { return loop_.syncs(); }

 private:
  // Informer handlers: enqueue keys and count off expectations, nothing else.
  void OnPodAdd(const client::ObjectPtr& pod);
  void OnPodUpdate(const client::ObjectPtr& old_pod, const client::ObjectPtr& pod);
  void OnPodDelete(const client::ObjectPtr& pod);
  void OnReplicaSetDelete(const client::ObjectPtr& rs);

  // The ReplicaSet `ref` (a controller reference) names, if cached with that uid; else null.
  client::ObjectPtr ResolveControllerRef(const std::string& ns, const json& ref) const;
  // The ReplicaSets of the pod's namespace whose (non-empty) selector matches the pod.
  std::vector<client::ObjectPtr> PodReplicaSets(const json& pod) const;
  // The pods of every ReplicaSet with the same controller as `rs` (or of rs alone).
  std::vector<client::ObjectPtr> RelatedPods(const json& rs) const;

  // Creates or deletes pods towards spec.replicas (replicaset_replicas.cc).
  Status ManageReplicas(const std::vector<client::ObjectPtr>& pods, const json& rs,
                        const std::string& key);
  Status CreatePods(const json& rs, const std::string& key, int count);
  Status DeletePods(const json& rs, const std::string& key,
                    const std::vector<client::ObjectPtr>& victims);

  client::Client& client_;
  client::Informer& rs_informer_;
  client::Informer& pod_informer_;
  const ReplicaSetControllerOptions options_;
  events::EventRecorder recorder_;
  Expectations expectations_;
  ControllerLoop loop_;
  std::mutex mu_;  // guards stopped_
  bool stopped_ = false;
  client::HandlerId rs_handler_ = 0;
  client::HandlerId pod_handler_ = 0;
};

}  // namespace skiff::controllers
