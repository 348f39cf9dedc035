// Storage versions and the conversion dispatch (conversion.h).
#include "skiff/apis/conversion.h"

namespace skiff::apis {
namespace {

using json = nlohmann::json;

struct StorageRule {
  std::string_view group, version, resource;  // served
  std::string_view storage_group, storage_version;
};

// Resources served in a version other than the one they are stored in (Kubernetes 1.32's
// storage versions). The resource name is the same in both.
constexpr StorageRule kStorage[] = {
    {"autoscaling", "v1", "horizontalpodautoscalers", "autoscaling", "v2"},
    {"events.k8s.io", "v1", "events", "", "v1"},
};

using ConvertFn = json (*)(const json&);

struct Conversion {
  std::string_view kind, from, to;
  ConvertFn fn;
};

constexpr Conversion kConversions[] = {
    {"HorizontalPodAutoscaler", "autoscaling/v1", "autoscaling/v2", HpaV1ToV2},
    {"HorizontalPodAutoscaler", "autoscaling/v2", "autoscaling/v1", HpaV2ToV1},
    {"Event", "v1", "events.k8s.io/v1", CoreEventToEventsV1},
    {"Event", "events.k8s.io/v1", "v1", EventsV1ToCoreEvent},
};

}  // namespace

StorageVersion StorageOf(std::string_view group, std::string_view version,
                         std::string_view resource) {
  for (const StorageRule& r : kStorage) {
    if (r.group == group && r.version == version && r.resource == resource) {
      return {std::string(r.storage_group), std::string(r.storage_version), std::string(resource)};
    }
  }
  return {std::string(group), std::string(version), std::string(resource)};
}

bool IsStorageVersion(std::string_view group, std::string_view version, std::string_view resource) {
  return StorageOf(group, version, resource) ==
         StorageVersion{std::string(group), std::string(version), std::string(resource)};
}

Result<json> ConvertVersion(json obj, std::string_view kind, std::string_view to_api_version,
                            std::string_view from_if_unset) {
  if (!obj.is_object()) return InvalidArgumentError("the object to convert is not a JSON object");
  std::string from =
      from_if_unset.empty() ? std::string(to_api_version) : std::string(from_if_unset);
  if (auto it = obj.find("apiVersion");
      it != obj.end() && it->is_string() && !it->get<std::string>().empty()) {
    from = it->get<std::string>();
  }
  if (from == to_api_version) {
    obj["apiVersion"] = std::string(to_api_version);
    obj["kind"] = std::string(kind);
    return obj;
  }
  for (const Conversion& c : kConversions) {
    if (c.kind == kind && c.from == from && c.to == to_api_version) {
      try {
        json out = c.fn(obj);
        out["apiVersion"] = std::string(to_api_version);
        out["kind"] = std::string(kind);
        return out;
      } catch (const std::exception& e) {
        return InternalError(std::string("converting ") + std::string(kind) + ": " + e.what());
      }
    }
  }
  return InvalidArgumentError("no conversion of " + std::string(kind) + " from " + from + " to " +
                              std::string(to_api_version));
}

}  // namespace skiff::apis
