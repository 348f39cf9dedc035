// persistentVolumeClaim and generic ephemeral volumes (kubelet's volume manager for a pod's
// claims). Internal to skiff_volumes.
//
// The claim is the one apis::ClaimOfVolume names: persistentVolumeClaim.claimName, or for an
// ephemeral volume "<pod>-<volume>", which must be controlled by the pod (kubelet refuses it
// otherwise, kAlreadyExists: "PVC default/web-scratch was not created for pod default/web (pod
// is not owner)"). It is read in the pod's namespace and must be bound (spec.volumeName); its
// PersistentVolume's source decides the mount:
//   hostPath  the host path, type-checked as a pod's hostPath volume
//   local     the path (PrepareLocalPathVolume: a volume of the local-path provisioner has
//             its data made on first use; any other must exist)
//   nfs       mounted at <pod volumes dir>/kubernetes.io~nfs/<volume name> with the
//             PersistentVolume's mountOptions (SetUpNfsVolume)
// and anything else is refused: "persistentvolume \"x\" has a volume type (awsElasticBlockStore)
// skiff does not support". Read-only when the pod's volume says readOnly
// (persistentVolumeClaim.readOnly; an ephemeral volume has none) or the source does.
// Errors carry kubelet's wording where kubelet has one, e.g.
//   persistentvolumeclaim "data" not found
//   error processing PVC default/data: PVC is not bound
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "skiff/common/status.h"
#include "skiff/node/pod_context.h"
#include "skiff/node/volumes.h"

namespace skiff::node::internal {

// `volume`: one of `pod`'s volumes (name, and persistentVolumeClaim or ephemeral);
// `volumes_dir`: <pod_dir>/volumes.
Result<VolumeSource> SetUpClaimVolume(const nlohmann::json& pod, const nlohmann::json& volume,
                                      const std::string& volumes_dir, const ObjectLookup& lookup);

}  // namespace skiff::node::internal
