#include "strategy.h"

#include "skiff/apis/validation.h"

namespace skiff::api {

using nlohmann::json;

bool TracksGeneration(const apis::ResourceType& rt) {
  return rt.group == "apps" || rt.group == "batch" || rt.group == "autoscaling" ||
         rt.group == "policy";
}

void PrepareForCreate(const apis::ResourceType& rt, json& obj) {
  apis::PrepareForCreate(rt.group, rt.kind, obj);
}

void PrepareForUpdate(const apis::ResourceType& rt, const std::string& subresource, json& obj,
                      const json& old) {
  if (subresource.empty()) apis::PrepareForUpdate(rt.group, rt.kind, obj, old);
  // pods/binding (BindPod) sets spec.nodeName, annotations and a status condition at once.
  if (subresource == "binding") return;
  if (!rt.has_status) return;
  if (subresource == "status") {
    // Only the status changes; metadata and spec stay as they were.
    json status = obj.contains("status") ? obj["status"] : json();
    obj = old;
    if (status.is_null()) {
      obj.erase("status");
    } else {
      obj["status"] = std::move(status);
    }
    return;
  }
  if (old.contains("status")) {
    obj["status"] = old["status"];
  } else {
    obj.erase("status");
  }
}

bool SpecChanged(const json& obj, const json& old) {
  for (const auto& [key, value] : obj.items()) {
    if (key == "metadata" || key == "status" || key == "apiVersion" || key == "kind") continue;
    if (!old.contains(key) || old[key] != value) return true;
  }
  for (const auto& [key, value] : old.items()) {
    if (key == "metadata" || key == "status" || key == "apiVersion" || key == "kind") continue;
    if (!obj.contains(key)) return true;
  }
  return false;
}

}  // namespace skiff::api
