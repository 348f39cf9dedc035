// Resource amounts as kube-scheduler counts them (pkg/scheduler/framework Resource) and a pod's
// effective requests (pkg/api/v1/resource PodRequests, k8s 1.32 semantics).
//
// Units: cpu in millicores (Quantity.MilliValue, rounded up); memory, ephemeral-storage and
// every scalar resource (extended resources such as example.com/gpu, hugepages-*,
// attachable-volumes-*, *kubernetes.io/*) in whole units (Quantity.Value, rounded up).
//
// Pure values and functions; thread-safe; never throw. Unparsable quantities are ignored.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::scheduler {

// kube-scheduler's defaults for containers without a cpu/memory request, used for scoring
// (schedutil.DefaultMilliCPURequest / DefaultMemoryRequest).
inline constexpr int64_t kDefaultMilliCpuRequest = 100;
inline constexpr int64_t kDefaultMemoryRequest = 200 * 1024 * 1024;

struct ScalarResource {
  std::string name;
  int64_t value = 0;
  bool operator==(const ScalarResource&) const = default;
};

struct Resources {
  int64_t milli_cpu = 0;
  int64_t memory = 0;
  int64_t ephemeral_storage = 0;
  int64_t allowed_pods = 0;             // allocatable "pods"; unused for requests
  std::vector<ScalarResource> scalars;  // sorted by name, one entry per name

  // The amount of a scalar resource, 0 when absent.
  int64_t Scalar(std::string_view name) const;
  // Adds `delta` to a scalar resource (creating the entry, kept sorted).
  void AddScalar(std::string_view name, int64_t delta);
  // this += sign * other, for cpu, memory, ephemeral storage and scalars (not allowed_pods).
  void Add(const Resources& other, int64_t sign = 1);
  bool IsZero() const;

  bool operator==(const Resources&) const = default;
};

// schedutil.IsScalarResourceName: extended resources (a domain-prefixed name outside
// kubernetes.io, not "requests."-prefixed), hugepages-*, attachable-volumes-* and
// kubernetes.io/-prefixed native resources.
bool IsScalarResourceName(std::string_view name);

// A ResourceList JSON object (e.g. node status.allocatable) read as framework.Resource.Add does:
// cpu, memory, ephemeral-storage, pods and scalar resources; other names are ignored.
Resources ResourcesFromList(const nlohmann::json& list);

// A pod's requests as the scheduler uses them.
struct PodRequests {
  // PodRequests(pod): max(sum of app containers + restartable init containers, the largest
  // init-container phase) + spec.overhead, per resource name.
  Resources requests;
  // The same computation with 100m cpu / 200Mi memory substituted for each container that does
  // not request cpu / memory at all (an explicit 0 stays 0); what NodeInfo's non-zero requested
  // and the NodeResourcesFit score use.
  int64_t non_zero_milli_cpu = 0;
  int64_t non_zero_memory = 0;
};

// Computes the requests of a pod spec (the "spec" member of a Pod). A container's limits stand
// in for requests it does not set (the API defaulting rule). A spec of the wrong shape reads as
// empty.
PodRequests ComputePodRequests(const nlohmann::json& pod_spec);

}  // namespace skiff::scheduler
