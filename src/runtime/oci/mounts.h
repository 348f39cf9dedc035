// The mounts of a container's OCI spec: containerd's defaults, the pod's host files and the
// container's volumeMounts, ordered so a parent is mounted before its children. Internal to
// skiff_oci.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "environment.h"
#include "skiff/common/status.h"
#include "skiff/runtime/oci_spec.h"

namespace skiff::runtime::internal {

struct MountPlan {
  nlohmann::json mounts = nlohmann::json::array();  // OCI "mounts"
  std::string rootfs_propagation;                   // "" unless a volumeMount needs one
};

// `env` is the container's own env (subPathExpr expands from it). Errors are kubelet's
// CreateContainerConfigError messages (a volume that is not in input.volumes, subPath
// problems).
Result<MountPlan> BuildMounts(const ContainerSpecInput& input, const std::vector<EnvVar>& env);

// Kubernetes' subPath checks and preparation: `sub_path` must be relative without "..";
// its resolved path (symlinks followed) must stay inside `volume_path`; a missing subPath is
// created as a directory with the volume directory's mode. Returns the resolved host path.
Result<std::string> PrepareSubPath(const std::string& volume_path, const std::string& sub_path);

}  // namespace skiff::runtime::internal
