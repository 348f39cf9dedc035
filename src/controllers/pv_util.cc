#include "controllers/pv_util.h"

#include "api/object_util.h"
#include "skiff/apis/storage.h"

namespace skiff::controllers::pv {

std::string Name(const json& obj) { return api::GetString(obj, {"metadata", "name"}); }
std::string Namespace(const json& obj) { return api::GetString(obj, {"metadata", "namespace"}); }
std::string Uid(const json& obj) { return api::GetString(obj, {"metadata", "uid"}); }
std::string Phase(const json& obj) { return api::GetString(obj, {"status", "phase"}); }

bool HasAnnotation(const json& obj, const char* key) {
  const json* annotations = api::Find(obj, {"metadata", "annotations"});
  return annotations && annotations->is_object() && annotations->contains(key);
}

namespace {

std::string MetadataMapValue(const json& obj, const char* map, const char* key) {
  const json* values = api::Find(obj, {"metadata", map});
  if (!values || !values->is_object()) return "";
  auto it = values->find(key);
  return it != values->end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::string AnnotationOf(const json& obj, const char* key) {
  return MetadataMapValue(obj, "annotations", key);
}

std::string LabelOf(const json& obj, const char* key) { return MetadataMapValue(obj, "labels", key); }

std::string ClaimKey(const json& claim) { return Namespace(claim) + "/" + Name(claim); }

std::string ClaimRefKey(const json& volume) {
  const json* ref = api::Find(volume, {"spec", "claimRef"});
  if (!ref || !ref->is_object()) return "";
  return ref->value("namespace", "") + "/" + ref->value("name", "");
}

std::string ClaimRefUid(const json& volume) {
  return api::GetString(volume, {"spec", "claimRef", "uid"});
}

bool HasClaimRef(const json& volume) {
  const json* ref = api::Find(volume, {"spec", "claimRef"});
  return ref && ref->is_object();
}

std::string VolumeName(const json& claim) { return api::GetString(claim, {"spec", "volumeName"}); }

std::string Provisioner(const json& storage_class) {
  return api::GetString(storage_class, {"provisioner"});
}

bool WaitsForFirstConsumer(const json& storage_class) {
  return api::GetString(storage_class, {"volumeBindingMode"}) == "WaitForFirstConsumer";
}

bool IsDefaultClass(const json& storage_class) {
  return AnnotationOf(storage_class, apis::kDefaultClassAnnotation) == "true" ||
         AnnotationOf(storage_class, "storageclass.beta.kubernetes.io/is-default-class") == "true";
}

bool NodeAcceptsVolumes(const json& node) {
  if (api::Find(node, {"metadata", "deletionTimestamp"})) return false;
  const json* unschedulable = api::Find(node, {"spec", "unschedulable"});
  if (unschedulable && unschedulable->is_boolean() && unschedulable->get<bool>()) return false;
  const json* conditions = api::Find(node, {"status", "conditions"});
  if (!conditions || !conditions->is_array()) return false;
  for (const json& c : *conditions) {
    if (c.is_object() && c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

}  // namespace skiff::controllers::pv
