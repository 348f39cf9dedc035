#include "controllers/protection_util.h"

#include "api/object_util.h"

namespace skiff::controllers::protection {

using nlohmann::json;

bool IsDeletionCandidate(const json& obj, const std::string& finalizer) {
  return api::Find(obj, {"metadata", "deletionTimestamp"}) && HasFinalizer(obj, finalizer);
}

bool NeedToAddFinalizer(const json& obj, const std::string& finalizer) {
  return !api::Find(obj, {"metadata", "deletionTimestamp"}) && !HasFinalizer(obj, finalizer);
}

json WithFinalizer(json obj, const std::string& finalizer) {
  if (HasFinalizer(obj, finalizer)) return obj;
  json& f = obj["metadata"]["finalizers"];
  if (!f.is_array()) f = json::array();
  f.push_back(finalizer);
  return obj;
}

json WithoutFinalizer(json obj, const std::string& finalizer) {
  json* f = obj.contains("metadata") ? &obj["metadata"] : nullptr;
  if (!f || !f->contains("finalizers") || !(*f)["finalizers"].is_array()) return obj;
  json kept = json::array();
  for (const json& x : (*f)["finalizers"]) {
    if (!(x.is_string() && x.get<std::string>() == finalizer)) kept.push_back(x);
  }
  (*f)["finalizers"] = std::move(kept);
  return obj;
}

}  // namespace skiff::controllers::protection
