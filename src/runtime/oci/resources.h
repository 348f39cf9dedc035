// Resource settings of a container's OCI spec as kubelet computes them: cgroup cpu shares,
// CFS quota and memory limit from requests/limits, the pod's QoS class and the OOM score
// adjustment that follows from it. Internal to skiff_oci.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace skiff::runtime::internal {

// "Guaranteed", "Burstable" or "BestEffort": status.qosClass when set, else computed over all
// containers and init containers (cpu and memory only) as v1qos.GetPodQOS does.
std::string PodQosClass(const nlohmann::json& pod);

// linux.resources: cpu {shares, period, quota}, memory {limit}, pids {limit} (when
// pids_limit > 0) and devices (deny-all, or allow-all when privileged).
nlohmann::json LinuxResources(const nlohmann::json& container, int64_t pids_limit, bool privileged);

// kubelet's GetContainerOOMScoreAdjust: -997 for Guaranteed and system-node-critical pods, 1000
// for BestEffort, Burstable 1000 - 1000*memoryRequest/memoryCapacity clamped to [3, 999].
int OomScoreAdj(const nlohmann::json& pod, const nlohmann::json& container,
                int64_t memory_capacity_bytes);

}  // namespace skiff::runtime::internal
