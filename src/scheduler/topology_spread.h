// The PodTopologySpread plugin (kube-scheduler 1.32 podtopologyspread): a pod's
// topologySpreadConstraints with whenUnsatisfiable DoNotSchedule are a filter
// ("node(s) didn't match pod topology spread constraints"), the ScheduleAnyway ones a score.
//
// Pods without constraints of their own get kube's system default constraints (score only):
//   kubernetes.io/hostname maxSkew 3 and topology.kubernetes.io/zone maxSkew 5, ScheduleAnyway,
// counting the pods that belong with this one. kube derives that set from the Services,
// ReplicaSets, ReplicationControllers and StatefulSets selecting the pod; here it is the pods of
// the same controller (same controller ownerReference uid, same namespace), ANDed with
// `service_selector` when the caller passes the merged selector of the pod's Services (with no
// controller, the Services' selector alone). A pod with neither is not spread. As in kube, nodes
// without the zone label still get hostname spreading, terminating pods are not counted, and a
// node counts only pods in the incoming pod's namespace.
//
// Built once per incoming pod from all nodes (the PreFilter / PreScore step). The objects keep
// pointers to the PodInfo (and selector) they were built with; those must outlive them. Const
// methods are thread-safe. Nothing throws.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "scheduler/filter_status.h"
#include "scheduler/node_info.h"
#include "scheduler/pod_info.h"

namespace skiff::scheduler {

inline constexpr const char* kLabelHostname = "kubernetes.io/hostname";
inline constexpr const char* kLabelZone = "topology.kubernetes.io/zone";

namespace internal {
// How one constraint selects the pods it counts.
struct SpreadTerm {
  const SpreadConstraint* constraint = nullptr;  // explicit constraint, or nullptr for a default
  std::string topology_key;
  int32_t max_skew = 1;
  int32_t min_domains = 1;
  bool honor_node_affinity = true;
  bool honor_node_taints = false;
};
}  // namespace internal

class TopologySpreadFilter {
 public:
  static TopologySpreadFilter Build(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes);
  // True when the pod has no DoNotSchedule constraint.
  bool skip() const { return terms_.empty(); }
  // Success, UnschedulableAndUnresolvable "... (missing required label)" when the node lacks a
  // constraint's topology key, or Unschedulable "node(s) didn't match pod topology spread
  // constraints" when placing the pod there would make matching + self - global minimum exceed
  // maxSkew (the minimum is 0 while fewer than minDomains domains are eligible).
  FilterStatus Filter(const NodeInfo& node) const;

 private:
  const PodInfo* pod_ = nullptr;
  std::vector<internal::SpreadTerm> terms_;
  std::vector<std::map<std::string, int64_t, std::less<>>> counts_;  // per term: value -> pods
  std::vector<int64_t> min_counts_;
};

class TopologySpreadScorer {
 public:
  // `feasible`: the nodes that passed the filters; `all`: every node. `service_selector` (may be
  // null): see the file comment.
  static TopologySpreadScorer Build(const PodInfo& pod,
                                    const std::vector<const NodeInfo*>& feasible,
                                    const std::vector<const NodeInfo*>& all,
                                    const apis::LabelSelector* service_selector = nullptr);
  // True when the pod has no soft constraint (and no default applies): the plugin does not score.
  bool skip() const { return terms_.empty(); }
  // The normalized 0..100 scores of `feasible` (the same list Build got), fewer matching pods
  // scoring higher; nodes lacking a required topology key score 0.
  std::vector<int64_t> Scores(const std::vector<const NodeInfo*>& feasible) const;

 private:
  int64_t RawScore(const NodeInfo& node) const;

  const PodInfo* pod_ = nullptr;
  const apis::LabelSelector* service_selector_ = nullptr;
  bool require_all_topologies_ = true;
  std::vector<internal::SpreadTerm> terms_;
  std::vector<std::map<std::string, int64_t, std::less<>>> counts_;  // non-hostname terms
  std::vector<double> weights_;
};

}  // namespace skiff::scheduler
