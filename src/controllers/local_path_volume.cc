#include "controllers/local_path_volume.h"

#include "api/object_util.h"
#include "skiff/apis/quantity.h"
#include "skiff/apis/storage.h"
#include "skiff/apis/volume_match.h"

namespace skiff::controllers {
namespace {

using nlohmann::json;

Status Refused(const std::string& why) { return Status(Code::kInvalidArgument, why); }

}  // namespace

std::string LocalPathVolumeName(const json& claim) {
  return "pvc-" + api::GetString(claim, {"metadata", "uid"});
}

Result<json> LocalPathVolume(const json& claim, const json& storage_class, const std::string& node,
                             const std::string& root) {
  const std::string provisioner = apis::kLocalPathProvisioner;
  const json* modes = api::Find(claim, {"spec", "accessModes"});
  if (!modes || !modes->is_array() || modes->empty()) {
    return Refused(provisioner + " needs an access mode (ReadWriteOnce or ReadWriteOncePod)");
  }
  for (const json& mode : *modes) {
    if (mode != "ReadWriteOnce" && mode != "ReadWriteOncePod") {
      return Refused(provisioner +
                     " supports only the ReadWriteOnce and ReadWriteOncePod access modes, not " +
                     (mode.is_string() ? mode.get<std::string>() : mode.dump()));
    }
  }
  if (apis::VolumeModeOf(claim) != "Filesystem") {
    return Refused(provisioner + " supports only volumeMode Filesystem, not " +
                   apis::VolumeModeOf(claim));
  }
  if (api::Find(claim, {"spec", "selector"})) return Refused("claim Selector is not supported");
  auto request = apis::ClaimStorageRequest(claim);
  if (!request || request->IsZero() || request->IsNegative()) {
    return Refused("claim has no storage request (spec.resources.requests.storage)");
  }
  const std::string class_name = api::GetString(storage_class, {"metadata", "name"});
  std::string capacity =
      api::GetString(storage_class, {"parameters", apis::kLocalPathCapacityParameter});
  if (capacity.empty()) capacity = "enforced";
  if (capacity != "enforced" && capacity != "unenforced") {
    return Refused("invalid parameter " + std::string(apis::kLocalPathCapacityParameter) + "=\"" +
                   capacity + "\" of StorageClass \"" + class_name +
                   "\": must be \"enforced\" or \"unenforced\"");
  }
  std::string reclaim = api::GetString(storage_class, {"reclaimPolicy"});
  if (reclaim.empty()) reclaim = "Delete";

  const std::string ns = api::GetString(claim, {"metadata", "namespace"});
  const std::string name = api::GetString(claim, {"metadata", "name"});
  const std::string uid = api::GetString(claim, {"metadata", "uid"});
  json spec = {{"capacity", {{"storage", apis::CanonicalString(*request)}}},
               {"accessModes", *modes},
               {"volumeMode", "Filesystem"},
               {"persistentVolumeReclaimPolicy", reclaim},
               {"storageClassName", class_name},
               {"claimRef",
                {{"kind", "PersistentVolumeClaim"},
                 {"namespace", ns},
                 {"name", name},
                 {"uid", uid},
                 {"apiVersion", "v1"},
                 {"resourceVersion", api::GetString(claim, {"metadata", "resourceVersion"})}}},
               {"local", {{"path", root + "/pvc-" + uid + "_" + ns + "_" + name}}},
               {"nodeAffinity",
                {{"required",
                  {{"nodeSelectorTerms",
                    {{{"matchExpressions",
                       {{{"key", "kubernetes.io/hostname"},
                         {"operator", "In"},
                         {"values", {node}}}}}}}}}}}}};
  if (const json* options = api::Find(storage_class, {"mountOptions"});
      options && options->is_array() && !options->empty()) {
    spec["mountOptions"] = *options;
  }
  return json{{"apiVersion", "v1"},
              {"kind", "PersistentVolume"},
              {"metadata",
               {{"name", LocalPathVolumeName(claim)},
                {"annotations",
                 {{apis::kProvisionedByAnnotation, provisioner},
                  {apis::kBoundByControllerAnnotation, "yes"},
                  {apis::kLocalPathCapacityAnnotation, capacity}}},
                {"finalizers", {apis::kLocalPathCleanupFinalizer}}}},
              {"spec", std::move(spec)}};
}

}  // namespace skiff::controllers
