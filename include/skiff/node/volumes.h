// A pod's volumes on the node: the directories, tmpfs mounts and files that the pod's
// volumeMounts bind into its containers, laid out as kubelet does.
//
//   <pod_dir>/volumes/kubernetes.io~empty-dir/<name>      emptyDir (tmpfs when medium Memory)
//   <pod_dir>/volumes/kubernetes.io~configmap/<name>      atomic-writer volumes: files live in
//   <pod_dir>/volumes/kubernetes.io~secret/<name>           "..<timestamp>/", "..data" links to
//   <pod_dir>/volumes/kubernetes.io~downward-api/<name>     it, and each top-level entry is a
//   <pod_dir>/volumes/kubernetes.io~projected/<name>        symlink "<entry> -> ..data/<entry>"
//   hostPath: no directory; the VolumeSource path is the host path itself.
//   <pod_dir>/volumes/kubernetes.io~nfs/<name>           nfs: a mount of server:/path (see
//                                                           src/node/volumes/nfs_volume.h)
//   persistentVolumeClaim, ephemeral: the bound PersistentVolume's source (an ephemeral
//   volume's claim is "<pod>-<volume>" and must be the pod's; src/node/volumes/claim_volume.h)
// Volume directories are mode 0777 (tmpfs roots 1777), as kubelet's emptyDir makes them.
//
// Secret, downwardAPI and projected volumes are tmpfs mounts, as kubelet makes them (secrets
// never touch disk), sized like a medium-Memory emptyDir; configMap volumes are on disk.
// fsGroup (pod securityContext): volume files are group-owned by it with g+r (emptyDir: g+rw),
// directories setgid, as kubelet's SetVolumeOwnership does. ConfigMap, Secret, downwardAPI
// and projected contents are rewritten by RefreshPodVolumes only when they changed: a new
// timestamped directory is written, "..data" is swapped with rename(2), then the top-level
// links are fixed and the old directory removed, so a reader inside the container sees the old
// or the new set of files, never a mix.
//
// Errors: the message is what kubelet shows in a FailedMount event, e.g.
//   MountVolume.SetUp failed for volume "cfg" : configmap "app-config" not found
//   MountVolume.SetUp failed for volume "data" : hostPath type check failed: /srv is not a
//   directory
// Code kNotFound when a referenced ConfigMap/Secret is missing, kInvalidArgument for spec
// problems (missing key, hostPath type), kUnimplemented for volume types skiff does not serve
// (csi, iscsi, ...), kAlreadyExists when an ephemeral volume's claim is not the pod's,
// kUnavailable when the lookup failed transiently,
// kInternal for file-system failures (naming the path).
//
// Thread-safety: the functions keep no state. Calls for different pods may run concurrently;
// calls for the same pod must be serialized by the caller (the pod's worker).
// Requires root (tmpfs mounts, chown).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "skiff/common/status.h"
#include "skiff/node/pod_context.h"

namespace skiff::node {

// A prepared volume, as the OCI spec builder binds it into containers.
struct VolumeSource {
  std::string path;        // host path to bind (the volume directory, or the hostPath)
  bool read_only = false;  // forced read-only (configMap, secret, downwardAPI, projected)
  // emptyDir on disk with spec.emptyDir.sizeLimit: the limit in bytes, recorded for the agent
  // to enforce by usage (0 = none). Memory-backed emptyDirs are limited by their tmpfs size.
  int64_t size_limit_bytes = 0;
  // A claim's local volume, whose ownership follows the pod's fsGroup (kubelet's
  // SetVolumeOwnership); host paths and NFS are left as they are.
  bool owned = false;
};

// Volume plugin directory names, as kubelet names them.
inline constexpr const char* kEmptyDirPlugin = "kubernetes.io~empty-dir";
inline constexpr const char* kConfigMapPlugin = "kubernetes.io~configmap";
inline constexpr const char* kSecretPlugin = "kubernetes.io~secret";
inline constexpr const char* kDownwardApiPlugin = "kubernetes.io~downward-api";
inline constexpr const char* kProjectedPlugin = "kubernetes.io~projected";

// Sets up every volume in pod.spec.volumes under <pod_dir>/volumes and returns volume name ->
// source. Idempotent: an existing emptyDir keeps its contents, a tmpfs already mounted is not
// mounted again, atomic-writer volumes are (re)written only when their contents differ. On
// failure the volumes set up so far stay (TearDownPodVolumes removes them); the call may be
// retried. `pod_dir` must exist.
Result<std::map<std::string, VolumeSource>> SetUpPodVolumes(const nlohmann::json& pod,
                                                            const std::string& pod_dir,
                                                            const ObjectLookup& lookup,
                                                            const PodRuntimeInfo& info);

// Re-reads the ConfigMaps, Secrets and pod fields behind configMap, secret, downwardAPI and
// projected volumes and rewrites each volume whose contents changed (atomically, as above);
// a volume whose contents are unchanged keeps its "..data" target. emptyDir and hostPath are
// left alone. When a volume fails (e.g. its ConfigMap was deleted and is not optional), its old
// contents stay and the other volumes are still refreshed; the first error is returned.
Status RefreshPodVolumes(const nlohmann::json& pod, const std::string& pod_dir,
                         const ObjectLookup& lookup, const PodRuntimeInfo& info);

// Unmounts every mount under <pod_dir>/volumes (deepest first, lazily if busy; an NFS mount
// forced and detached when a plain unmount has not finished in 5 s, so a dead server never
// hangs it) and removes that directory tree, never crossing into a mount that could not be unmounted. OK when nothing is
// there. Host paths of hostPath volumes are never touched.
Status TearDownPodVolumes(const std::string& pod_dir);

}  // namespace skiff::node
