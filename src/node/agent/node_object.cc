#include "node_object.h"

#include "api/object_util.h"
#include "skiff/cli/version.h"

namespace skiff::node {
namespace {

using nlohmann::json;

std::string Ki(int64_t bytes) { return std::to_string(bytes / 1024) + "Ki"; }

json Condition(const std::string& type, bool value, const std::string& reason,
               const std::string& message, const std::string& now, const json& previous) {
  std::string transition = now;
  const std::string status = value ? "True" : "False";
  if (previous.is_object() && previous.contains("conditions") && previous["conditions"].is_array()) {
    for (const json& c : previous["conditions"]) {
      if (c.value("type", "") == type && c.value("status", "") == status) {
        transition = c.value("lastTransitionTime", now);
      }
    }
  }
  return {{"type", type},           {"status", status},   {"lastHeartbeatTime", now},
          {"lastTransitionTime", transition}, {"reason", reason}, {"message", message}};
}

// The capacity less the signal's threshold (none: the whole capacity).
int64_t HeldBack(const apis::EvictionThresholds& thresholds, apis::EvictionSignal signal,
                 int64_t capacity) {
  const apis::EvictionThreshold* t = apis::FindThreshold(thresholds, signal);
  return std::max<int64_t>(0, capacity - (t ? t->Amount(capacity) : 0));
}

}  // namespace

int64_t AllocatableMemory(const AgentConfig& config, const HostFacts& f) {
  return HeldBack(config.eviction_hard, apis::EvictionSignal::kMemoryAvailable, f.memory_bytes);
}

int64_t AllocatableEphemeralStorage(const AgentConfig& config, const HostFacts& f) {
  return HeldBack(config.eviction_hard, apis::EvictionSignal::kNodefsAvailable, f.disk_bytes);
}

NodePressure PressureOf(const AgentConfig& config, const HostFacts& f) {
  return PressureFrom(ThresholdsMet(config.eviction_hard, f));
}

json BuildNodeStatus(const AgentConfig& config, const HostFacts& f, const json& previous,
                     std::chrono::system_clock::time_point now) {
  return BuildNodeStatus(config, f, PressureOf(config, f), previous, now);
}

json BuildNodeStatus(const AgentConfig& config, const HostFacts& f, const NodePressure& pressure,
                     const json& previous, std::chrono::system_clock::time_point now_tp) {
  const std::string now = api::Rfc3339(now_tp);
  const std::string kubelet = "v" + std::string(cli::kKubernetesVersion) + "+skiff";
  json status;
  status["capacity"] = {{"cpu", std::to_string(f.cpus)},
                        {"memory", Ki(f.memory_bytes)},
                        {"ephemeral-storage", Ki(f.disk_bytes)},
                        {"hugepages-1Gi", "0"},
                        {"hugepages-2Mi", "0"},
                        {"pods", std::to_string(config.max_pods)}};
  status["allocatable"] = status["capacity"];
  status["allocatable"]["memory"] = Ki(AllocatableMemory(config, f));
  status["allocatable"]["ephemeral-storage"] =
      std::to_string(AllocatableEphemeralStorage(config, f));
  status["addresses"] = json::array();
  if (!config.node_ip.empty()) {
    status["addresses"].push_back({{"type", "InternalIP"}, {"address", config.node_ip}});
  }
  status["addresses"].push_back({{"type", "Hostname"}, {"address", config.hostname}});
  status["daemonEndpoints"] = {{"kubeletEndpoint", {{"Port", 10250}}}};
  status["nodeInfo"] = {{"machineID", f.machine_id},
                        {"systemUUID", f.system_uuid},
                        {"bootID", f.boot_id},
                        {"kernelVersion", f.kernel_version},
                        {"osImage", f.os_image},
                        {"containerRuntimeVersion", "skiff://" + std::string(cli::SkiffVersion())},
                        {"kubeletVersion", kubelet},
                        {"kubeProxyVersion", kubelet},
                        {"operatingSystem", "linux"},
                        {"architecture", f.architecture}};
  const bool memory_pressure = pressure.memory;
  const bool disk_pressure = pressure.disk;
  const bool pid_pressure = pressure.pid;
  status["conditions"] = json::array(
      {Condition("MemoryPressure", memory_pressure,
                 memory_pressure ? "KubeletHasInsufficientMemory" : "KubeletHasSufficientMemory",
                 memory_pressure ? "kubelet has insufficient memory available"
                                 : "kubelet has sufficient memory available",
                 now, previous),
       Condition("DiskPressure", disk_pressure,
                 disk_pressure ? "KubeletHasDiskPressure" : "KubeletHasNoDiskPressure",
                 disk_pressure ? "kubelet has disk pressure" : "kubelet has no disk pressure", now,
                 previous),
       Condition("PIDPressure", pid_pressure,
                 pid_pressure ? "KubeletHasInsufficientPID" : "KubeletHasSufficientPID",
                 pid_pressure ? "kubelet has insufficient PID available"
                              : "kubelet has sufficient PID available",
                 now, previous),
       Condition("Ready", true, "KubeletReady", "kubelet is posting ready status", now, previous)});
  return status;
}

json BuildNode(const AgentConfig& config, const HostFacts& f,
               std::chrono::system_clock::time_point now) {
  json labels = {{"kubernetes.io/hostname", config.hostname},
                 {"kubernetes.io/os", "linux"},
                 {"kubernetes.io/arch", f.architecture},
                 {"beta.kubernetes.io/os", "linux"},
                 {"beta.kubernetes.io/arch", f.architecture}};
  if (config.control_plane) {
    labels["node-role.kubernetes.io/control-plane"] = "true";
    labels["node-role.kubernetes.io/master"] = "true";
  }
  json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata", {{"name", config.node_name}, {"labels", labels}}},
               {"spec", json::object()}};
  if (!config.pod_cidr.empty()) {
    node["spec"]["podCIDR"] = config.pod_cidr;
    node["spec"]["podCIDRs"] = json::array({config.pod_cidr});
  }
  node["status"] = BuildNodeStatus(config, f, json(), now);
  return node;
}

}  // namespace skiff::node
