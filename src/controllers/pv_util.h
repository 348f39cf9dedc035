// Small readers of claims, volumes, classes and nodes that the PersistentVolume controller's
// parts share. Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace skiff::controllers::pv {

using nlohmann::json;

std::string Name(const json& obj);
std::string Namespace(const json& obj);
std::string Uid(const json& obj);
std::string Phase(const json& obj);
bool HasAnnotation(const json& obj, const char* key);
std::string AnnotationOf(const json& obj, const char* key);
std::string LabelOf(const json& obj, const char* key);

// "namespace/name" of a claim, and of the claim a volume's spec.claimRef names ("" if none).
std::string ClaimKey(const json& claim);
std::string ClaimRefKey(const json& volume);
// The claimRef's uid ("" when none or unset).
std::string ClaimRefUid(const json& volume);
bool HasClaimRef(const json& volume);

// spec.volumeName of a claim.
std::string VolumeName(const json& claim);

// StorageClass fields: provisioner, volumeBindingMode (default Immediate).
std::string Provisioner(const json& storage_class);
bool WaitsForFirstConsumer(const json& storage_class);
// storageclass.kubernetes.io/is-default-class (or the beta name) is "true".
bool IsDefaultClass(const json& storage_class);

// A node a volume can be provisioned for right now: condition Ready True, not unschedulable,
// not being deleted.
bool NodeAcceptsVolumes(const json& node);

}  // namespace skiff::controllers::pv
