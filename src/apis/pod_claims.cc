#include "skiff/apis/pod_claims.h"

#include "json_path.h"

namespace skiff::apis {

using nlohmann::json;
using internal::Member;
using internal::Str;

std::string EphemeralClaimName(const json& pod, const json& volume) {
  return Str(pod, {"metadata", "name"}) + "-" + Str(volume, {"name"});
}

std::optional<PodClaim> ClaimOfVolume(const json& pod, const json& volume) {
  if (const json* source = Member(volume, "persistentVolumeClaim"); source && source->is_object()) {
    std::string name = Str(*source, {"claimName"});
    if (name.empty()) return std::nullopt;
    return PodClaim{Str(volume, {"name"}), std::move(name), false};
  }
  if (const json* source = Member(volume, "ephemeral"); source && source->is_object()) {
    return PodClaim{Str(volume, {"name"}), EphemeralClaimName(pod, volume), true};
  }
  return std::nullopt;
}

std::vector<PodClaim> PodClaims(const json& pod) {
  std::vector<PodClaim> out;
  const json* spec = Member(pod, "spec");
  const json* volumes = spec ? Member(*spec, "volumes") : nullptr;
  if (!volumes || !volumes->is_array()) return out;
  for (const json& v : *volumes) {
    if (auto claim = ClaimOfVolume(pod, v)) out.push_back(std::move(*claim));
  }
  return out;
}

std::vector<std::string> PodClaimKeys(const json& pod) {
  std::vector<std::string> keys;
  const std::string ns = Str(pod, {"metadata", "namespace"});
  for (PodClaim& c : PodClaims(pod)) keys.push_back(ns + "/" + c.claim);
  return keys;
}

bool ClaimIsControlledBy(const json& claim, const json& pod) {
  const std::string uid = Str(pod, {"metadata", "uid"});
  const json* meta = Member(claim, "metadata");
  const json* refs = meta ? Member(*meta, "ownerReferences") : nullptr;
  if (uid.empty() || !refs || !refs->is_array()) return false;
  for (const json& ref : *refs) {
    const json* controller = Member(ref, "controller");
    if (controller && controller->is_boolean() && controller->get<bool>()) {
      // metav1.GetControllerOf: the first controller reference decides.
      return Str(ref, {"uid"}) == uid;
    }
  }
  return false;
}

std::string EphemeralClaimNotForPod(const json& pod, const json& claim) {
  const std::string claim_ns = Str(claim, {"metadata", "namespace"});
  const std::string pod_ns = Str(pod, {"metadata", "namespace"});
  if (claim_ns == pod_ns && ClaimIsControlledBy(claim, pod)) return "";
  return "PVC " + claim_ns + "/" + Str(claim, {"metadata", "name"}) + " was not created for pod " +
         pod_ns + "/" + Str(pod, {"metadata", "name"}) + " (pod is not owner)";
}

}  // namespace skiff::apis
