#include "storage_admission.h"

#include <chrono>

#include "object_util.h"
#include "resources.h"
#include "skiff/apis/quantity.h"
#include "skiff/apis/storage.h"

namespace skiff::api {
namespace {

using nlohmann::json;

constexpr char kBetaStorageClassAnnotation[] = "volume.beta.kubernetes.io/storage-class";
constexpr char kBetaDefaultClassAnnotation[] = "storageclass.beta.kubernetes.io/is-default-class";

bool IsClaims(const apis::ResourceType& rt) {
  return rt.group.empty() && rt.resource == "persistentvolumeclaims";
}
bool IsVolumes(const apis::ResourceType& rt) {
  return rt.group.empty() && rt.resource == "persistentvolumes";
}

const apis::ResourceType& StorageClassType(const Resources& resources) {
  return *resources.registry().Find("storage.k8s.io", "v1", "storageclasses");
}

void AddFinalizer(json& obj, const char* name) {
  json& f = obj["metadata"]["finalizers"];
  if (!f.is_array()) f = json::array();
  for (const json& x : f) {
    if (x == name) return;
  }
  f.push_back(name);
}

bool IsDefault(const json& sc) {
  return GetString(sc, {"metadata", "annotations", apis::kDefaultClassAnnotation}) == "true" ||
         GetString(sc, {"metadata", "annotations", kBetaDefaultClassAnnotation}) == "true";
}

std::chrono::system_clock::time_point Created(const json& obj) {
  std::chrono::system_clock::time_point t{};
  ParseRfc3339(GetString(obj, {"metadata", "creationTimestamp"}), &t);
  return t;
}

// helper.PersistentVolumeClaimHasClass.
bool ClaimHasClass(const json& pvc) {
  if (Find(pvc, {"metadata", "annotations", kBetaStorageClassAnnotation})) return true;
  const json* sc = Find(pvc, {"spec", "storageClassName"});
  return sc && !sc->is_null();
}

// helper.GetPersistentVolumeClaimClass: the beta annotation wins over the field.
std::string ClaimClass(const json& pvc) {
  if (const json* a = Find(pvc, {"metadata", "annotations", kBetaStorageClassAnnotation});
      a && a->is_string()) {
    return a->get<std::string>();
  }
  return GetString(pvc, {"spec", "storageClassName"});
}

std::optional<apis::Quantity> RequestedStorage(const json& pvc) {
  const json* q = Find(pvc, {"spec", "resources", "requests", "storage"});
  if (!q) return std::nullopt;
  return apis::QuantityFromJson(*q);
}

ApiResult<bool> AdmitClaimCreate(Resources& resources, json& pvc) {
  AddFinalizer(pvc, apis::kPvcProtectionFinalizer);
  if (ClaimHasClass(pvc)) return true;
  auto classes = resources.List(StorageClassType(resources), "", ListOptions{});
  if (!classes.ok()) return classes.error();
  if (const json* def = DefaultStorageClass((*classes)["items"])) {
    pvc["spec"]["storageClassName"] = GetString(*def, {"metadata", "name"});
  }
  return true;
}

// persistentVolumeClaimResize.allowResize.
ApiResult<bool> ClassAllowsResize(Resources& resources, const json& pvc, const json& old) {
  const std::string name = ClaimClass(pvc);
  if (name.empty() || name != ClaimClass(old)) return false;
  auto sc = resources.Get(StorageClassType(resources), "", name);
  if (!sc.ok()) {
    if (sc.error().code == 404) return false;
    return sc.error();
  }
  const json* allow = Find(*sc, {"allowVolumeExpansion"});
  return allow && allow->is_boolean() && allow->get<bool>();
}

}  // namespace

bool IsStorageAdmitted(const apis::ResourceType& rt) { return IsClaims(rt) || IsVolumes(rt); }

const json* DefaultStorageClass(const json& classes) {
  const json* best = nullptr;
  if (!classes.is_array()) return best;
  for (const json& sc : classes) {
    if (!IsDefault(sc)) continue;
    if (!best) {
      best = &sc;
      continue;
    }
    const auto a = Created(sc), b = Created(*best);
    if (a > b || (a == b && GetString(sc, {"metadata", "name"}) <
                                GetString(*best, {"metadata", "name"}))) {
      best = &sc;
    }
  }
  return best;
}

ApiResult<bool> AdmitStorageCreate(Resources& resources, const apis::ResourceType& rt,
                                   json& obj) {
  if (IsVolumes(rt)) {
    AddFinalizer(obj, apis::kPvProtectionFinalizer);
    return true;
  }
  if (IsClaims(rt)) return AdmitClaimCreate(resources, obj);
  return true;
}

ApiResult<bool> AdmitStorageUpdate(Resources& resources, const apis::ResourceType& rt,
                                   const json& obj, const json& old) {
  if (!IsClaims(rt)) return true;
  const auto new_size = RequestedStorage(obj);
  const auto old_size = RequestedStorage(old);
  // A missing request counts as zero, as an absent map entry does in kube.
  if (!new_size) return true;
  if (old_size && apis::CompareQuantity(*new_size, *old_size) <= 0) return true;
  if (GetString(old, {"status", "phase"}) != "Bound") {
    return Forbidden("Only bound persistent volume claims can be expanded");
  }
  auto allowed = ClassAllowsResize(resources, obj, old);
  if (!allowed.ok()) return allowed;
  if (!*allowed) {
    return Forbidden(
        "only dynamically provisioned pvc can be resized and the storageclass that provisions "
        "the pvc must support resize");
  }
  return true;
}

}  // namespace skiff::api
