// NodeInfo: the scheduler's view of one node (kube-scheduler framework.NodeInfo): the Node's
// name, labels, taints, unschedulable flag and allocatable resources, plus the pods bound (or
// assumed) to it and the sums the filters and scores read: requested resources, "non-zero"
// requested cpu/memory, host ports in use and per-controller pod counts.
//
// Built by the scheduler's cache and changed incrementally: SetNode when the Node changes,
// AddPod / RemovePod (by pod uid) as pods come and go; an updated pod is RemovePod + AddPod.
// Every change bumps generation(), a counter private to this object (copies keep it), so a cache
// can tell whether its snapshot of this node is stale.
//
// Thread-safety: none inside. Mutate from one thread; concurrent const access is safe when no
// thread mutates. Pods are held as shared_ptr<const PodInfo>, so copying a NodeInfo (a snapshot)
// is cheap and never re-parses JSON. Nothing throws.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/pod_info.h"
#include "scheduler/resources.h"
#include "scheduler/taints.h"

namespace skiff::scheduler {

// A host port in use, with the number of pods using it.
struct UsedHostPort {
  HostPort port;
  int32_t users = 0;
};

class NodeInfo {
 public:
  NodeInfo() = default;
  explicit NodeInfo(const nlohmann::json& node) { SetNode(node); }

  // Sets (or replaces) the Node object: metadata.name, metadata.labels, spec.unschedulable,
  // spec.taints and status.allocatable (status.capacity when allocatable is absent, as API
  // defaulting does). Pods are kept.
  void SetNode(const nlohmann::json& node);
  bool has_node() const { return has_node_; }

  // Adds a pod. Pods are keyed by metadata.uid (which must be set): a pod with the same uid
  // already present is replaced (remove + add).
  void AddPod(const nlohmann::json& pod);
  void AddPod(std::shared_ptr<const PodInfo> pod);
  // Removes the pod with this uid; false when it is not on this node.
  bool RemovePod(std::string_view uid);

  const std::string& name() const { return name_; }
  const nlohmann::json& labels() const { return labels_; }  // always an object
  const std::vector<Taint>& taints() const { return taints_; }
  bool unschedulable() const { return unschedulable_; }
  const Resources& allocatable() const { return allocatable_; }
  // Sum of the pods' requests (PodRequests).
  const Resources& requested() const { return requested_; }
  // Sum of the pods' non-zero cpu (milli) / memory requests (100m / 200Mi per container that
  // requests none), used for scoring.
  int64_t non_zero_milli_cpu() const { return non_zero_milli_cpu_; }
  int64_t non_zero_memory() const { return non_zero_memory_; }
  const std::vector<UsedHostPort>& used_ports() const { return used_ports_; }
  const std::vector<std::shared_ptr<const PodInfo>>& pods() const { return pods_; }
  // Pods with pod affinity or anti-affinity of any kind / with required anti-affinity.
  int pods_with_affinity() const { return pods_with_affinity_; }
  const std::vector<const PodInfo*>& pods_with_required_anti_affinity() const {
    return pods_with_required_anti_affinity_;
  }
  int64_t generation() const { return generation_; }

  // Whether a pod wanting `want` conflicts with a port in use (HostPortInfo.CheckConflict): same
  // protocol and port, and either side binds 0.0.0.0 or both bind the same IP.
  bool PortConflicts(const HostPort& want) const;

  // The number of pods on this node, not terminating, in `ns`, whose controller ownerReference
  // has uid `controller_uid` (`hash` = std::hash of it, as PodInfo::controller_hash).
  int CountControlledBy(uint64_t hash, std::string_view controller_uid, std::string_view ns) const;

 private:
  struct OwnerCount {
    uint64_t hash = 0;
    std::string uid;
    std::string ns;
    int count = 0;
  };
  void Account(const PodInfo& pod, int sign);

  bool has_node_ = false;
  std::string name_;
  nlohmann::json labels_ = nlohmann::json::object();
  std::vector<Taint> taints_;
  bool unschedulable_ = false;
  Resources allocatable_;
  Resources requested_;
  int64_t non_zero_milli_cpu_ = 0;
  int64_t non_zero_memory_ = 0;
  std::vector<UsedHostPort> used_ports_;
  std::vector<std::shared_ptr<const PodInfo>> pods_;
  int pods_with_affinity_ = 0;
  std::vector<const PodInfo*> pods_with_required_anti_affinity_;  // point into pods_
  std::vector<OwnerCount> owner_counts_;
  int64_t generation_ = 0;
};

}  // namespace skiff::scheduler
