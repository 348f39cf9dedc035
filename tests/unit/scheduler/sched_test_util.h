// Builders for the scheduler tests: Node and Pod JSON as the API serves them (v1), and NodeInfos.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scheduler/node_info.h"
#include "scheduler/pod_info.h"

namespace sched_test {

using nlohmann::json;

// A Ready node with kubernetes.io/hostname=<name> and the given allocatable resources.
inline json Node(const std::string& name, const std::string& cpu = "4",
                 const std::string& memory = "8Gi", int pods = 110) {
  return json{{"apiVersion", "v1"},
              {"kind", "Node"},
              {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/hostname", name}}}}},
              {"spec", json::object()},
              {"status",
               {{"allocatable",
                 {{"cpu", cpu},
                  {"memory", memory},
                  {"pods", std::to_string(pods)},
                  {"ephemeral-storage", "100Gi"}}}}}};
}

// A pod in namespace "default" with uid "uid-<name>" and one container requesting cpu/memory
// (omitted when empty).
inline json Pod(const std::string& name, const std::string& cpu = "",
                const std::string& memory = "") {
  json requests = json::object();
  if (!cpu.empty()) requests["cpu"] = cpu;
  if (!memory.empty()) requests["memory"] = memory;
  json container = {{"name", "c"}, {"image", "busybox"}};
  if (!requests.empty()) container["resources"] = {{"requests", requests}};
  return json{{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"namespace", "default"}, {"uid", "uid-" + name}}},
              {"spec", {{"containers", json::array({container})}}}};
}

// Marks `pod` as controlled by the owner with this uid.
inline json Owned(json pod, const std::string& owner_uid) {
  pod["metadata"]["ownerReferences"] = json::array({{{"apiVersion", "apps/v1"},
                                                     {"kind", "ReplicaSet"},
                                                     {"name", "rs-" + owner_uid},
                                                     {"uid", owner_uid},
                                                     {"controller", true}}});
  return pod;
}

inline json Labeled(json obj, const json& labels) {
  for (const auto& [k, v] : labels.items()) obj["metadata"]["labels"][k] = v;
  return obj;
}

inline skiff::scheduler::NodeInfo MakeNodeInfo(const json& node,
                                               const std::vector<json>& pods = {}) {
  skiff::scheduler::NodeInfo ni(node);
  for (const json& p : pods) ni.AddPod(p);
  return ni;
}

inline std::vector<const skiff::scheduler::NodeInfo*> Ptrs(
    const std::vector<skiff::scheduler::NodeInfo>& nodes) {
  std::vector<const skiff::scheduler::NodeInfo*> out;
  for (const auto& n : nodes) out.push_back(&n);
  return out;
}

}  // namespace sched_test
