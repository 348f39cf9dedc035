#include "pressure_pods.h"

#include <algorithm>
#include <optional>

#include "api/object_util.h"
#include "scheduler/resources.h"
#include "scheduler/taints.h"
#include "skiff/apis/qos.h"
#include "skiff/apis/quantity.h"

namespace skiff::node {
namespace {

using nlohmann::json;

// The member at `path`, or null.
const json& At(const json& obj, std::initializer_list<const char*> path) {
  static const json kNull;
  const json* v = api::Find(obj, path);
  return v ? *v : kNull;
}

int64_t Priority(const json& pod) {
  const json& p = At(pod, {"spec", "priority"});
  return p.is_number_integer() ? p.get<int64_t>() : 0;
}

// GetResourceRequestQuantity: the pod's effective request of `resource` (inodes and pids have
// none).
int64_t Request(const json& pod, EvictionResource resource) {
  if (resource != EvictionResource::kMemory && resource != EvictionResource::kEphemeralStorage) {
    return 0;
  }
  const scheduler::Resources r = scheduler::ComputePodRequests(At(pod, {"spec"})).requests;
  return resource == EvictionResource::kMemory ? r.memory : r.ephemeral_storage;
}

// resource.NewQuantity(value, format): printed as Kubernetes does (CanonicalString wants
// the trailing zeros in the exponent, as parsing leaves them).
apis::Quantity QuantityOf(int64_t value, apis::Quantity::Format format) {
  apis::Quantity q = apis::ParseQuantity(std::to_string(value)).value_or(apis::Quantity{});
  q.format = format;
  return q;
}

std::string Printed(int64_t value, apis::Quantity::Format format) {
  return apis::CanonicalString(QuantityOf(value, format));
}

// The threshold as kubelet prints it: a percentage's amount in binary units; a quantity as
// given, which here means binary units when it is a whole number of KiB.
std::string ThresholdText(const ThresholdMet& met) {
  const bool binary = met.threshold.percentage > 0 || met.amount % 1024 == 0;
  return Printed(met.amount,
                 binary ? apis::Quantity::Format::kBinarySI : apis::Quantity::Format::kDecimalSI);
}

// Bytes print in binary units, counts (inodes, process ids) in decimal ones.
std::string AvailableText(const ThresholdMet& met) {
  const EvictionResource r = ResourceOf(met.threshold.signal);
  const bool bytes = r == EvictionResource::kMemory || r == EvictionResource::kEphemeralStorage;
  return Printed(met.observed.available,
                 bytes ? apis::Quantity::Format::kBinarySI : apis::Quantity::Format::kDecimalSI);
}

// "Container ... has larger consumption of ..." for one container, or "".
std::string ContainerSentence(const json& container, EvictionResource resource,
                              const PodUsage& usage) {
  const std::string name = api::GetString(container, {"name"});
  auto used = usage.containers.find(name);
  if (used == usage.containers.end()) return "";
  const std::string resource_name = ResourceName(resource);
  const json& requested = At(container, {"resources", "requests", resource_name.c_str()});
  apis::Quantity request;
  if (auto q = apis::QuantityFromJson(requested)) request = *q;
  const apis::Quantity usage_q = QuantityOf(used->second, apis::Quantity::Format::kBinarySI);
  if (apis::CompareQuantity(usage_q, request) <= 0) return "";
  return "Container " + name + " was using " + apis::CanonicalString(usage_q) + ", request is " +
         apis::CanonicalString(request) + ", has larger consumption of " + resource_name + ". ";
}

struct RankKey {
  bool exceeds;  // usage above requests
  int64_t priority;
  int64_t over;  // usage less requests (pids: processes)
};

RankKey KeyOf(const EvictionCandidate& c, EvictionResource resource) {
  const int64_t request = Request(c.pod, resource);
  return {c.usage.total > request, Priority(c.pod), c.usage.total - request};
}

// kubelet's cmpBool: true first (-1), equal 0.
int TrueFirst(bool a, bool b) { return a == b ? 0 : (a ? -1 : 1); }

int Compare(const RankKey& a, const RankKey& b, EvictionResource resource) {
  auto by_priority = [&] {
    return a.priority == b.priority ? 0 : (a.priority < b.priority ? -1 : 1);
  };
  auto by_usage = [&] { return a.over == b.over ? 0 : (a.over > b.over ? -1 : 1); };
  int c = resource == EvictionResource::kPids ? 0 : TrueFirst(a.exceeds, b.exceeds);
  if (c == 0) c = by_priority();
  return c != 0 ? c : by_usage();
}

}  // namespace

void RankForEviction(EvictionResource resource, std::vector<EvictionCandidate>& candidates) {
  std::vector<std::pair<RankKey, EvictionCandidate>> keyed;
  keyed.reserve(candidates.size());
  for (EvictionCandidate& c : candidates) {
    RankKey key = KeyOf(c, resource);
    keyed.emplace_back(key, std::move(c));
  }
  std::stable_sort(keyed.begin(), keyed.end(), [resource](const auto& a, const auto& b) {
    return Compare(a.first, b.first, resource) < 0;
  });
  candidates.clear();
  for (auto& [key, c] : keyed) candidates.push_back(std::move(c));
}

bool IsCriticalPod(const json& pod) {
  const json& source = At(pod, {"metadata", "annotations", "kubernetes.io/config.source"});
  if (source.is_string() && source.get<std::string>() != "api") return true;
  if (api::Find(pod, {"metadata", "annotations", "kubernetes.io/config.mirror"})) return true;
  return Priority(pod) >= kSystemCriticalPriority;
}

std::string EvictionMessage(const ThresholdMet& met, const json& pod, const PodUsage& usage) {
  const EvictionResource resource = ResourceOf(met.threshold.signal);
  std::string message = "The node was low on resource: " + ResourceName(resource) +
                        ". Threshold quantity: " + ThresholdText(met) +
                        ", available: " + AvailableText(met) + ". ";
  if (resource != EvictionResource::kMemory && resource != EvictionResource::kEphemeralStorage) {
    return message;
  }
  for (const char* field : {"containers", "initContainers"}) {
    const json& list = At(pod, {"spec", field});
    for (const json& c : list.is_array() ? list : json::array()) {
      message += ContainerSentence(c, resource, usage);
    }
  }
  return message;
}

std::string AdmissionRefusal(const NodePressure& conditions, const json& pod) {
  if (!conditions.Any() || IsCriticalPod(pod)) return "";
  if (conditions.memory && !conditions.disk && !conditions.pid) {
    if (apis::PodQOSClass(At(pod, {"spec"})) != "BestEffort") return "";
    const scheduler::Taint taint{"node.kubernetes.io/memory-pressure", "", "NoSchedule"};
    if (scheduler::TolerationsTolerateTaint(
            scheduler::ParseTolerations(At(pod, {"spec", "tolerations"})), taint)) {
      return "";
    }
  }
  std::string names;
  auto add = [&](bool on, const char* name) {
    if (on) names += (names.empty() ? "" : " ") + std::string(name);
  };
  add(conditions.memory, "MemoryPressure");
  add(conditions.disk, "DiskPressure");
  add(conditions.pid, "PIDPressure");
  return "The node had condition: [" + names + "]. ";
}

}  // namespace skiff::node
