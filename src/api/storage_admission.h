// The admission kube-apiserver applies to storage objects (its DefaultStorageClass,
// StorageObjectInUseProtection and PersistentVolumeClaimResize plugins):
// - A new PersistentVolumeClaim without spec.storageClassName (absent, and without the beta
//   annotation volume.beta.kubernetes.io/storage-class; "" means "no class" and stays) gets the
//   name of the default StorageClass: the one annotated
//   storageclass.kubernetes.io/is-default-class (or the beta key) "true"; of several, the
//   newest by creationTimestamp, then the first by name (kube 1.28+). No default: left unset.
// - Every new PersistentVolumeClaim gets the finalizer kubernetes.io/pvc-protection, every new
//   PersistentVolume kubernetes.io/pv-protection (once); the protection controllers remove them
//   when the object is no longer in use.
// - An update of a claim (not its status) that raises spec.resources.requests.storage is
//   refused (403) unless the claim is Bound and its StorageClass (the same before and after)
//   has allowVolumeExpansion true, with kube's messages. Lowering the request is validation's
//   business (ValidatePVCUpdate), not this.
// Objects are in their storage shape (core/v1). 403 messages are the bare reason: the caller
// prefixes `<resource> "<name>" is forbidden: `.
#pragma once

#include <nlohmann/json.hpp>

#include "api_error.h"
#include "skiff/apis/registry.h"

namespace skiff::api {

class Resources;

// Whether the storage admission has anything to say about objects of `rt`.
bool IsStorageAdmitted(const apis::ResourceType& rt);

// Mutates a new PersistentVolumeClaim or PersistentVolume (other kinds are left alone).
ApiResult<bool> AdmitStorageCreate(Resources& resources, const apis::ResourceType& rt,
                                   nlohmann::json& obj);

// Checks an update of a PersistentVolumeClaim's main resource (other kinds pass).
ApiResult<bool> AdmitStorageUpdate(Resources& resources, const apis::ResourceType& rt,
                                   const nlohmann::json& obj, const nlohmann::json& old);

// The default class among `classes` (StorageClass objects), or nullptr.
const nlohmann::json* DefaultStorageClass(const nlohmann::json& classes);

}  // namespace skiff::api
