// kube-controller-manager's StatefulSet controller: runs spec.replicas pods of spec.template
// with stable identities "<set>-<ordinal>" and stable storage, created, scaled and updated in
// the order spec.podManagementPolicy and spec.updateStrategy ask for, and reports them in the
// set's status.
//
// Identity (statefulset_pods.h): pod "<set>-<ordinal>" (ordinals from spec.ordinals.start,
// default 0), spec.hostname = the pod name, spec.subdomain = spec.serviceName, labels = the
// template's plus statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index and
// controller-revision-hash (the revision's name). Each volumeClaimTemplate gives a PVC
// "<template>-<set>-<ordinal>" (labels: the template's plus the selector's matchLabels),
// created before the pod when missing and mounted as the pod's volume of the template's name.
// PVCs are never deleted by the controller; spec.persistentVolumeClaimRetentionPolicy is
// carried as owner references on them (statefulset_claims.cc) for the garbage collector.
//
// Order (statefulset_update.h): OrderedReady creates in ordinal order, each pod only once all
// lower ones are Running, Ready and available for minReadySeconds, and scales down from the
// highest ordinal one at a time while all others are healthy; Parallel creates and deletes at
// once. A Failed (or Succeeded) pod is deleted and created again under the same name.
// RollingUpdate replaces pods at an old revision from the highest ordinal down, at most
// maxUnavailable (default 1) unavailable at a time, leaving ordinals below the partition at the
// current revision; OnDelete replaces a pod only when the user deletes it.
//
// Revisions (statefulset_revisions.h, controller_history.h): ControllerRevisions "<set>-<hash>"
// of the template, with revision numbers; status.currentRevision, updateRevision and
// collisionCount; unused old revisions beyond spec.revisionHistoryLimit are deleted.
//
// Events (on the set, source "statefulset-controller"), as Kubernetes records them:
//   Normal  SuccessfulCreate "create Pod web-0 in StatefulSet web successful"
//   Normal  SuccessfulDelete "delete Pod web-1 in StatefulSet web successful"
//   Normal  SuccessfulUpdate "update Pod web-0 in StatefulSet web successful"
//   Normal  SuccessfulCreate "create Claim data-web-0 Pod web-0 in StatefulSet web success"
//   Warning Failed<Verb>     "<verb> Pod web-0 in StatefulSet web failed error: <error>"
//   Warning FailedCreate     "create Claim data-web-0 for Pod web-0 in StatefulSet web failed
//                             error: <error>"
//
// Informers (from the factory): StatefulSets, Pods (indexed by controller uid), PVCs and
// ControllerRevisions. Pod notifications enqueue the owning set (an orphan: every set of its
// namespace whose selector matches it); creations and deletions the controller made are
// counted off its expectations, and a sync acts only once the caches show them (or after
// expectations_timeout). Sync(key) adopts orphaned revisions and member pods ("<set>-<n>"
// matching the selector), releases pods that stopped matching, resolves the revisions, runs
// the plan, writes the status through the status subresource when it changed, deletes old
// revisions, and looks again when a ready pod will have been ready for minReadySeconds.
//
// Errors: Sync returns the first failure (claiming, revisions, a pod or claim write, the
// status); the loop retries with backoff. Before the informers have synced it is kUnavailable.
// An invalid selector is logged and not retried.
//
// Thread-safe. `client` and `informers` must outlive the controller. Handlers are registered by
// the constructor; the caller starts the informer factory, then calls Start(). Stop() (also the
// destructor) removes the handlers and joins the workers; it must not be called from a handler.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "controllers/controller_history.h"
#include "controllers/controller_loop.h"
#include "controllers/controller_ref.h"
#include "controllers/expectations.h"
#include "controllers/statefulset_update.h"
#include "events/event_recorder.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

struct StatefulSetControllerOptions {
  int workers = 5;  // --concurrent-statefulset-syncs
  // A sync acts again after this even if the pod cache never showed what it did.
  std::chrono::milliseconds expectations_timeout{std::chrono::minutes(5)};
  // The work queue's per-key failure backoff (client-go's 5 ms doubling up to 1000 s).
  std::chrono::milliseconds base_backoff{5};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(1000)};
};

class StatefulSetController {
 public:
  StatefulSetController(client::Client& client, client::SharedInformerFactory& informers,
                        StatefulSetControllerOptions options = {});
  ~StatefulSetController();
  StatefulSetController(const StatefulSetController&) = delete;
  StatefulSetController& operator=(const StatefulSetController&) = delete;

  void Start();
  void Stop();

  // One pass over the StatefulSet `key` ("namespace/name").
  Status Sync(const std::string& key);

  // Syncs finished by the workers since Start (for tests that wait for quiet).
  uint64_t syncs() const { return loop_.syncs(); }

 private:
  // Informer handlers: enqueue keys and count off expectations, nothing else.
  void OnPodAdd(const client::ObjectPtr& pod);
  void OnPodUpdate(const client::ObjectPtr& old_pod, const client::ObjectPtr& pod);
  void OnPodDelete(const client::ObjectPtr& pod);
  void OnSetDelete(const client::ObjectPtr& set);
  client::ObjectPtr ResolveControllerRef(const std::string& ns, const json& ref) const;
  std::vector<client::ObjectPtr> PodStatefulSets(const json& pod) const;
  bool Satisfied(const std::string& key) const;

  // Runs the plan's groups in order (statefulset_pod_control.cc); returns the first failure and
  // how many update deletions succeeded.
  Status RunPlan(const json& set, const statefulset::Revisions& revs, const statefulset::Plan& plan,
                 const std::string& key, int* update_deletions);
  Status RunStep(const json& set, const statefulset::Revisions& revs,
                 const statefulset::Step& step);
  // The StatefulPodControl operations.
  Status CreatePod(const json& set, const json& pod);
  Status DeletePod(const json& set, const json& pod);
  Status EnsureClaims(const json& set, const json& pod);
  Status UpdatePod(const json& set, const json& pod);
  // Creates the pod's missing claims; the created ones are added to `created` (by name).
  Status CreateClaims(const json& set, const json& pod, std::map<std::string, json>* created);
  Status UpdateClaimsForRetention(const json& set, const json& pod,
                                  const std::map<std::string, json>& fresh);
  client::ObjectPtr CachedClaim(const std::string& ns, const std::string& name) const;
  void RecordPodEvent(const std::string& verb, const json& set, const json& pod, const Status& s);
  void RecordClaimEvent(const std::string& verb, const json& set, const json& pod,
                        const std::string& claim, const Status& s);

  client::Client& client_;
  client::Informer& set_informer_;
  client::Informer& pod_informer_;
  client::Informer& pvc_informer_;
  client::Informer& revision_informer_;
  const StatefulSetControllerOptions options_;
  events::EventRecorder recorder_;
  history::ControllerHistory history_;
  Expectations creations_;  // pod creations per set key
  Expectations deletions_;  // pod deletions per set key, by pod key
  ControllerLoop loop_;
  std::mutex mu_;  // guards stopped_
  bool stopped_ = false;
  client::HandlerId set_handler_ = 0;
  client::HandlerId pod_handler_ = 0;
};

}  // namespace skiff::controllers
