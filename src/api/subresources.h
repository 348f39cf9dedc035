// Subresources with their own object shape: scale (autoscaling/v1 Scale over a workload's
// spec.replicas) and binding (assigning a pod to a node, as the scheduler does).
#pragma once

#include <string>

#include "resources.h"

namespace skiff::api {

// GET .../scale: the Scale view of a Deployment, ReplicaSet or StatefulSet.
ApiResult<json> GetScale(Resources& res, const apis::ResourceType& rt, const std::string& ns,
                         const std::string& name);
// PUT .../scale (body: a Scale) and PATCH .../scale (a patch of the Scale): sets
// spec.replicas of the workload and answers the new Scale.
ApiResult<json> UpdateScale(Resources& res, const apis::ResourceType& rt, const std::string& ns,
                            const std::string& name, const json& scale);
ApiResult<json> PatchScale(Resources& res, const apis::ResourceType& rt, const std::string& ns,
                           const std::string& name, const std::string& content_type,
                           const std::string& body);
// POST pods/{name}/binding or POST bindings: sets spec.nodeName of an unassigned pod.
ApiResult<json> BindPod(Resources& res, const std::string& ns, const std::string& pod_name,
                        const json& binding);

}  // namespace skiff::api
