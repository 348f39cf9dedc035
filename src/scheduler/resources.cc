#include "scheduler/resources.h"

#include <algorithm>
#include <map>

#include "scheduler/json_access.h"
#include "skiff/apis/quantity.h"

namespace skiff::scheduler {
namespace {

using apis::Quantity;
using nlohmann::json;

// A resource list being aggregated exactly (Quantity arithmetic, like v1.ResourceList).
using ResourceList = std::map<std::string, Quantity, std::less<>>;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

void AddList(ResourceList& into, const ResourceList& add) {
  for (const auto& [name, q] : add) {
    auto it = into.find(name);
    if (it == into.end()) {
      into.emplace(name, q);
    } else {
      it->second = apis::AddQuantity(it->second, q);
    }
  }
}

// maxResourceList: each resource of `other` replaces the stored one when larger or absent.
void MaxList(ResourceList& into, const ResourceList& other) {
  for (const auto& [name, q] : other) {
    auto it = into.find(name);
    if (it == into.end()) {
      into.emplace(name, q);
    } else if (apis::CompareQuantity(q, it->second) > 0) {
      it->second = q;
    }
  }
}

void ReadList(const json* list, ResourceList& out, bool only_missing) {
  if (!list || !list->is_object()) return;
  for (const auto& [name, v] : list->items()) {
    if (only_missing && out.count(name)) continue;
    if (auto q = apis::QuantityFromJson(v)) out[name] = *q;
  }
}

// A container's requests; limits stand in for unset requests (API defaulting).
ResourceList ContainerRequests(const json& container) {
  ResourceList out;
  const json* res = internal::ObjectMember(container, "resources");
  if (!res) return out;
  ReadList(internal::Member(*res, "requests"), out, false);
  ReadList(internal::Member(*res, "limits"), out, true);
  return out;
}

// applyNonMissing: defaults for resources the container does not name at all.
void ApplyNonMissing(ResourceList& reqs, const ResourceList* non_missing) {
  if (!non_missing) return;
  for (const auto& [name, q] : *non_missing) {
    if (!reqs.count(name)) reqs.emplace(name, q);
  }
}

ResourceList AggregatePodRequests(const json& spec, const ResourceList* non_missing) {
  ResourceList reqs;
  if (const json* containers = internal::ArrayMember(spec, "containers")) {
    for (const json& c : *containers) {
      ResourceList cr = ContainerRequests(c);
      ApplyNonMissing(cr, non_missing);
      AddList(reqs, cr);
    }
  }
  // InitContainerUse(i) = sum(restartable init containers before i) + init container i.
  ResourceList restartable, init_max;
  if (const json* inits = internal::ArrayMember(spec, "initContainers")) {
    for (const json& c : *inits) {
      ResourceList cr = ContainerRequests(c);
      ApplyNonMissing(cr, non_missing);
      if (internal::StringMember(c, "restartPolicy") == "Always") {
        AddList(reqs, cr);
        AddList(restartable, cr);
        MaxList(init_max, restartable);
      } else {
        AddList(cr, restartable);
        MaxList(init_max, cr);
      }
    }
  }
  MaxList(reqs, init_max);
  if (const json* overhead = internal::ObjectMember(spec, "overhead")) {
    ResourceList oh;
    ReadList(overhead, oh, false);
    AddList(reqs, oh);
  }
  return reqs;
}

void AddToResources(Resources& r, std::string_view name, const Quantity& q) {
  if (name == "cpu") {
    r.milli_cpu += apis::MilliValue(q);
  } else if (name == "memory") {
    r.memory += apis::Value(q);
  } else if (name == "pods") {
    r.allowed_pods += apis::Value(q);
  } else if (name == "ephemeral-storage") {
    r.ephemeral_storage += apis::Value(q);
  } else if (IsScalarResourceName(name)) {
    r.AddScalar(name, apis::Value(q));
  }
}

}  // namespace

int64_t Resources::Scalar(std::string_view name) const {
  auto it =
      std::lower_bound(scalars.begin(), scalars.end(), name,
                       [](const ScalarResource& s, std::string_view n) { return s.name < n; });
  return it != scalars.end() && it->name == name ? it->value : 0;
}

void Resources::AddScalar(std::string_view name, int64_t delta) {
  auto it =
      std::lower_bound(scalars.begin(), scalars.end(), name,
                       [](const ScalarResource& s, std::string_view n) { return s.name < n; });
  if (it != scalars.end() && it->name == name) {
    it->value += delta;
  } else {
    scalars.insert(it, ScalarResource{std::string(name), delta});
  }
}

void Resources::Add(const Resources& other, int64_t sign) {
  milli_cpu += sign * other.milli_cpu;
  memory += sign * other.memory;
  ephemeral_storage += sign * other.ephemeral_storage;
  for (const ScalarResource& s : other.scalars) AddScalar(s.name, sign * s.value);
}

bool Resources::IsZero() const {
  if (milli_cpu != 0 || memory != 0 || ephemeral_storage != 0) return false;
  return scalars.empty();
}

bool IsScalarResourceName(std::string_view name) {
  if (StartsWith(name, "hugepages-") || StartsWith(name, "attachable-volumes-")) return true;
  if (name.find("kubernetes.io/") != std::string_view::npos) return true;  // prefixed native
  // Extended: a domain-prefixed name that is not native and not a quota "requests." name.
  return name.find('/') != std::string_view::npos && !StartsWith(name, "requests.");
}

Resources ResourcesFromList(const json& list) {
  Resources r;
  if (!list.is_object()) return r;
  for (const auto& [name, v] : list.items()) {
    if (auto q = apis::QuantityFromJson(v)) AddToResources(r, name, *q);
  }
  return r;
}

PodRequests ComputePodRequests(const json& pod_spec) {
  PodRequests out;
  if (!pod_spec.is_object()) return out;
  ResourceList reqs = AggregatePodRequests(pod_spec, nullptr);
  for (const auto& [name, q] : reqs) {
    if (name != "pods") AddToResources(out.requests, name, q);
  }
  static const ResourceList kNonMissing = {
      {"cpu", Quantity{kDefaultMilliCpuRequest, -3, Quantity::Format::kDecimalSI}},
      {"memory", Quantity{kDefaultMemoryRequest, 0, Quantity::Format::kDecimalSI}},
  };
  ResourceList non0 = AggregatePodRequests(pod_spec, &kNonMissing);
  if (auto it = non0.find("cpu"); it != non0.end()) {
    out.non_zero_milli_cpu = apis::MilliValue(it->second);
  }
  if (auto it = non0.find("memory"); it != non0.end()) {
    out.non_zero_memory = apis::Value(it->second);
  }
  return out;
}

}  // namespace skiff::scheduler
