// Names shared by the parts of skiff's storage: the API's admission, the PersistentVolume
// controllers, the scheduler's volume binding and the node agent's volumes.
//
// The built-in local-path provisioner: a claim of a StorageClass whose provisioner is
// kLocalPathProvisioner gets a PersistentVolume named "pvc-<claim uid>" with
//   spec.local.path    <root>/pvc-<claim uid>_<namespace>_<claim name>
//   spec.nodeAffinity  kubernetes.io/hostname In [<the node it was provisioned for>]
//   annotations        pv.kubernetes.io/provisioned-by: skiff.io/local-path
//                      skiff.io/local-path-capacity: "enforced" | "unenforced"
//   finalizers         skiff.io/local-path-cleanup
// The node agent of that node creates the data (a directory, or for "enforced" an ext4 image
// of the claim's size loop-mounted on that directory) when a pod first mounts the volume,
// grows it when the PersistentVolume's capacity grows, and removes it when the
// PersistentVolume is being deleted, then drops the finalizer.
#pragma once

namespace skiff::apis {

inline constexpr const char* kLocalPathProvisioner = "skiff.io/local-path";
inline constexpr const char* kLocalPathStorageClass = "local-path";
// StorageClass parameter: "enforced" (default) or "unenforced" (a plain directory).
inline constexpr const char* kLocalPathCapacityParameter = "capacity";
inline constexpr const char* kLocalPathCapacityAnnotation = "skiff.io/local-path-capacity";
inline constexpr const char* kLocalPathCleanupFinalizer = "skiff.io/local-path-cleanup";

// Kubernetes' own names.
inline constexpr const char* kProvisionedByAnnotation = "pv.kubernetes.io/provisioned-by";
inline constexpr const char* kBindCompletedAnnotation = "pv.kubernetes.io/bind-completed";
inline constexpr const char* kBoundByControllerAnnotation = "pv.kubernetes.io/bound-by-controller";
inline constexpr const char* kSelectedNodeAnnotation = "volume.kubernetes.io/selected-node";
inline constexpr const char* kStorageProvisionerAnnotation = "volume.kubernetes.io/storage-provisioner";
inline constexpr const char* kBetaStorageProvisionerAnnotation =
    "volume.beta.kubernetes.io/storage-provisioner";
inline constexpr const char* kDefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class";
inline constexpr const char* kPvcProtectionFinalizer = "kubernetes.io/pvc-protection";
inline constexpr const char* kPvProtectionFinalizer = "kubernetes.io/pv-protection";
inline constexpr const char* kNoProvisioner = "kubernetes.io/no-provisioner";

}  // namespace skiff::apis
