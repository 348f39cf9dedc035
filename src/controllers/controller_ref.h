// Owner references as controllers use them, and kube-controller-manager's ControllerRefManager:
// how a controller decides which objects it controls.
//
// An owner claims the objects of its namespace that
//   - it already controls (its uid in the ownerReference with controller: true) and that still
//     match its selector;
//   - nobody controls, that match its selector and are not being deleted: it adopts them by
//     adding its controller reference (a patch pinned to the object's resourceVersion).
// Objects it controls that stopped matching are released (its reference removed), unless the
// object is being deleted. While the owner itself is being deleted it adopts and releases
// nothing and keeps what it controls. Before the first adoption of a claim the owner is read
// afresh from the API (not the cache): an owner that is gone, replaced (another uid) or being
// deleted adopts nothing (kube's RecheckDeletionTimestamp).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "skiff/apis/selector.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"

namespace skiff::controllers {

using nlohmann::json;

// The owner's kind as references name it.
struct OwnerKind {
  std::string api_version;  // "apps/v1"
  std::string kind;         // "ReplicaSet"
  client::Resource resource;
};

inline OwnerKind ReplicaSetKind() { return {"apps/v1", "ReplicaSet", client::ReplicaSets()}; }
inline OwnerKind DeploymentKind() { return {"apps/v1", "Deployment", client::Deployments()}; }
inline OwnerKind StatefulSetKind() { return {"apps/v1", "StatefulSet", client::StatefulSets()}; }
inline OwnerKind DaemonSetKind() { return {"apps/v1", "DaemonSet", client::DaemonSets()}; }
inline OwnerKind JobKind() { return {"batch/v1", "Job", client::Jobs()}; }
inline OwnerKind CronJobKind() { return {"batch/v1", "CronJob", client::CronJobs()}; }

// metadata.uid / name / namespace, or "".
std::string UidOf(const json& obj);
std::string NameOf(const json& obj);
std::string NamespaceOf(const json& obj);

// The ownerReference with controller: true, or nullptr.
const json* ControllerRefOf(const json& obj);
// True when obj's controller reference names this uid.
bool IsControlledBy(const json& obj, const std::string& owner_uid);
// The reference a controller puts on what it creates: apiVersion, kind, name, uid,
// controller: true, blockOwnerDeletion: true.
json MakeControllerRef(const json& owner, const OwnerKind& kind);
// True when metadata.deletionTimestamp is set.
bool IsBeingDeleted(const json& obj);

// Claims `candidates` (objects of `resource` in the owner's namespace, e.g. from an informer's
// namespace index) for `owner`; returns the ones it controls afterwards (adopted ones as the
// patch returned them). Errors of individual adoptions or releases (other than the object
// being gone) are returned after every candidate was tried; the caller retries the sync.
struct ClaimResult {
  std::vector<client::ObjectPtr> owned;
  Status status;  // the first error, if any
};
ClaimResult Claim(client::Client& client, const client::Resource& resource, const json& owner,
                  const OwnerKind& kind, const apis::LabelSelector& selector,
                  const std::vector<client::ObjectPtr>& candidates);

}  // namespace skiff::controllers
