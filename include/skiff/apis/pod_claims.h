// The PersistentVolumeClaims a pod's volumes name, as Kubernetes reads them
// (k8s.io/component-helpers/storage/ephemeral and the claim lookups of kube-scheduler's
// VolumeBinding, kube-controller-manager's PVC protection and ephemeral volume controllers, and
// kubelet's volume manager). This is the one place that knows the rule for generic ephemeral
// volumes; the scheduler, the controllers and the node agent all ask it.
//
//   persistentVolumeClaim  the claim spec.volumes[].persistentVolumeClaim.claimName
//   ephemeral              the claim "<pod name>-<volume name>" (ephemeral.VolumeClaimName),
//                          created by the ephemeral volume controller from
//                          ephemeral.volumeClaimTemplate; it serves the pod only when the pod
//                          controls it (ephemeral.VolumeIsForPod)
// Every other volume names no claim.
//
// Objects are the JSON the API serves (core/v1 Pod and PersistentVolumeClaim). Pure functions
// over their arguments; thread-safe; never throw.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace skiff::apis {

// A claim that one of a pod's volumes names.
struct PodClaim {
  std::string volume;      // the pod's volume (spec.volumes[].name)
  std::string claim;       // the claim's name, in the pod's namespace
  bool ephemeral = false;  // from an ephemeral volume: the pod must control the claim
};

// ephemeral.VolumeClaimName: "<pod name>-<volume name>".
std::string EphemeralClaimName(const nlohmann::json& pod, const nlohmann::json& volume);

// The claim `volume` (one of the pod's spec.volumes) names, or nullopt when it names none (not
// a persistentVolumeClaim or ephemeral volume, or a persistentVolumeClaim without claimName).
std::optional<PodClaim> ClaimOfVolume(const nlohmann::json& pod, const nlohmann::json& volume);

// The claims of every volume of the pod, in spec.volumes order.
std::vector<PodClaim> PodClaims(const nlohmann::json& pod);

// "<namespace>/<claim>" of every claim the pod's volumes name (kube's PodPVCIndex values).
std::vector<std::string> PodClaimKeys(const nlohmann::json& pod);

// metav1.IsControlledBy: the claim's ownerReference with controller: true has the pod's uid.
bool ClaimIsControlledBy(const nlohmann::json& claim, const nlohmann::json& pod);

// ephemeral.VolumeIsForPod: "" when the claim is in the pod's namespace and controlled by the
// pod; otherwise kube's error,
//   PVC <claim ns>/<claim> was not created for pod <pod ns>/<pod> (pod is not owner)
std::string EphemeralClaimNotForPod(const nlohmann::json& pod, const nlohmann::json& claim);

}  // namespace skiff::apis
