// A pod's QoS class (k8s.io/kubernetes/pkg/apis/core/helper/qos GetPodQOS), shared by defaulting
// (status.qosClass at create) and the node (cgroup and OOM score settings).
// Pure function; thread-safe; never throws.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace skiff::apis {

// "Guaranteed", "Burstable" or "BestEffort" for a pod spec, from the cpu and memory requests and
// limits of its containers and init containers: BestEffort when no container sets a positive
// request or limit; Guaranteed when every container limits both cpu and memory and the summed
// requests equal the summed limits; else Burstable. Unparsable, zero and negative quantities
// count as unset; a spec of the wrong shape reads as empty.
std::string PodQOSClass(const nlohmann::json& pod_spec);

}  // namespace skiff::apis
