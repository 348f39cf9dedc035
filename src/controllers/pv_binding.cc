// The PersistentVolume controller's writes: binding a volume and a claim to each other (in
// kube's order), unbinding a volume, and the phases of both. Every write is recorded in the
// controller's caches so the next sync sees it before the informers do.
#include "api/object_util.h"
#include "controllers/persistent_volume_controller.h"
#include "controllers/pv_util.h"
#include "skiff/apis/quantity.h"
#include "skiff/apis/storage.h"
#include "skiff/apis/volume_match.h"

namespace skiff::controllers {
namespace {

using nlohmann::json;

std::string Rv(const json& obj) { return api::GetString(obj, {"metadata", "resourceVersion"}); }

// What the claimRef of a volume bound to `claim` holds (kube's ref.GetReference).
json ClaimReference(const json& claim) {
  return {{"kind", "PersistentVolumeClaim"},
          {"namespace", pv::Namespace(claim)},
          {"name", pv::Name(claim)},
          {"uid", pv::Uid(claim)},
          {"apiVersion", "v1"},
          {"resourceVersion", Rv(claim)}};
}

Status Failed(const Status& s, const std::string& what) {
  return Status(s.code(), what + ": " + s.message());
}

}  // namespace

Status PersistentVolumeController::Bind(json volume, json claim) {
  auto bound_volume = BindVolumeToClaim(volume, claim);
  if (!bound_volume.ok()) return bound_volume.status();
  auto phased = UpdateVolumePhase(*bound_volume, "Bound", "");
  if (!phased.ok()) return phased.status();
  auto bound_claim = BindClaimToVolume(claim, *phased);
  if (!bound_claim.ok()) return bound_claim.status();
  return UpdateClaimStatus(*bound_claim, "Bound", &*phased).status();
}

Result<json> PersistentVolumeController::BindVolumeToClaim(const json& volume, const json& claim) {
  const bool by_controller = !apis::VolumeIsBoundToClaim(volume, claim);
  json patch = {{"metadata", {{"resourceVersion", Rv(volume)}}}};
  bool dirty = false;
  const json* ref = api::Find(volume, {"spec", "claimRef"});
  if (!ref || !ref->is_object() || ref->value("name", "") != pv::Name(claim) ||
      ref->value("namespace", "") != pv::Namespace(claim) ||
      ref->value("uid", "") != pv::Uid(claim)) {
    patch["spec"]["claimRef"] = ClaimReference(claim);
    dirty = true;
  }
  if (by_controller && !pv::HasAnnotation(volume, apis::kBoundByControllerAnnotation)) {
    patch["metadata"]["annotations"][apis::kBoundByControllerAnnotation] = "yes";
    dirty = true;
  }
  if (!dirty) return volume;
  auto updated = client_.MergePatch(client::PersistentVolumes(), "", pv::Name(volume), patch);
  if (!updated.ok()) {
    return Failed(updated.status(), "cannot bind volume \"" + pv::Name(volume) + "\" to claim \"" +
                                        pv::ClaimKey(claim) + "\"");
  }
  volumes_.Written(*updated);
  return updated;
}

Result<json> PersistentVolumeController::BindClaimToVolume(const json& claim, const json& volume) {
  json patch = json::object();
  bool by_controller = false;
  if (pv::VolumeName(claim) != pv::Name(volume)) {
    patch["spec"]["volumeName"] = pv::Name(volume);
    by_controller = true;
  }
  if (by_controller && !pv::HasAnnotation(claim, apis::kBoundByControllerAnnotation)) {
    patch["metadata"]["annotations"][apis::kBoundByControllerAnnotation] = "yes";
  }
  if (!pv::HasAnnotation(claim, apis::kBindCompletedAnnotation)) {
    patch["metadata"]["annotations"][apis::kBindCompletedAnnotation] = "yes";
  }
  if (patch.empty()) return claim;
  auto updated = client_.MergePatch(client::PersistentVolumeClaims(), pv::Namespace(claim),
                                    pv::Name(claim), patch);
  if (!updated.ok()) {
    return Failed(updated.status(), "cannot bind claim \"" + pv::ClaimKey(claim) +
                                        "\" to volume \"" + pv::Name(volume) + "\"");
  }
  claims_.Written(*updated);
  return updated;
}

Result<json> PersistentVolumeController::UpdateClaimStatus(const json& claim,
                                                           const std::string& phase,
                                                           const json* volume) {
  json status = json::object();
  const json* modes = api::Find(claim, {"status", "accessModes"});
  const json* capacity = api::Find(claim, {"status", "capacity"});
  if (pv::Phase(claim) != phase) status["phase"] = phase;
  if (!volume) {
    if (modes) status["accessModes"] = nullptr;
    if (capacity) status["capacity"] = nullptr;
  } else {
    const json* want_modes = api::Find(*volume, {"spec", "accessModes"});
    if (want_modes && (!modes || *modes != *want_modes)) status["accessModes"] = *want_modes;
    // Capacity is set as the claim becomes Bound, never afterwards: a difference may mean the
    // filesystem has not grown to the volume's size yet (expansion).
    if (pv::Phase(claim) != phase) {
      auto want = apis::VolumeStorageCapacity(*volume);
      if (!want) {
        return InternalError("PersistentVolume \"" + pv::Name(*volume) +
                             "\" is without a storage capacity");
      }
      const json* have = capacity ? api::Find(*capacity, {"storage"}) : nullptr;
      auto have_q = have ? apis::QuantityFromJson(*have) : std::nullopt;
      if (!have_q || apis::CompareQuantity(*have_q, *want) != 0) {
        status["capacity"] = (*volume)["spec"]["capacity"];
      }
    }
  }
  if (status.empty()) return claim;
  auto updated = client_.MergePatch(client::PersistentVolumeClaims(), pv::Namespace(claim),
                                    pv::Name(claim), {{"status", status}}, "status");
  if (!updated.ok()) {
    return Failed(updated.status(),
                  "cannot set the phase of claim \"" + pv::ClaimKey(claim) + "\" to " + phase);
  }
  claims_.Written(*updated);
  return updated;
}

Status PersistentVolumeController::UpdateClaimPhaseWithEvent(const json& claim,
                                                             const std::string& phase,
                                                             const std::string& type,
                                                             const std::string& reason,
                                                             const std::string& message) {
  if (pv::Phase(claim) == phase) return Status::Ok();
  auto updated = UpdateClaimStatus(claim, phase, nullptr);
  if (!updated.ok()) return updated.status();
  recorder_.Record(*updated, "", type, reason, message);
  return Status::Ok();
}

Result<json> PersistentVolumeController::UpdateVolumePhase(const json& volume,
                                                           const std::string& phase,
                                                           const std::string& message) {
  if (pv::Phase(volume) == phase) return volume;
  json status = {{"phase", phase},
                 {"message", message.empty() ? json(nullptr) : json(message)},
                 {"lastPhaseTransitionTime", api::NowRfc3339()}};
  auto updated = client_.MergePatch(client::PersistentVolumes(), "", pv::Name(volume),
                                    {{"status", status}}, "status");
  if (!updated.ok()) {
    return Failed(updated.status(),
                  "cannot set the phase of volume \"" + pv::Name(volume) + "\" to " + phase);
  }
  volumes_.Written(*updated);
  return updated;
}

Status PersistentVolumeController::UpdateVolumePhaseWithEvent(const json& volume,
                                                              const std::string& phase,
                                                              const std::string& type,
                                                              const std::string& reason,
                                                              const std::string& message) {
  if (pv::Phase(volume) == phase) return Status::Ok();
  auto updated = UpdateVolumePhase(volume, phase, message);
  if (!updated.ok()) return updated.status();
  recorder_.Record(*updated, "", type, reason, message);
  return Status::Ok();
}

Status PersistentVolumeController::UnbindVolume(const json& volume) {
  json patch = {{"metadata", {{"resourceVersion", Rv(volume)}}}};
  if (pv::HasAnnotation(volume, apis::kBoundByControllerAnnotation)) {
    // The controller bound it: make it free again.
    patch["spec"]["claimRef"] = nullptr;
    patch["metadata"]["annotations"][apis::kBoundByControllerAnnotation] = nullptr;
  } else {
    // The user pre-bound it: keep it for that claim, without the old claim's uid.
    patch["spec"]["claimRef"]["uid"] = nullptr;
  }
  auto updated = client_.MergePatch(client::PersistentVolumes(), "", pv::Name(volume), patch);
  if (!updated.ok()) {
    return Failed(updated.status(), "cannot unbind volume \"" + pv::Name(volume) + "\"");
  }
  volumes_.Written(*updated);
  return UpdateVolumePhase(*updated, "Available", "").status();
}

}  // namespace skiff::controllers
