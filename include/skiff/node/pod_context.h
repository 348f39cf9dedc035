// What the node agent knows about a pod beyond its spec, handed to the parts that turn the spec
// into files and container configs (volumes, env, downward API).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "skiff/common/status.h"

namespace skiff::node {

// Reads an object the pod refers to: kind is "ConfigMap", "Secret", "PersistentVolumeClaim"
// (in `ns`) or "PersistentVolume" (`ns` ignored). Returns the object as JSON, or kNotFound
// when it does not exist (other codes for transient failures).
// May be called from any thread.
using ObjectLookup = std::function<Result<nlohmann::json>(
    const std::string& kind, const std::string& ns, const std::string& name)>;

// Values the downward API and fieldRef env vars expose that are not in the pod object itself
// (status fields the agent is about to write).
struct PodRuntimeInfo {
  std::string node_name;
  std::string host_ip;
  std::vector<std::string> pod_ips;  // first is status.podIP
  // Node allocatable, for resourceFieldRef of containers without limits ("cpu" in cores as a
  // Kubernetes quantity string, "memory" in bytes).
  std::string node_allocatable_cpu;
  std::string node_allocatable_memory;
  // The lowest oom_score_adj the agent can give a process: -1000 with CAP_SYS_RESOURCE, else
  // its own (without the capability a process cannot go below what it inherited, and runc
  // fails to start a container asked to: seen in VMs and LXC whose root lacks it).
  int min_oom_score_adj = -1000;
};

}  // namespace skiff::node
