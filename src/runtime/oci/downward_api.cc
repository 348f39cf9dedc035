// fieldRef and resourceFieldRef values, following kubelet's podFieldSelectorRuntimeValue,
// fieldpath.ExtractFieldPathAsString and resource.ExtractContainerResourceValue.
#include "skiff/runtime/downward_api.h"

#include <cmath>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "json_access.h"
#include "skiff/apis/quantity.h"
#include "skiff/common/go_quote.h"
#include "skiff/common/string_util.h"

namespace skiff::runtime {
namespace {

using internal::Field;
using internal::Path;
using internal::StrField;
using nlohmann::json;

// "metadata.labels['app']" -> ("metadata.labels", "app").
std::optional<std::pair<std::string, std::string>> SplitSubscript(const std::string& path) {
  static constexpr std::string_view kClose = "']";
  if (path.size() < kClose.size() || path.compare(path.size() - 2, 2, kClose) != 0) {
    return std::nullopt;
  }
  std::string trimmed = path.substr(0, path.size() - 2);
  size_t open = trimmed.find("['");
  if (open == std::string::npos || open == 0) return std::nullopt;
  return std::make_pair(trimmed.substr(0, open), trimmed.substr(open + 2));
}

// fieldpath.ExtractFieldPathAsString: metadata fields only.
Result<std::string> MetadataField(const json& pod, const std::string& path) {
  const json& meta = Field(pod, "metadata");
  if (auto sub = SplitSubscript(path)) {
    if (sub->first == "metadata.annotations" || sub->first == "metadata.labels") {
      const json& map = Field(meta, sub->first == "metadata.labels" ? "labels" : "annotations");
      return StrField(map, sub->second.c_str());
    }
    return InvalidArgumentError("fieldPath \"" + path + "\" does not support subscript");
  }
  if (path == "metadata.annotations") return FormatDownwardMap(Field(meta, "annotations"));
  if (path == "metadata.labels") return FormatDownwardMap(Field(meta, "labels"));
  if (path == "metadata.name") return StrField(meta, "name");
  if (path == "metadata.namespace") return StrField(meta, "namespace");
  if (path == "metadata.uid") return StrField(meta, "uid");
  return InvalidArgumentError("unsupported fieldPath: " + path);
}

// ConvertDownwardAPIFieldLabel: which labels env vars may use.
Result<std::string> ConvertFieldLabel(const std::string& version, const std::string& label) {
  if (version != "v1") return InvalidArgumentError("unsupported pod version: " + version);
  if (auto sub = SplitSubscript(label)) {
    if (sub->first == "metadata.annotations" || sub->first == "metadata.labels") return label;
    return InvalidArgumentError("field label does not support subscript: " + label);
  }
  static const char* const kAllowed[] = {
      "metadata.annotations", "metadata.labels", "metadata.name",      "metadata.namespace",
      "metadata.uid",         "spec.nodeName",   "spec.restartPolicy", "spec.serviceAccountName",
      "spec.schedulerName",   "status.phase",    "status.hostIP",      "status.hostIPs",
      "status.podIP",         "status.podIPs"};
  for (const char* a : kAllowed) {
    if (label == a) return label;
  }
  if (label == "spec.host") return std::string("spec.nodeName");
  return InvalidArgumentError("field label not supported: " + label);
}

const json* FindContainer(const json& pod, const std::string& name) {
  for (const char* list : {"containers", "initContainers"}) {
    const json& cs = Path(pod, {"spec", list});
    if (!cs.is_array()) continue;
    for (const auto& c : cs) {
      if (StrField(c, "name") == name) return &c;
    }
  }
  return nullptr;
}

// A container's resource quantity; zero when absent or unparsable.
apis::Quantity ResourceOf(const json& container, const char* kind, const std::string& name) {
  const json& v = Field(Path(container, {"resources", kind}), name.c_str());
  auto q = apis::QuantityFromJson(v);
  return q ? *q : apis::Quantity{};
}

}  // namespace

std::string FormatDownwardMap(const json& map) {
  std::string out;
  if (!map.is_object()) return out;
  // nlohmann::json objects iterate in key order, which is Go's sorted order (bytewise).
  for (auto it = map.begin(); it != map.end(); ++it) {
    std::string value = it->is_string() ? it->get<std::string>() : std::string();
    if (!out.empty()) out += '\n';
    out += it.key() + "=" + GoQuote(value);
  }
  return out;
}

Result<std::string> PodFieldValue(const json& pod, const json& field_ref,
                                  const node::PodRuntimeInfo& info, FieldRefUse use) {
  std::string path = StrField(field_ref, "fieldPath");
  if (use == FieldRefUse::kVolume) return MetadataField(pod, path);
  std::string version = StrField(field_ref, "apiVersion");
  if (version.empty()) version = "v1";
  auto label = ConvertFieldLabel(version, path);
  if (!label.ok()) return label.status();
  const std::string& p = *label;
  if (p == "spec.nodeName") {
    std::string node = StrField(Field(pod, "spec"), "nodeName");
    return node.empty() ? info.node_name : node;
  }
  if (p == "spec.serviceAccountName") return StrField(Field(pod, "spec"), "serviceAccountName");
  if (p == "status.hostIP" || p == "status.hostIPs") return info.host_ip;
  if (p == "status.podIP") return info.pod_ips.empty() ? std::string() : info.pod_ips.front();
  if (p == "status.podIPs") return Join(info.pod_ips, ",");
  return MetadataField(pod, p);
}

Result<std::string> ContainerResourceValue(const json& pod, const json* container,
                                           const json& resource_field_ref,
                                           const node::PodRuntimeInfo& info) {
  std::string container_name = StrField(resource_field_ref, "containerName");
  if (!container_name.empty()) {
    container = FindContainer(pod, container_name);
    if (container == nullptr) {
      return InvalidArgumentError("container " + container_name + " not found");
    }
  }
  if (container == nullptr) return InvalidArgumentError("no container for resourceFieldRef");
  std::string resource = StrField(resource_field_ref, "resource");

  apis::Quantity divisor;
  if (auto d = apis::QuantityFromJson(Field(resource_field_ref, "divisor"))) divisor = *d;
  if (divisor.IsZero()) divisor = *apis::ParseQuantity("1");

  auto cpu_string = [&](const apis::Quantity& q) {
    double v = std::ceil(static_cast<double>(apis::MilliValue(q)) /
                         static_cast<double>(apis::MilliValue(divisor)));
    return std::to_string(static_cast<int64_t>(v));
  };
  auto bytes_string = [&](const apis::Quantity& q) {
    double v =
        std::ceil(static_cast<double>(apis::Value(q)) / static_cast<double>(apis::Value(divisor)));
    return std::to_string(static_cast<int64_t>(v));
  };
  // MergeContainerResourceLimits: a missing (or zero) cpu/memory limit is the node's
  // allocatable.
  auto limit = [&](const std::string& name) {
    apis::Quantity q = ResourceOf(*container, "limits", name);
    if (!q.IsZero()) return q;
    const std::string& alloc = name == "cpu"      ? info.node_allocatable_cpu
                               : name == "memory" ? info.node_allocatable_memory
                                                  : std::string();
    if (auto a = apis::ParseQuantity(alloc)) return *a;
    return q;
  };

  if (resource == "limits.cpu") return cpu_string(limit("cpu"));
  if (resource == "limits.memory") return bytes_string(limit("memory"));
  if (resource == "limits.ephemeral-storage") return bytes_string(limit("ephemeral-storage"));
  if (resource == "requests.cpu") return cpu_string(ResourceOf(*container, "requests", "cpu"));
  if (resource == "requests.memory") {
    return bytes_string(ResourceOf(*container, "requests", "memory"));
  }
  if (resource == "requests.ephemeral-storage") {
    return bytes_string(ResourceOf(*container, "requests", "ephemeral-storage"));
  }
  for (const char* kind : {"requests", "limits"}) {
    std::string prefix = std::string(kind) + ".hugepages-";
    if (resource.rfind(prefix, 0) == 0) {
      return bytes_string(ResourceOf(*container, kind, resource.substr(strlen(kind) + 1)));
    }
  }
  return InvalidArgumentError("unsupported container resource : " + resource);
}

}  // namespace skiff::runtime
