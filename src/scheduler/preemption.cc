#include "scheduler/preemption.h"

#include "scheduler/filters.h"

namespace skiff::scheduler::internal {

PreemptionResult DiagnosePreemption(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                                    const FitError& fit,
                                    const NamespaceLabelsFn* namespace_labels) {
  PreemptionResult out;
  if (pod.preempt_never) {
    out.post_filter_msg = "preemption: " + std::string(reasons::kPreemptNever);
    return out;
  }
  FitError diag;
  diag.num_all_nodes = static_cast<int>(nodes.size());
  diag.absent_status =
      FilterStatus::Reject(FilterCode::kUnschedulableAndUnresolvable, plugins::kDefaultPreemption,
                           std::string(reasons::kPreemptionNotHelpful));
  // Only nodes rejected as Unschedulable (not ...AndUnresolvable) may be helped; nodes a
  // PreFilter excluded are unresolvable.
  for (const NodeStatus& ns : fit.statuses) {
    if (ns.status.code != FilterCode::kUnschedulable) continue;
    const NodeInfo* node = nullptr;
    size_t index = 0;
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i]->name() == ns.node) {
        node = nodes[i];
        index = i;
        break;
      }
    }
    if (!node) continue;
    std::vector<std::string> victims;
    for (const auto& p : node->pods()) {
      if (p->priority < pod.priority) victims.push_back(p->uid);
    }
    if (victims.empty()) {
      diag.statuses.push_back(NodeStatus{
          ns.node,
          FilterStatus::Reject(FilterCode::kUnschedulableAndUnresolvable,
                               plugins::kDefaultPreemption, std::string(reasons::kNoVictims))});
      continue;
    }
    // Dry run: the node without its lower-priority pods, with the cluster-wide filter state
    // recomputed for that view.
    NodeInfo without = *node;
    for (const std::string& uid : victims) without.RemovePod(uid);
    std::vector<const NodeInfo*> view = nodes;
    view[index] = &without;
    ClusterFilters cluster = ClusterFilters::Build(pod, view, namespace_labels);
    FilterStatus s = RunFilters(pod, without, cluster);
    if (s.ok()) {
      out.candidates.push_back(PreemptionCandidate{ns.node, std::move(victims)});
    } else {
      diag.statuses.push_back(NodeStatus{ns.node, std::move(s)});
    }
  }
  if (out.candidates.empty()) out.post_filter_msg = "preemption: " + diag.Error();
  return out;
}

}  // namespace skiff::scheduler::internal
