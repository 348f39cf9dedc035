// The VolumeBinding plugin (kube-scheduler 1.32, pkg/scheduler/framework/plugins/volumebinding)
// for a pod's persistentVolumeClaim and generic ephemeral volumes (the claims apis::PodClaims
// names: an ephemeral volume's is "<pod>-<volume>"), built once per incoming pod from the
// caches:
//
// PreFilter (UnschedulableAndUnresolvable, no node can help):
//   persistentvolumeclaim "<name>" not found
//   waiting for ephemeral volume controller to create the persistentvolumeclaim "<name>"
//                                                          (an ephemeral volume's claim missing)
//   persistentvolumeclaim "<name>" is being deleted
//   PVC <ns>/<name> was not created for pod <ns>/<pod> (pod is not owner)
//                                       (an ephemeral volume's claim that the pod does not control)
//   pod has unbound immediate PersistentVolumeClaims      (an unbound claim whose class binds
//                                                           Immediate, or that has no class)
// Filter, per node (UnschedulableAndUnresolvable):
//   node(s) had volume node affinity conflict              (a bound volume's nodeAffinity)
//   node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)
//   node(s) didn't find available persistent volumes to bind
//                    (an unbound WaitForFirstConsumer claim: no Available volume that matches
//                     and whose nodeAffinity admits the node, and a class that cannot provision)
// Plan, for the chosen node: what PreBind writes before the pod is bound: a matching static
// volume pre-bound to the claim (its claimRef set), or the claim annotated
// volume.kubernetes.io/selected-node so that its class's provisioner makes a volume there.
// Volumes in `assumed` (pre-bound by earlier decisions whose writes the cache has not shown
// yet) are taken.
//
// Claims are found by name in the pod's namespace. Past PreFilter, an ephemeral volume's claim
// is treated as any other (WaitForFirstConsumer provisioning, pre-binding).
// Immutable after Build; const methods are thread-safe; nothing throws.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scheduler/filter_status.h"
#include "scheduler/node_info.h"

namespace skiff::scheduler {

namespace plugins {
inline constexpr std::string_view kVolumeBinding = "VolumeBinding";
}

namespace reasons {
inline constexpr std::string_view kUnboundImmediateClaims =
    "pod has unbound immediate PersistentVolumeClaims";
inline constexpr std::string_view kVolumeBindConflict =
    "node(s) didn't find available persistent volumes to bind";
inline constexpr std::string_view kVolumeNodeConflict = "node(s) had volume node affinity conflict";
inline constexpr std::string_view kVolumeNotExist =
    "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
}  // namespace reasons

using ObjectRef = std::shared_ptr<const nlohmann::json>;

// Reads of the scheduler's caches (any may return null / empty).
struct VolumeListers {
  std::function<ObjectRef(const std::string& ns, const std::string& name)> claim;
  std::function<ObjectRef(const std::string& name)> volume;
  std::function<ObjectRef(const std::string& name)> storage_class;
  std::function<std::vector<ObjectRef>()> volumes;
};

// One write PreBind makes for one claim.
struct VolumeAction {
  std::string claim_namespace;
  std::string claim_name;
  std::string claim_uid;
  std::string volume;  // pre-bind this PersistentVolume; "" = annotate the claim's selected node
};

class PodVolumes {
 public:
  static PodVolumes Build(const nlohmann::json& pod, const VolumeListers& listers,
                          const std::set<std::string>& assumed);

  // The pod names no claims (or all are bound to volumes without node affinity): the filter
  // passes everywhere.
  bool skip() const { return skip_; }
  const std::optional<FilterStatus>& pre_filter_rejection() const { return rejection_; }
  FilterStatus Filter(const NodeInfo& node) const;
  // The writes before binding to `node` (empty when every claim is bound). Call only for a
  // node Filter accepted.
  std::vector<VolumeAction> Plan(const NodeInfo& node) const;
  // Namespace/name of every claim of the pod, for PreBind's wait.
  const std::vector<std::pair<std::string, std::string>>& claims() const { return claims_; }

 private:
  struct Delayed {
    ObjectRef claim;
    bool can_provision = false;
  };
  // Per delayed claim (in order), the volume chosen on `node` ("" = provision); nullopt when
  // some claim has neither.
  std::optional<std::vector<std::string>> Choose(const NodeInfo& node) const;

  bool skip_ = true;
  std::optional<FilterStatus> rejection_;
  bool missing_volume_ = false;
  std::vector<ObjectRef> bound_volumes_;
  std::vector<Delayed> delayed_;
  std::vector<ObjectRef> available_;  // volumes a delayed claim may take
  std::vector<std::pair<std::string, std::string>> claims_;
};

// Whether a PersistentVolume's spec.nodeAffinity.required admits the node (no affinity: yes).
bool VolumeAdmitsNode(const nlohmann::json& volume, const nlohmann::json& node_labels,
                      std::string_view node_name);

}  // namespace skiff::scheduler
