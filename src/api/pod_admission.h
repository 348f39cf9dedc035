// The mutating admission kube-apiserver applies to every new pod, after defaulting:
// - Priority: spec.priorityClassName names a PriorityClass whose value becomes spec.priority
//   (and its preemptionPolicy spec.preemptionPolicy, unless the pod sets the same); without a
//   name the globalDefault class applies, if there is one (its name is set on the pod), else
//   priority 0. Unknown classes, and a pod that sets a priority or preemption policy other than
//   its class's, are refused (403, Kubernetes' messages).
// - DefaultTolerationSeconds: a pod that does not tolerate the node.kubernetes.io/not-ready or
//   node.kubernetes.io/unreachable NoExecute taints gets a toleration of each for 300 s, so
//   it is evicted 5 minutes after its node stops answering.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_error.h"

namespace skiff::api {

class Resources;

// `pod` is the new pod in its storage shape; `resources` is used to read PriorityClasses.
ApiResult<bool> AdmitPodCreate(Resources& resources, nlohmann::json& pod);

// Warnings (returned to the client, as kube's for deprecated volume types) for the volumes of
// a pod spec that skiff's node agent cannot mount, so that a pod which would sit in
// ContainerCreating with FailedMount events is flagged when it is written, e.g.
//   spec.volumes[0].awsElasticBlockStore: volume type not supported by skiff; the pod will
//   not start
// `path`: where the pod spec is ("spec", or "spec.template.spec" in a workload).
std::vector<std::string> UnsupportedVolumeWarnings(const nlohmann::json& pod_spec,
                                                   const std::string& path);

// The PriorityClasses every cluster has (kube-apiserver creates them at start):
// system-node-critical (2000001000) and system-cluster-critical (2000000000).
std::vector<nlohmann::json> SystemPriorityClasses();

}  // namespace skiff::api
