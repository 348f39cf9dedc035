// Matching PersistentVolumeClaims to PersistentVolumes, as Kubernetes does it
// (k8s.io/component-helpers/storage/volume: FindMatchingVolume and its helpers). The
// PersistentVolume controller binds with it, and the scheduler's volume binding checks
// WaitForFirstConsumer claims against a candidate node with it.
//
// Objects are the JSON the API serves (core/v1 PersistentVolumeClaim and PersistentVolume).
// Pure functions over their arguments; thread-safe; never throw.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "skiff/apis/quantity.h"

namespace skiff::apis {

// The claim's spec.resources.requests.storage; nullopt when missing or not a quantity.
std::optional<Quantity> ClaimStorageRequest(const nlohmann::json& claim);
// The volume's spec.capacity.storage; nullopt when missing or not a quantity.
std::optional<Quantity> VolumeStorageCapacity(const nlohmann::json& volume);

// GetPersistentVolumeClaimClass: the beta annotation volume.beta.kubernetes.io/storage-class,
// else spec.storageClassName, else "" (no class).
std::string ClaimStorageClass(const nlohmann::json& claim);
// PersistentVolumeClaimHasClass: true when the user chose a class, even "" (the beta
// annotation or spec.storageClassName present); false lets a default class be assigned.
bool ClaimHasStorageClass(const nlohmann::json& claim);
// GetPersistentVolumeClass: the beta annotation, else spec.storageClassName, else "".
std::string VolumeStorageClass(const nlohmann::json& volume);
// spec.volumeMode, "Filesystem" when unset.
std::string VolumeModeOf(const nlohmann::json& claim_or_volume);

// True when every access mode of the claim (spec.accessModes) is one of the volume's.
bool AccessModesSatisfied(const nlohmann::json& claim, const nlohmann::json& volume);
// True when the claim's spec.selector (a meta.v1.LabelSelector; absent/null = no selector)
// selects the volume's labels. A selector that does not parse selects nothing.
bool ClaimSelectorMatches(const nlohmann::json& claim, const nlohmann::json& volume);

// IsVolumeBoundToClaim: the volume's spec.claimRef names the claim (namespace and name) and
// its uid is unset or the claim's.
bool VolumeIsBoundToClaim(const nlohmann::json& volume, const nlohmann::json& claim);
// The claim's binding is complete (the scheduler's isPVCFullyBound): spec.volumeName set and
// annotation pv.kubernetes.io/bind-completed present.
bool ClaimIsBound(const nlohmann::json& claim);
// The volume is being deleted (metadata.deletionTimestamp set).
bool VolumeIsBeingDeleted(const nlohmann::json& volume);

// Why the volume a claim names in spec.volumeName cannot serve it (kube's
// checkVolumeSatisfyClaim), "" when it can: "the volume is marked for deletion \"pv\"",
// "requested PV is too small", "storageClassName does not match", "incompatible volumeMode",
// "incompatible accessMode".
std::string VolumeMismatch(const nlohmann::json& volume, const nlohmann::json& claim);

// FindMatchingVolume: the volume to bind `claim` to, or nullptr.
//  - skipped: volumes bound or pre-bound (spec.claimRef) to another claim, smaller than the
//    request, of another volumeMode, being deleted, lacking one of the claim's access modes,
//    and those node_fits (when given) rejects;
//  - a volume pre-bound to this claim (VolumeIsBoundToClaim) is returned at once (nullptr when
//    node_fits rejects it);
//  - otherwise, when delay_binding (the class binds WaitForFirstConsumer) and no node_fits is
//    given, nothing matches: the scheduler chooses;
//  - otherwise among volumes in phase Available, of the claim's storage class ("" only matches
//    ""), whose labels the claim's selector selects: the smallest one (the first listed among
//    equals).
// The returned pointer is one of `volumes`.
const nlohmann::json* FindMatchingVolume(
    const nlohmann::json& claim, const std::vector<const nlohmann::json*>& volumes,
    bool delay_binding, const std::function<bool(const nlohmann::json& pv)>& node_fits = {});

}  // namespace skiff::apis
