// kube-controller-manager's PersistentVolume binder (pkg/controller/volume/persistentvolume),
// with skiff's built-in local-path provisioner and the volume expansion of its volumes.
//
// Binding (pv_claim_sync.cc, pv_binding.cc): an unbound claim gets the volume
// apis::FindMatchingVolume picks (a volume pre-bound to it, else the smallest Available one of
// its class, modes, size and selector; none for a WaitForFirstConsumer class, whose volumes the
// scheduler picks). Binding writes, in kube's order: the volume's spec.claimRef (with uid; and
// annotation pv.kubernetes.io/bound-by-controller when the controller chose it), the volume's
// phase Bound, the claim's spec.volumeName with annotations pv.kubernetes.io/bind-completed (and
// bound-by-controller when the controller set volumeName), the claim's status (phase Bound,
// capacity and accessModes of the volume). A claim that names its volume (spec.volumeName) is
// bound to it when it is free or pre-bound to the claim; when it does not fit the claim:
// Warning VolumeMismatch; when it is bound to another claim: Warning FailedBinding "volume
// \"x\" already bound to a different claim.". An unbound claim without a class gets the
// default StorageClass (kube's retroactive default class assignment).
//
// Claims nothing satisfies stay Pending with an event: no class → Normal FailedBinding "no
// persistent volumes available for this claim and no storage class is set"; unknown class →
// Warning ProvisioningFailed "storageclass.storage.k8s.io \"x\" not found"; an in-tree
// provisioner name skiff lacks (kubernetes.io/no-provisioner, ...) → Warning
// ProvisioningFailed "no volume plugin matched name: kubernetes.io/no-provisioner"; any other
// provisioner is external: annotations volume.kubernetes.io/storage-provisioner (and beta) and
// Normal ExternalProvisioning. WaitForFirstConsumer claims wait for the scheduler's
// volume.kubernetes.io/selected-node (Normal WaitForFirstConsumer, once per claim).
//
// Provisioning (pv_provisioning.cc) for classes of provisioner skiff.io/local-path: the
// storage-provisioner annotations on the claim (set while a WaitForFirstConsumer claim waits,
// so the scheduler's choice is followed by one write less), the node (selected-node, or for
// Immediate binding the first Ready, schedulable node by name), then the PersistentVolume of
// local_path_volume.h (AlreadyExists is fine), bound to the claim in the same sync, then
// Normal Provisioning and ProvisioningSucceeded events (after the binding: a pod waiting for
// the claim does not wait for them). What the provisioner refuses is Warning
// ProvisioningFailed. Claims being deleted get no new volume.
//
// Phases and reclaim (pv_volume_sync.cc): volumes Available (no claimRef, or pre-bound with no
// uid), Bound, Released (the claim is gone; claimRef kept), Failed; claims Pending, Bound, Lost
// (Warning ClaimLost when the bound volume is gone, ClaimMisbound when it serves another
// claim). A Released volume with reclaim policy Retain stays Released; Delete deletes a
// volume skiff.io/local-path provisioned through the API (its finalizer makes the node agent
// remove the data), leaves volumes of external provisioners to them, and fails any other
// volume (Warning VolumeFailedDelete "error getting deleter volume plugin for volume \"x\": no
// deletable volume plugin matched"); Recycle fails (Warning VolumeFailedRecycle). Before a
// volume is released or deleted the claim's absence is confirmed with the API.
//
// Expansion (pv_expansion.cc): a Bound claim whose storage request exceeds its local-path
// volume's capacity, of a class with allowVolumeExpansion, gets the volume's capacity raised,
// status.allocatedResources.storage, allocatedResourceStatuses.storage NodeResizePending and
// condition FileSystemResizePending (Normal Resizing and FileSystemResizeRequired events); the
// node agent grows the filesystem, sets status.capacity and clears the rest. Volumes skiff
// cannot expand get Normal ExternalExpanding.
//
// Events go to the claim or volume, source "persistentvolume-controller" (expansion:
// "volume_expand"). Informers: PVCs, PVs, StorageClasses, Nodes. Every reaction is
// event-driven: claims are synced on their changes, on their volume's changes, on
// StorageClass and Node changes while unbound; volumes on their changes and their claim's
// deletion. All objects are synced again every resync_period as a safety net. Syncs of claims
// and volumes are serialized (kube's single-worker queues) and read the informers' caches
// overlaid with the controller's own writes (pv_written_cache.h).
//
// Errors: a sync returns the first failed write (the loop retries with backoff); kUnavailable
// before the caches have synced. Thread-safe. `client` and `informers` must outlive the
// controller. Construct before the factory starts; Start() after; Stop() (also the
// destructor) removes the handlers and joins the workers.
#pragma once

#include <chrono>
#include <mutex>
#include <set>
#include <string>

#include "controllers/controller_loop.h"
#include "controllers/pv_written_cache.h"
#include "events/event_recorder.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

struct PersistentVolumeControllerOptions {
  // Where local-path volumes live on their node: <root>/pvc-<uid>_<namespace>_<name>.
  std::string local_path_root = "/var/lib/skiff/storage";
  // kube-controller-manager's --pvclaimbinder-sync-period.
  std::chrono::milliseconds resync_period{std::chrono::seconds(15)};
  std::chrono::milliseconds base_backoff{5};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(300)};
};

class PersistentVolumeController {
 public:
  PersistentVolumeController(client::Client& client, client::SharedInformerFactory& informers,
                             PersistentVolumeControllerOptions options = {});
  ~PersistentVolumeController();
  PersistentVolumeController(const PersistentVolumeController&) = delete;
  PersistentVolumeController& operator=(const PersistentVolumeController&) = delete;

  void Start();
  void Stop();

  // One pass over the claim "namespace/name" / the volume "name".
  Status SyncClaim(const std::string& key);
  Status SyncVolume(const std::string& name);

  // Syncs finished by the workers since Start (for tests that wait for quiet).
  uint64_t syncs() const { return claim_loop_.syncs() + volume_loop_.syncs(); }

 private:
  using json = nlohmann::json;

  // Handlers (persistent_volume_controller.cc): enqueue keys, nothing else.
  void OnClaim(const client::ObjectPtr& claim);
  void OnClaimDelete(const client::ObjectPtr& claim);
  void OnVolume(const client::ObjectPtr& volume);
  void OnVolumeDelete(const client::ObjectPtr& volume);
  void EnqueueUnboundClaims();
  void Resync();
  bool CachesSynced() const;

  // Claims (pv_claim_sync.cc).
  Status SyncUnboundClaim(const json& claim);
  Status SyncClaimNamingVolume(const json& claim);
  Status SyncBoundClaim(const json& claim);
  Status ClaimPending(const json& claim);
  bool IsDelayBinding(const json& claim) const;
  // Sets the default StorageClass on a claim without one; true when it did.
  Result<bool> AssignDefaultClass(const json& claim);
  void ReportWaitingForConsumer(const json& claim);

  // Volumes (pv_volume_sync.cc).
  Status SyncVolumeObject(const json& volume);
  Status ReleaseAndReclaim(json volume);
  Status Reclaim(const json& volume);
  Status DeleteVolume(const json& volume);
  // True when the API confirms the volume's claim (by name and uid) is gone.
  Result<bool> ClaimIsGone(const json& volume);

  // Writes (pv_binding.cc); each records what it wrote in the caches.
  Status Bind(json volume, json claim);
  Result<json> BindVolumeToClaim(const json& volume, const json& claim);
  Result<json> BindClaimToVolume(const json& claim, const json& volume);
  Result<json> UpdateClaimStatus(const json& claim, const std::string& phase, const json* volume);
  Status UpdateClaimPhaseWithEvent(const json& claim, const std::string& phase,
                                   const std::string& type, const std::string& reason,
                                   const std::string& message);
  Result<json> UpdateVolumePhase(const json& volume, const std::string& phase,
                                 const std::string& message);
  Status UpdateVolumePhaseWithEvent(const json& volume, const std::string& phase,
                                    const std::string& type, const std::string& reason,
                                    const std::string& message);
  Status UnbindVolume(const json& volume);

  // Provisioning (pv_provisioning.cc).
  Status ProvisionClaim(const json& claim);
  Result<json> SetClaimProvisioner(const json& claim, const std::string& provisioner);
  Result<std::string> ProvisioningNode(const json& claim, const json& storage_class);
  Status ProvisionLocalPath(const json& claim, const json& storage_class);

  // Expansion (pv_expansion.cc).
  Status ExpandClaim(const json& claim, const json& volume);

  client::ObjectPtr StorageClass(const std::string& name) const;

  client::Client& client_;
  client::Informer& claim_informer_;
  client::Informer& volume_informer_;
  client::Informer& class_informer_;
  client::Informer& node_informer_;
  const PersistentVolumeControllerOptions options_;
  events::EventRecorder recorder_;
  events::EventRecorder expand_recorder_;
  WrittenObjectCache claims_;
  WrittenObjectCache volumes_;
  std::mutex sync_mu_;  // one claim or volume sync at a time
  ControllerLoop claim_loop_;
  ControllerLoop volume_loop_;
  std::mutex mu_;  // guards stopped_, waiting_reported_
  bool stopped_ = false;
  std::set<std::string> waiting_reported_;  // claim uids told WaitForFirstConsumer
  client::HandlerId claim_handler_ = 0;
  client::HandlerId volume_handler_ = 0;
  client::HandlerId class_handler_ = 0;
  client::HandlerId node_handler_ = 0;
};

}  // namespace skiff::controllers
