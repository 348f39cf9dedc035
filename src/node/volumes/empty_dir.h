// emptyDir volumes and the memory-backed directories that secret, downwardAPI and projected
// volumes live in (kubelet's emptyDir plugin). Internal to skiff_volumes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "skiff/common/status.h"
#include "skiff/node/pod_context.h"

namespace skiff::node::internal {

// kubelet's calculateEmptyDirMemorySize: node allocatable memory, lowered to the pod's memory
// limit (when every container has one) and to `size_limit` (when set and smaller). 0 when
// nothing is known (the kernel's tmpfs default then applies).
int64_t MemoryVolumeSize(const nlohmann::json& pod, const nlohmann::json& size_limit,
                         const PodRuntimeInfo& info);

// Creates `dir` (mode 0777, as kubelet's emptyDir), mounting a tmpfs of `tmpfs_size` bytes there
// when `memory` (unless one is mounted already). An existing directory keeps its contents.
Status SetUpEmptyDir(const std::string& dir, bool memory, int64_t tmpfs_size);

}  // namespace skiff::node::internal
