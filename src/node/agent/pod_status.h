// The status kubelet would post for a pod, computed from the agent's record of it: phase
// (kubelet's getPhase rules), conditions (PodReadyToStartContainers, Initialized,
// ContainersReady, Ready, PodScheduled), container and init container statuses, IPs, start
// time, and reason Evicted with the eviction message when the agent evicted the pod (then
// Failed; a node-pressure eviction adds the DisruptionTarget condition, reason
// TerminationByKubelet). Pure function of its inputs.
#pragma once

#include <nlohmann/json.hpp>

#include "pod_record.h"

namespace skiff::node {

// `pod` is the API object (its spec, and its current status for lastTransitionTime and
// terminal phases); `host_ip` is the node's address.
nlohmann::json ComputePodStatus(const nlohmann::json& pod, const PodRecord& record,
                                const std::string& host_ip, const std::string& now);

// "Running", "Succeeded", ... as getPhase decides from the record.
std::string PodPhase(const nlohmann::json& pod, const PodRecord& record);

}  // namespace skiff::node
