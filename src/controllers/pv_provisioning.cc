// Dynamic provisioning: the claim's StorageClass decides who provisions (skiff's local-path
// provisioner here and now, an external provisioner, or nobody), and for local-path which
// node the volume lives on.
#include <algorithm>

#include "api/object_util.h"
#include "controllers/local_path_volume.h"
#include "controllers/persistent_volume_controller.h"
#include "controllers/pv_util.h"
#include "skiff/apis/storage.h"
#include "skiff/apis/volume_match.h"

namespace skiff::controllers {
namespace {

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

Status PersistentVolumeController::ProvisionClaim(const json& claim) {
  // A claim on its way out gets no new volume (it may still bind one that exists).
  if (api::Find(claim, {"metadata", "deletionTimestamp"})) return Status::Ok();
  const std::string class_name = apis::ClaimStorageClass(claim);
  client::ObjectPtr sc = StorageClass(class_name);
  if (!sc) {
    recorder_.Record(claim, "", "Warning", "ProvisioningFailed",
                     "storageclass.storage.k8s.io \"" + class_name + "\" not found");
    return ClaimPending(claim);
  }
  const std::string provisioner = pv::Provisioner(*sc);
  if (provisioner == apis::kLocalPathProvisioner) return ProvisionLocalPath(claim, *sc);
  if (StartsWith(provisioner, "kubernetes.io/")) {
    // In-tree names skiff has no plugin for, kubernetes.io/no-provisioner among them.
    recorder_.Record(claim, "", "Warning", "ProvisioningFailed",
                     "no volume plugin matched name: " + provisioner);
    return ClaimPending(claim);
  }
  auto annotated = SetClaimProvisioner(claim, provisioner);
  if (!annotated.ok()) return annotated.status();
  recorder_.Record(*annotated, "", "Normal", "ExternalProvisioning",
                   "Waiting for a volume to be created either by the external provisioner '" +
                       provisioner +
                       "' or manually by the system administrator. If volume creation is "
                       "delayed, please verify that the provisioner is running and correctly "
                       "registered.");
  return ClaimPending(*annotated);
}

Result<nlohmann::json> PersistentVolumeController::SetClaimProvisioner(
    const json& claim, const std::string& provisioner) {
  if (pv::AnnotationOf(claim, apis::kStorageProvisionerAnnotation) == provisioner &&
      pv::AnnotationOf(claim, apis::kBetaStorageProvisionerAnnotation) == provisioner) {
    return claim;
  }
  json patch = {{"metadata",
                 {{"annotations",
                   {{apis::kStorageProvisionerAnnotation, provisioner},
                    {apis::kBetaStorageProvisionerAnnotation, provisioner}}}}}};
  auto updated = client_.MergePatch(client::PersistentVolumeClaims(), pv::Namespace(claim),
                                    pv::Name(claim), patch);
  if (!updated.ok()) {
    return Status(updated.status().code(),
                  "cannot annotate claim \"" + pv::ClaimKey(claim) +
                      "\" with its provisioner: " + updated.status().message());
  }
  claims_.Written(*updated);
  return updated;
}

Result<std::string> PersistentVolumeController::ProvisioningNode(const json& claim,
                                                                 const json& storage_class) {
  if (pv::WaitsForFirstConsumer(storage_class)) {
    const std::string node = pv::AnnotationOf(claim, apis::kSelectedNodeAnnotation);
    if (!node_informer_.Get(node)) {
      return NotFoundError("failed to get target node: nodes \"" + node + "\" not found");
    }
    return node;
  }
  std::vector<client::ObjectPtr> nodes = node_informer_.List();
  std::sort(nodes.begin(), nodes.end(),
            [](const auto& a, const auto& b) { return pv::Name(*a) < pv::Name(*b); });
  for (const auto& node : nodes) {
    if (pv::NodeAcceptsVolumes(*node)) return pv::Name(*node);
  }
  return UnavailableError("no Ready and schedulable node to provision a " +
                          std::string(apis::kLocalPathProvisioner) + " volume on");
}

Status PersistentVolumeController::ProvisionLocalPath(const json& claim,
                                                      const json& storage_class) {
  const std::string provisioner = apis::kLocalPathProvisioner;
  const std::string name = LocalPathVolumeName(claim);
  if (client::ObjectPtr existing = volumes_.Get(name)) {
    // Provisioned already; it is bound when it fits (FindMatchingVolume), else it is on its
    // way out and a new claim uid would be needed anyway.
    if (apis::VolumeIsBoundToClaim(*existing, claim) &&
        apis::VolumeMismatch(*existing, claim).empty()) {
      return Bind(*existing, claim);
    }
    return Status::Ok();
  }
  auto annotated = SetClaimProvisioner(claim, provisioner);
  if (!annotated.ok()) return annotated.status();
  const json& current = *annotated;

  auto node = ProvisioningNode(current, storage_class);
  if (!node.ok()) {
    recorder_.Record(current, "", "Warning", "ProvisioningFailed", node.status().message());
    return ClaimPending(current);
  }
  // Pinned by the node's hostname label, as local volumes are (the label, not the name, is
  // what a node selector term matches; they differ under --node-name).
  std::string hostname = *node;
  if (client::ObjectPtr n = node_informer_.Get(*node)) {
    const std::string label = pv::LabelOf(*n, "kubernetes.io/hostname");
    if (!label.empty()) hostname = label;
  }
  auto volume = LocalPathVolume(current, storage_class, hostname, options_.local_path_root);
  if (!volume.ok()) {
    recorder_.Record(current, "", "Warning", "ProvisioningFailed",
                     "failed to provision volume with StorageClass \"" + pv::Name(storage_class) +
                         "\": " + volume.status().message());
    return ClaimPending(current);
  }
  const std::string provisioning = provisioner + " is provisioning volume for claim \"" +
                                   pv::ClaimKey(current) + "\" on node \"" + *node + "\"";
  auto created = client_.Create(client::PersistentVolumes(), "", *volume);
  if (!created.ok() && created.status().code() == Code::kAlreadyExists) {
    created = client_.Get(client::PersistentVolumes(), "", name);
  }
  if (!created.ok()) {
    recorder_.Record(current, "", "Normal", "Provisioning", provisioning);
    recorder_.Record(current, "", "Warning", "ProvisioningFailed",
                     "error creating provisioned PV object for claim " + pv::ClaimKey(current) +
                         ": " + created.status().message());
    return Status(created.status().code(), "cannot create volume \"" + name + "\" for claim \"" +
                                               pv::ClaimKey(current) +
                                               "\": " + created.status().message());
  }
  volumes_.Written(*created);
  // The events are written after the binding: a pod waiting for the claim should not wait for
  // them too.
  Status bound =
      apis::VolumeIsBoundToClaim(*created, current) ? Bind(*created, current) : Status::Ok();
  recorder_.Record(current, "", "Normal", "Provisioning", provisioning);
  recorder_.Record(current, "", "Normal", "ProvisioningSucceeded",
                   "Successfully provisioned volume " + name + " using " + provisioner);
  return bound;
}

}  // namespace skiff::controllers
