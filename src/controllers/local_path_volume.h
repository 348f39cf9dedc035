// The PersistentVolume skiff's built-in local-path provisioner creates for a claim, exactly as
// include/skiff/apis/storage.h describes it: name "pvc-<claim uid>", spec.local.path
// "<root>/pvc-<uid>_<namespace>_<name>", capacity = the claim's storage request, the claim's
// access modes, volumeMode Filesystem, the class's reclaimPolicy (default Delete), mountOptions
// and name, a claimRef pre-bound to the claim (kind, namespace, name, uid, apiVersion,
// resourceVersion), node affinity kubernetes.io/hostname In [node], annotations
// pv.kubernetes.io/provisioned-by, pv.kubernetes.io/bound-by-controller and
// skiff.io/local-path-capacity (the class's "capacity" parameter), and the finalizer
// skiff.io/local-path-cleanup.
//
// What the provisioner cannot serve is kInvalidArgument with the reason as the message (it
// becomes the claim's ProvisioningFailed event): access modes other than ReadWriteOnce and
// ReadWriteOncePod, volumeMode Block, a claim selector, no storage request, a "capacity"
// parameter other than "enforced" or "unenforced". Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "skiff/common/status.h"

namespace skiff::controllers {

// "pvc-<claim uid>".
std::string LocalPathVolumeName(const nlohmann::json& claim);

Result<nlohmann::json> LocalPathVolume(const nlohmann::json& claim,
                                       const nlohmann::json& storage_class, const std::string& node,
                                       const std::string& root);

}  // namespace skiff::controllers
