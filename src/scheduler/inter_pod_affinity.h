// The InterPodAffinity plugin: the incoming pod's required pod affinity and anti-affinity, the
// required anti-affinity of the pods already placed (filter), and preferred terms on both sides
// plus existing pods' required affinity (score), as kube-scheduler 1.32's interpodaffinity.
//
// Each class is built once per incoming pod from the list of all nodes (the PreFilter /
// PreScore step), then asked per node. namespaceSelector terms are evaluated against the labels
// `namespace_labels` reports for the matched pod's namespace (see NamespaceLabelsFn).
//
// The objects keep pointers to the PodInfo they were built for; it must outlive them. Const
// methods are thread-safe. Nothing throws.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/filter_status.h"
#include "scheduler/node_info.h"
#include "scheduler/pod_info.h"
#include "scheduler/topology_counts.h"

namespace skiff::scheduler {

class InterPodAffinityFilter {
 public:
  static InterPodAffinityFilter Build(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                                      const NamespaceLabelsFn* namespace_labels = nullptr);

  // Set when the PreFilter rejects the pod outright (a term that does not parse:
  // UnschedulableAndUnresolvable "parsing pod: ...").
  const std::optional<FilterStatus>& pre_filter_rejection() const { return rejection_; }
  // True when the pod has no required (anti-)affinity and no placed pod's required
  // anti-affinity selects it: Filter always succeeds.
  bool skip() const { return skip_; }

  // Success, or (in this order of checks)
  //   UnschedulableAndUnresolvable "node(s) didn't match pod affinity rules"
  //   Unschedulable "node(s) didn't match pod anti-affinity rules"
  //   Unschedulable "node(s) didn't satisfy existing pods anti-affinity rules"
  FilterStatus Filter(const NodeInfo& node) const;

 private:
  const PodInfo* pod_ = nullptr;
  const NamespaceLabelsFn* namespace_labels_ = nullptr;
  std::optional<FilterStatus> rejection_;
  bool skip_ = true;
  internal::TopologyCounts existing_anti_affinity_;
  internal::TopologyCounts affinity_;
  internal::TopologyCounts anti_affinity_;
};

class InterPodAffinityScorer {
 public:
  // `hard_pod_affinity_weight`: the weight of placed pods' required affinity terms that select
  // the incoming pod (kube's HardPodAffinityWeight, default 1).
  static InterPodAffinityScorer Build(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                                      int32_t hard_pod_affinity_weight = 1,
                                      const NamespaceLabelsFn* namespace_labels = nullptr);
  // True when no term on either side matched anything: the plugin does not score.
  bool skip() const { return topology_score_.empty(); }
  // The node's raw score: the sum, over topology keys the node carries, of the weights
  // accumulated for its topology value. Normalize with NormalizeMinMax.
  int64_t RawScore(const NodeInfo& node) const;

 private:
  std::map<std::string, std::map<std::string, int64_t, std::less<>>, std::less<>> topology_score_;
};

// InterPodAffinity's NormalizeScore: (score - min) * 100 / (max - min), all 0 when max == min.
void NormalizeMinMax(std::vector<int64_t>& scores);

}  // namespace skiff::scheduler
