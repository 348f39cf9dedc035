#include "pod_admission.h"

#include <algorithm>

#include "object_util.h"
#include "resources.h"

namespace skiff::api {
namespace {

using nlohmann::json;

constexpr int64_t kDefaultTolerationSeconds = 300;

const apis::ResourceType& PriorityClassType(const Resources& resources) {
  return *resources.registry().Find("scheduling.k8s.io", "v1", "priorityclasses");
}

// Whether `t` tolerates a NoExecute taint with this key and no value (v1.Toleration
// ToleratesTaint).
bool Tolerates(const json& t, const std::string& key) {
  if (!t.is_object()) return false;
  const std::string effect = t.value("effect", "");
  if (!effect.empty() && effect != "NoExecute") return false;
  const std::string tkey = t.value("key", "");
  if (!tkey.empty() && tkey != key) return false;
  const std::string op = t.value("operator", "Equal");
  if (op == "Exists") return true;
  return op == "Equal" && t.value("value", "").empty() && !tkey.empty();
}

void AddDefaultTolerations(json& pod) {
  json& spec = pod["spec"];
  json tolerations = spec.contains("tolerations") && spec["tolerations"].is_array()
                         ? spec["tolerations"]
                         : json::array();
  bool changed = false;
  for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    bool tolerated = false;
    for (const json& t : tolerations) tolerated = tolerated || Tolerates(t, key);
    if (tolerated) continue;
    tolerations.push_back({{"key", key},
                           {"operator", "Exists"},
                           {"effect", "NoExecute"},
                           {"tolerationSeconds", kDefaultTolerationSeconds}});
    changed = true;
  }
  if (changed) spec["tolerations"] = std::move(tolerations);
}

ApiResult<bool> AdmitPriority(Resources& resources, json& pod) {
  json& spec = pod["spec"];
  const std::string name = spec.value("priorityClassName", "");
  int64_t priority = 0;
  std::string policy;
  if (!name.empty()) {
    auto pc = resources.Get(PriorityClassType(resources), "", name);
    if (!pc.ok()) {
      if (pc.error().code == 404) {
        return Forbidden("no PriorityClass with name " + name + " was found");
      }
      return pc.error();
    }
    priority = pc->value("value", int64_t{0});
    policy = pc->value("preemptionPolicy", "");
  } else {
    auto all = resources.List(PriorityClassType(resources), "", ListOptions{});
    if (!all.ok()) return all.error();
    for (const json& pc : (*all)["items"]) {
      if (!pc.value("globalDefault", false)) continue;
      spec["priorityClassName"] = GetString(pc, {"metadata", "name"});
      priority = pc.value("value", int64_t{0});
      policy = pc.value("preemptionPolicy", "");
      break;
    }
  }
  if (spec.contains("priority") && spec["priority"].is_number_integer() &&
      spec["priority"].get<int64_t>() != priority) {
    return Forbidden("the integer value of priority (" +
                     std::to_string(spec["priority"].get<int64_t>()) +
                     ") must not be provided in pod spec; priority admission controller "
                     "computed " +
                     std::to_string(priority) + " from the given PriorityClass name");
  }
  spec["priority"] = priority;
  if (!policy.empty()) {
    const std::string own = spec.value("preemptionPolicy", "");
    if (!own.empty() && own != policy) {
      return Forbidden("the string value of PreemptionPolicy (" + own +
                       ") must not be provided in pod spec; priority admission controller "
                       "computed " +
                       policy + " from the given PriorityClass name");
    }
    spec["preemptionPolicy"] = policy;
  }
  return true;
}

}  // namespace

ApiResult<bool> AdmitPodCreate(Resources& resources, json& pod) {
  if (!pod.contains("spec") || !pod["spec"].is_object()) return true;
  auto admitted = AdmitPriority(resources, pod);
  if (!admitted.ok()) return admitted;
  AddDefaultTolerations(pod);
  return true;
}

std::vector<std::string> UnsupportedVolumeWarnings(const json& pod_spec, const std::string& path) {
  static const char* const kServed[] = {
      "name",   "emptyDir",    "hostPath",  "configMap",
      "secret", "downwardAPI", "projected", "persistentVolumeClaim",
      "nfs",    "ephemeral"};
  std::vector<std::string> warnings;
  if (!pod_spec.is_object() || !pod_spec.contains("volumes") || !pod_spec["volumes"].is_array()) {
    return warnings;
  }
  const json& volumes = pod_spec["volumes"];
  for (size_t i = 0; i < volumes.size(); ++i) {
    if (!volumes[i].is_object()) continue;
    for (auto it = volumes[i].begin(); it != volumes[i].end(); ++it) {
      if (it->is_null() || std::find(std::begin(kServed), std::end(kServed), it.key()) !=
                               std::end(kServed)) {
        continue;
      }
      warnings.push_back(path + ".volumes[" + std::to_string(i) + "]." + it.key() +
                         ": volume type not supported by skiff; the pod will not start");
    }
  }
  return warnings;
}

std::vector<json> SystemPriorityClasses() {
  auto make = [](const char* name, int64_t value, const char* description) {
    return json{{"apiVersion", "scheduling.k8s.io/v1"},
                {"kind", "PriorityClass"},
                {"metadata", {{"name", name}}},
                {"value", value},
                {"preemptionPolicy", "PreemptLowerPriority"},
                {"description", description}};
  };
  return {make("system-node-critical", 2000001000,
               "Used for system critical pods that must not be moved from their current node."),
          make("system-cluster-critical", 2000000000,
               "Used for system critical pods that must run in the cluster, but can be moved "
               "to another node if necessary.")};
}

}  // namespace skiff::api
