// kube-controller-manager's ephemeral volume controller (pkg/controller/volume/ephemeral): the
// PersistentVolumeClaims of generic ephemeral volumes.
//
// For each pod that is not being deleted, for each volume with `ephemeral`, the claim
// "<pod>-<volume>" (apis::EphemeralClaimName) must exist in the pod's namespace. A missing one
// is created with
//   metadata.ownerReferences  [{apiVersion: v1, kind: Pod, name, uid, controller: true,
//                               blockOwnerDeletion: true}]
//   metadata.labels/annotations  those of ephemeral.volumeClaimTemplate.metadata
//   spec                         ephemeral.volumeClaimTemplate.spec, unchanged
// and is never changed afterwards. A claim of that name that the pod controls is left alone. One
// the pod does not control is not touched: the pod gets a Warning event (reason
// FailedBinding, from "ephemeral_volume"),
//   ephemeral volume <volume>: PVC <ns>/<claim> was not created for pod <ns>/<pod> (pod is not
//   owner)
// and the pod is retried with backoff (and at once when that claim is deleted). The pod stays
// unschedulable meanwhile: the scheduler's VolumeBinding refuses it.
//
// The claim goes with its pod: the garbage collector deletes it once its owner is gone, and
// PVC protection keeps it until no running pod uses it.
//
// Level-triggered: a pod is enqueued when it is added (its spec is immutable, so updates are
// ignored, except one that replaces the pod by another of the same name), and the pods naming a
// claim (kPodClaimIndex) when that claim is deleted. A failed sync is retried with the loop's
// backoff.
//
// Thread-safe. `client` and `informers` must outlive the controller; construct before the
// factory starts, Start() after it; Stop() (also the destructor) joins the workers.
#pragma once

#include <chrono>
#include <string>

#include "controllers/controller_loop.h"
#include "events/event_recorder.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

struct EphemeralVolumeControllerOptions {
  int workers = 1;  // --concurrent-ephemeralvolume-syncs (kube: 5)
  std::chrono::milliseconds base_backoff{5};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(1000)};
};

class EphemeralVolumeController {
 public:
  EphemeralVolumeController(client::Client& client, client::SharedInformerFactory& informers,
                            EphemeralVolumeControllerOptions options = {});
  ~EphemeralVolumeController();
  EphemeralVolumeController(const EphemeralVolumeController&) = delete;
  EphemeralVolumeController& operator=(const EphemeralVolumeController&) = delete;

  void Start();
  void Stop();

  // One pass over the pod `key` ("namespace/name"). kUnavailable before the caches synced; the
  // error of the first volume whose claim could not be made (after the pod's event).
  Status Sync(const std::string& key);

  uint64_t syncs() const { return loop_.syncs(); }

 private:
  // Makes sure the claim of one ephemeral volume exists and is the pod's.
  Status HandleVolume(const nlohmann::json& pod, const nlohmann::json& volume);
  void EnqueuePod(const nlohmann::json& pod);

  client::Client& client_;
  client::Informer& pods_;
  client::Informer& claims_;
  events::EventRecorder recorder_;
  ControllerLoop loop_;
  client::HandlerId pod_handler_ = 0;
  client::HandlerId claim_handler_ = 0;
};

}  // namespace skiff::controllers
