// kube-controller-manager's PVC protection controller (pkg/controller/volume/pvcprotection):
// a PersistentVolumeClaim being deleted that still carries kubernetes.io/pvc-protection loses
// the finalizer once no pod uses it, so a claim goes only after the last pod using it.
// A claim that is not being deleted and lacks the finalizer (created before the admission
// added it) gets it.
//
// A pod uses claim <ns>/<name> when it is in namespace ns, is scheduled (spec.nodeName set:
// an unscheduled pod never starts on a claim being deleted, the scheduler refuses it), has not
// finished (phase Succeeded or Failed; kube still counts a finished pod until it is deleted,
// skiff lets its claim go) and has (apis::PodClaims)
//   - a persistentVolumeClaim volume with claimName `name`, or
//   - an ephemeral volume whose claim is "<pod>-<volume>" == name, when the claim's controller
//     ownerReference is the pod and the pod is not shut down (deleted with grace period 0).
// Before removing the finalizer the pod cache is asked first (kPodClaimIndex, pods by the
// claims they name), then, when it shows no user, a live list of the namespace's pods: a pod
// created a moment ago may not be in the cache yet.
//
// Level-triggered: claims that need either change are enqueued on their add and update; a pod
// that is deleted, finishes, is not scheduled, or whose uid changed under the same name
// enqueues the claims it names (it may have been what held them). Sync writes with an Update of
// the cached claim; conflicts are retried with backoff.
//
// Thread-safe. `client` and `informers` must outlive the controller; construct before the
// factory starts, Start() after it; Stop() (also the destructor) joins the workers.
#pragma once

#include <chrono>
#include <string>

#include "controllers/controller_loop.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

struct PvcProtectionControllerOptions {
  int workers = 1;
  std::chrono::milliseconds base_backoff{5};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(1000)};
};

// Whether `pod` uses the claim `pvc` (the rule above).
bool PodUsesClaim(const nlohmann::json& pod, const nlohmann::json& pvc);

class PvcProtectionController {
 public:
  PvcProtectionController(client::Client& client, client::SharedInformerFactory& informers,
                          PvcProtectionControllerOptions options = {});
  ~PvcProtectionController();
  PvcProtectionController(const PvcProtectionController&) = delete;
  PvcProtectionController& operator=(const PvcProtectionController&) = delete;

  void Start();
  void Stop();

  // One pass over the claim `key` ("namespace/name"). kUnavailable before the caches synced.
  Status Sync(const std::string& key);

  uint64_t syncs() const { return loop_.syncs(); }

 private:
  Result<bool> IsBeingUsed(const nlohmann::json& pvc);
  void EnqueueClaimsOf(const nlohmann::json& pod, bool deleted);

  client::Client& client_;
  client::Informer& claims_;
  client::Informer& pods_;
  ControllerLoop loop_;
  client::HandlerId claim_handler_ = 0;
  client::HandlerId pod_handler_ = 0;
};

}  // namespace skiff::controllers
