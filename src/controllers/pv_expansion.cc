// Volume expansion (kube's expand controller, for the volumes skiff provisions): a Bound claim
// asking for more than its local-path volume holds gets the volume's capacity raised and the
// claim marked FileSystemResizePending; the node agent grows the filesystem and clears it.
#include "api/object_util.h"
#include "controllers/persistent_volume_controller.h"
#include "controllers/pv_util.h"
#include "skiff/apis/quantity.h"
#include "skiff/apis/storage.h"
#include "skiff/apis/volume_match.h"

namespace skiff::controllers {
namespace {

constexpr char kResizePending[] = "FileSystemResizePending";

bool Less(const std::optional<apis::Quantity>& a, const apis::Quantity& b) {
  return !a || apis::CompareQuantity(*a, b) < 0;
}

std::optional<apis::Quantity> StatusQuantity(const nlohmann::json& claim, const char* field) {
  const nlohmann::json* v = api::Find(claim, {"status", field, "storage"});
  return v ? apis::QuantityFromJson(*v) : std::nullopt;
}

// The claim's status.conditions with FileSystemResizePending set (kept if already there).
nlohmann::json WithResizePending(const nlohmann::json& claim) {
  nlohmann::json conditions = nlohmann::json::array();
  if (const nlohmann::json* have = api::Find(claim, {"status", "conditions"});
      have && have->is_array()) {
    for (const auto& c : *have) {
      if (c.is_object() && c.value("type", "") == kResizePending) return *have;
      conditions.push_back(c);
    }
  }
  conditions.push_back(
      {{"type", kResizePending},
       {"status", "True"},
       {"lastProbeTime", nullptr},
       {"lastTransitionTime", api::NowRfc3339()},
       {"message",
        "Waiting for user to (re-)start a pod to finish file system resize of volume "
        "on node."}});
  return conditions;
}

}  // namespace

Status PersistentVolumeController::ExpandClaim(const json& claim, const json& volume) {
  if (pv::Phase(claim) != "Bound") return Status::Ok();
  auto request = apis::ClaimStorageRequest(claim);
  if (!request) return Status::Ok();
  const auto capacity = apis::VolumeStorageCapacity(volume);
  const bool grow_volume = Less(capacity, *request);
  // Done (or never asked for): the claim's filesystem already has the request, or the
  // volume was grown and the claim already waits for the node.
  if (!grow_volume && (!Less(StatusQuantity(claim, "capacity"), *request) ||
                       !Less(StatusQuantity(claim, "allocatedResources"), *request))) {
    return Status::Ok();
  }
  const std::string name = pv::Name(volume);
  if (pv::AnnotationOf(volume, apis::kProvisionedByAnnotation) != apis::kLocalPathProvisioner) {
    if (grow_volume) {
      expand_recorder_.Record(claim, "", "Normal", "ExternalExpanding",
                              "Ignoring the PVC: didn't find a plugin capable of expanding the "
                              "volume; waiting for an external controller to process this PVC.");
    }
    return Status::Ok();
  }
  const std::string class_name = apis::ClaimStorageClass(claim);
  client::ObjectPtr sc = StorageClass(class_name);
  const json* allow = sc ? api::Find(*sc, {"allowVolumeExpansion"}) : nullptr;
  if (!allow || !allow->is_boolean() || !allow->get<bool>()) {
    expand_recorder_.Record(claim, "", "Warning", "VolumeResizeFailed",
                            "storageclass \"" + class_name +
                                "\" does not allow volume expansion (allowVolumeExpansion)");
    return Status::Ok();
  }
  const std::string size = apis::CanonicalString(*request);
  if (grow_volume) {
    expand_recorder_.Record(claim, "", "Normal", "Resizing",
                            "resizing volume " + name + " from " +
                                (capacity ? apis::CanonicalString(*capacity) : "0") + " to " +
                                size);
    json patch = {{"metadata",
                   {{"resourceVersion", api::GetString(volume, {"metadata", "resourceVersion"})}}},
                  {"spec", {{"capacity", {{"storage", size}}}}}};
    auto grown = client_.MergePatch(client::PersistentVolumes(), "", name, patch);
    if (!grown.ok()) {
      return Status(grown.status().code(), "cannot expand volume \"" + name + "\" of claim \"" +
                                               pv::ClaimKey(claim) +
                                               "\": " + grown.status().message());
    }
    volumes_.Written(*grown);
  }
  json status = {{"allocatedResources", {{"storage", size}}},
                 {"allocatedResourceStatuses", {{"storage", "NodeResizePending"}}},
                 {"conditions", WithResizePending(claim)}};
  json patch = {
      {"metadata", {{"resourceVersion", api::GetString(claim, {"metadata", "resourceVersion"})}}},
      {"status", status}};
  auto marked = client_.MergePatch(client::PersistentVolumeClaims(), pv::Namespace(claim),
                                   pv::Name(claim), patch, "status");
  if (!marked.ok()) {
    return Status(marked.status().code(), "cannot mark claim \"" + pv::ClaimKey(claim) + "\" " +
                                              kResizePending + ": " + marked.status().message());
  }
  claims_.Written(*marked);
  expand_recorder_.Record(*marked, "", "Normal", "FileSystemResizeRequired",
                          "Require file system resize of volume on node");
  return Status::Ok();
}

}  // namespace skiff::controllers
