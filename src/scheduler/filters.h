// The scheduler's Filter plugins (kube-scheduler 1.32), as pure functions of a parsed pod and a
// node. Each returns FilterStatus::Success() or the rejection kube-scheduler gives, with its
// exact reason strings and code (Unschedulable: preemption might help;
// UnschedulableAndUnresolvable: it cannot):
//   NodeUnschedulable  U&U  "node(s) were unschedulable"
//   NodeName           U&U  "node(s) didn't match the requested node name"
//   TaintToleration    U&U  "node(s) had untolerated taint {<key>: <value>}"
//   NodeAffinity       U&U  "node(s) didn't match Pod's node affinity/selector"
//   NodePorts          U    "node(s) didn't have free ports for the requested pod ports"
//   NodeResourcesFit   U    "Too many pods", "Insufficient cpu", "Insufficient memory",
//                           "Insufficient ephemeral-storage", "Insufficient <scalar>" (all that
//                           apply, in this order; scalars by name)
//   PodTopologySpread  see topology_spread.h      InterPodAffinity  see inter_pod_affinity.h
//
// The success path allocates nothing. Thread-safe (pure); nothing throws.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "scheduler/filter_status.h"
#include "scheduler/inter_pod_affinity.h"
#include "scheduler/node_info.h"
#include "scheduler/pod_info.h"
#include "scheduler/topology_spread.h"
#include "scheduler/volume_binding.h"

namespace skiff::scheduler {

FilterStatus FilterNodeUnschedulable(const PodInfo& pod, const NodeInfo& node);
FilterStatus FilterNodeName(const PodInfo& pod, const NodeInfo& node);
FilterStatus FilterTaintToleration(const PodInfo& pod, const NodeInfo& node);
FilterStatus FilterNodeAffinity(const PodInfo& pod, const NodeInfo& node);
FilterStatus FilterNodePorts(const PodInfo& pod, const NodeInfo& node);
FilterStatus FilterNodeResourcesFit(const PodInfo& pod, const NodeInfo& node);

// The per-pod state of the filters that need the whole cluster, built once per incoming pod
// (PreFilter). Keeps pointers to `pod`, which must outlive it.
struct ClusterFilters {
  // `volumes`: the pod's VolumeBinding state (null: the pod's claims are not checked).
  static ClusterFilters Build(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                              const NamespaceLabelsFn* namespace_labels = nullptr,
                              const PodVolumes* volumes = nullptr);
  // The first PreFilter rejection, in kube's PreFilter order (NodeAffinity's "pod affinity
  // terms conflict", VolumeBinding's, then InterPodAffinity's "parsing pod: ..."); nullopt
  // when none.
  std::optional<FilterStatus> PreFilterRejection(const PodInfo& pod) const;

  TopologySpreadFilter spread;
  InterPodAffinityFilter inter_pod;
  const PodVolumes* volumes = nullptr;
};

// Pods nominated to a node (status.nominatedNodeName) and not bound yet, by node name.
using NominatedPods =
    std::unordered_map<std::string, std::vector<std::shared_ptr<const PodInfo>>>;

// Runs every filter in kube-scheduler's default order (NodeUnschedulable, NodeName,
// TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit, VolumeBinding, PodTopologySpread,
// InterPodAffinity) and returns the first rejection, or success.
FilterStatus RunFilters(const PodInfo& pod, const NodeInfo& node, const ClusterFilters& cluster);

// RunFilterPluginsWithNominatedPods: when pods of equal or higher priority than `pod` (other
// than `pod`) are nominated to `node`, the filters must pass with them added to the node and
// also without them; otherwise RunFilters. `nominated` may be null.
FilterStatus RunFiltersWithNominated(const PodInfo& pod, const NodeInfo& node,
                                     const ClusterFilters& cluster,
                                     const NominatedPods* nominated);

}  // namespace skiff::scheduler
