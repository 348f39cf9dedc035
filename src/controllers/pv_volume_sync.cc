// syncVolume: a volume's phase, and what happens to it once its claim is gone (Released and
// the reclaim policy: Retain, Delete, Recycle).
#include "api/object_util.h"
#include "controllers/persistent_volume_controller.h"
#include "controllers/pv_util.h"
#include "skiff/apis/storage.h"
#include "skiff/apis/volume_match.h"

namespace skiff::controllers {
namespace {

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

Status PersistentVolumeController::SyncVolume(const std::string& name) {
  std::lock_guard lock(sync_mu_);
  if (!CachesSynced()) {
    return UnavailableError("the claim, volume, storage class and node caches have not synced yet");
  }
  client::ObjectPtr found = volumes_.Get(name);
  if (!found) return Status::Ok();
  Status s = SyncVolumeObject(*found);
  // The volume or its claim was deleted under the sync: the deletion's event syncs again.
  return s.code() == Code::kNotFound ? Status::Ok() : s;
}

Status PersistentVolumeController::SyncVolumeObject(const json& volume) {
  const std::string name = pv::Name(volume);
  // Unused, or reserved for a claim that has not bound it yet (the claim's sync does that).
  if (!pv::HasClaimRef(volume) || pv::ClaimRefUid(volume).empty()) {
    return UpdateVolumePhase(volume, "Available", "").status();
  }
  const std::string claim_key = pv::ClaimRefKey(volume);
  client::ObjectPtr claim = claims_.Get(claim_key);
  if (claim && pv::Uid(*claim) != pv::ClaimRefUid(volume)) claim = nullptr;  // a namesake
  if (!claim) {
    // Confirmed with the API once, before the volume leaves Bound/Available.
    const std::string phase = pv::Phase(volume);
    if (phase != "Released" && phase != "Failed") {
      auto gone = ClaimIsGone(volume);
      if (!gone.ok()) return gone.status();
      if (!*gone) return Status::Ok();  // the cache is behind; the claim's arrival syncs again
    }
    return ReleaseAndReclaim(volume);
  }
  const std::string claimed = pv::VolumeName(*claim);
  if (claimed.empty()) {
    // Bound (or provisioned) for the claim, which has not caught up: its sync finishes it.
    claim_loop_.Enqueue(claim_key);
    return Status::Ok();
  }
  if (claimed == name) return UpdateVolumePhase(volume, "Bound", "").status();
  // The claim is bound to another volume.
  if (pv::HasAnnotation(volume, apis::kProvisionedByAnnotation) &&
      api::GetString(volume, {"spec", "persistentVolumeReclaimPolicy"}) == "Delete") {
    return ReleaseAndReclaim(volume);  // provisioned for it and not needed
  }
  return UnbindVolume(volume);
}

Result<bool> PersistentVolumeController::ClaimIsGone(const json& volume) {
  const json& ref = volume["spec"]["claimRef"];
  auto claim = client_.Get(client::PersistentVolumeClaims(), ref.value("namespace", ""),
                           ref.value("name", ""));
  if (!claim.ok()) {
    if (claim.status().code() == Code::kNotFound) return true;
    return Status(claim.status().code(), "cannot look up claim \"" + pv::ClaimRefKey(volume) +
                                             "\" of volume \"" + pv::Name(volume) +
                                             "\": " + claim.status().message());
  }
  return pv::Uid(*claim) != pv::ClaimRefUid(volume);
}

Status PersistentVolumeController::ReleaseAndReclaim(json volume) {
  // A Failed phase stays, so the user sees what went wrong while reclaiming is retried.
  const std::string phase = pv::Phase(volume);
  if (phase != "Released" && phase != "Failed") {
    auto released = UpdateVolumePhase(volume, "Released", "");
    if (!released.ok()) return released.status();
    volume = std::move(*released);
  }
  return Reclaim(volume);
}

Status PersistentVolumeController::Reclaim(const json& volume) {
  const std::string policy = api::GetString(volume, {"spec", "persistentVolumeReclaimPolicy"});
  if (policy == "Retain" || policy.empty()) return Status::Ok();
  if (policy == "Delete") return DeleteVolume(volume);
  if (policy == "Recycle") {
    return UpdateVolumePhaseWithEvent(
        volume, "Failed", "Warning", "VolumeFailedRecycle",
        "No recycler plugin found for the volume! skiff does not support the deprecated Recycle "
        "reclaim policy; use Retain or Delete");
  }
  return UpdateVolumePhaseWithEvent(volume, "Failed", "Warning", "VolumeUnknownReclaimPolicy",
                                    "Volume has unrecognized PersistentVolumeReclaimPolicy");
}

Status PersistentVolumeController::DeleteVolume(const json& volume) {
  if (apis::VolumeIsBeingDeleted(volume)) return Status::Ok();
  const std::string provisioner = pv::AnnotationOf(volume, apis::kProvisionedByAnnotation);
  if (provisioner == apis::kLocalPathProvisioner) {
    // The finalizer skiff.io/local-path-cleanup makes the node agent remove the data first.
    client::Client::DeleteOptions options;
    options.precondition_uid = pv::Uid(volume);
    Status s = client_.Delete(client::PersistentVolumes(), "", pv::Name(volume), options);
    if (!s.ok() && s.code() != Code::kNotFound) {
      return Status(s.code(), "cannot delete volume \"" + pv::Name(volume) + "\": " + s.message());
    }
    return Status::Ok();
  }
  if (!provisioner.empty() && !StartsWith(provisioner, "kubernetes.io/")) {
    return Status::Ok();  // an external provisioner deletes its own volumes
  }
  return UpdateVolumePhaseWithEvent(volume, "Failed", "Warning", "VolumeFailedDelete",
                                    "error getting deleter volume plugin for volume \"" +
                                        pv::Name(volume) +
                                        "\": no deletable volume plugin matched");
}

}  // namespace skiff::controllers
