// syncClaim: what the PersistentVolume controller does with a claim, bound or not
// (pv_controller.go's syncUnboundClaim and syncBoundClaim).
#include <algorithm>

#include "api/object_util.h"
#include "controllers/persistent_volume_controller.h"
#include "controllers/pv_util.h"
#include "skiff/apis/storage.h"
#include "skiff/apis/volume_match.h"

namespace skiff::controllers {

Status PersistentVolumeController::SyncClaim(const std::string& key) {
  std::lock_guard lock(sync_mu_);
  if (!CachesSynced()) {
    return UnavailableError("the claim, volume, storage class and node caches have not synced yet");
  }
  client::ObjectPtr claim = claims_.Get(key);
  if (!claim) return Status::Ok();
  Status s = pv::HasAnnotation(*claim, apis::kBindCompletedAnnotation) ? SyncBoundClaim(*claim)
                                                                       : SyncUnboundClaim(*claim);
  // The claim or its volume was deleted under the sync: the deletion's event syncs again.
  return s.code() == Code::kNotFound ? Status::Ok() : s;
}

bool PersistentVolumeController::IsDelayBinding(const json& claim) const {
  client::ObjectPtr sc = StorageClass(apis::ClaimStorageClass(claim));
  return sc && pv::WaitsForFirstConsumer(*sc);
}

Status PersistentVolumeController::ClaimPending(const json& claim) {
  return UpdateClaimStatus(claim, "Pending", nullptr).status();
}

Status PersistentVolumeController::SyncUnboundClaim(const json& claim) {
  if (!pv::VolumeName(claim).empty()) return SyncClaimNamingVolume(claim);
  // The user did not name a volume: find the best one.
  const bool delay = IsDelayBinding(claim);
  const std::vector<client::ObjectPtr> volumes = volumes_.List();
  std::vector<const json*> candidates;
  candidates.reserve(volumes.size());
  for (const auto& v : volumes) candidates.push_back(v.get());
  if (const json* volume = apis::FindMatchingVolume(claim, candidates, delay)) {
    return Bind(*volume, claim);
  }
  auto assigned = AssignDefaultClass(claim);
  if (!assigned.ok()) return assigned.status();
  if (*assigned) return Status::Ok();  // its update brings the claim back with its class

  if (delay && !pv::HasAnnotation(claim, apis::kSelectedNodeAnnotation)) {
    // Named now, so provisioning on the selected node later is one write shorter.
    client::ObjectPtr sc = StorageClass(apis::ClaimStorageClass(claim));
    if (sc && pv::Provisioner(*sc) == apis::kLocalPathProvisioner) {
      auto annotated = SetClaimProvisioner(claim, apis::kLocalPathProvisioner);
      if (!annotated.ok()) return annotated.status();
      ReportWaitingForConsumer(*annotated);
      return ClaimPending(*annotated);
    }
    ReportWaitingForConsumer(claim);
  } else if (!apis::ClaimStorageClass(claim).empty()) {
    return ProvisionClaim(claim);
  } else {
    recorder_.Record(claim, "", "Normal", "FailedBinding",
                     "no persistent volumes available for this claim and no storage class is set");
  }
  return ClaimPending(claim);
}

Status PersistentVolumeController::SyncClaimNamingVolume(const json& claim) {
  const std::string name = pv::VolumeName(claim);
  client::ObjectPtr found = volumes_.Get(name);
  if (!found) return ClaimPending(claim);  // it may appear later
  const json& volume = *found;
  if (!pv::HasClaimRef(volume)) {
    const std::string mismatch = apis::VolumeMismatch(volume, claim);
    if (!mismatch.empty()) {
      recorder_.Record(claim, "", "Warning", "VolumeMismatch",
                       "Cannot bind to requested volume \"" + name + "\": " + mismatch);
      return ClaimPending(claim);
    }
    return Bind(volume, claim);
  }
  if (apis::VolumeIsBoundToClaim(volume, claim)) return Bind(volume, claim);
  if (!pv::HasAnnotation(claim, apis::kBoundByControllerAnnotation)) {
    recorder_.Record(claim, "", "Warning", "FailedBinding",
                     "volume \"" + name + "\" already bound to a different claim.");
    return ClaimPending(claim);
  }
  return InternalError("invalid binding of claim \"" + pv::ClaimKey(claim) + "\" to volume \"" +
                       name + "\": volume already claimed by \"" + pv::ClaimRefKey(volume) + "\"");
}

Status PersistentVolumeController::SyncBoundClaim(const json& claim) {
  const std::string name = pv::VolumeName(claim);
  if (name.empty()) {
    return UpdateClaimPhaseWithEvent(
        claim, "Lost", "Warning", "ClaimLost",
        "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
  }
  client::ObjectPtr volume = volumes_.Get(name);
  if (!volume) {
    return UpdateClaimPhaseWithEvent(
        claim, "Lost", "Warning", "ClaimLost",
        "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
  }
  if (pv::HasClaimRef(*volume) && pv::ClaimRefUid(*volume) != pv::Uid(claim)) {
    return UpdateClaimPhaseWithEvent(claim, "Lost", "Warning", "ClaimMisbound",
                                     "Two claims are bound to the same volume, this one is bound "
                                     "incorrectly");
  }
  // Unbound volume (re-bind it) or all is well (bind is then a no-op that repairs phases).
  if (Status s = Bind(*volume, claim); !s.ok()) return s;
  client::ObjectPtr bound_claim = claims_.Get(pv::ClaimKey(claim));
  client::ObjectPtr bound_volume = volumes_.Get(name);
  if (!bound_claim || !bound_volume) return Status::Ok();
  return ExpandClaim(*bound_claim, *bound_volume);
}

Result<bool> PersistentVolumeController::AssignDefaultClass(const json& claim) {
  if (apis::ClaimHasStorageClass(claim)) return false;
  client::ObjectPtr best;
  for (auto& sc : class_informer_.List()) {
    if (!pv::IsDefaultClass(*sc)) continue;
    if (!best) {
      best = sc;
      continue;
    }
    const std::string a = api::GetString(*sc, {"metadata", "creationTimestamp"});
    const std::string b = api::GetString(*best, {"metadata", "creationTimestamp"});
    if (a > b || (a == b && pv::Name(*sc) < pv::Name(*best))) best = sc;
  }
  if (!best) return false;
  json patch = {
      {"metadata", {{"resourceVersion", api::GetString(claim, {"metadata", "resourceVersion"})}}},
      {"spec", {{"storageClassName", pv::Name(*best)}}}};
  auto updated = client_.MergePatch(client::PersistentVolumeClaims(), pv::Namespace(claim),
                                    pv::Name(claim), patch);
  if (!updated.ok()) {
    return Status(updated.status().code(),
                  "cannot assign the default storage class \"" + pv::Name(*best) +
                      "\" to claim \"" + pv::ClaimKey(claim) + "\": " + updated.status().message());
  }
  claims_.Written(*updated);
  return true;
}

void PersistentVolumeController::ReportWaitingForConsumer(const json& claim) {
  {
    std::lock_guard lock(mu_);
    if (!waiting_reported_.insert(pv::Uid(claim)).second) return;
  }
  recorder_.Record(claim, "", "Normal", "WaitForFirstConsumer",
                   "waiting for first consumer to be created before binding");
}

}  // namespace skiff::controllers
