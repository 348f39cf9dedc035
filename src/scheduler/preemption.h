// Internal: DefaultPreemption's diagnosis for a pod no node fits (kube-scheduler 1.32
// preemption.Evaluator up to the dry run): which nodes evicting lower-priority pods would help,
// and otherwise the PostFilter message. Nothing is evicted.
#pragma once

#include <string>
#include <vector>

#include "scheduler/decide.h"

namespace skiff::scheduler::internal {

struct PreemptionResult {
  std::string post_filter_msg;  // "preemption: ..." or empty when candidates were found
  std::vector<PreemptionCandidate> candidates;
};

// `fit`: the FitError of the scheduling attempt (its statuses and absent status say which nodes
// preemption may help); `nodes`: every node.
PreemptionResult DiagnosePreemption(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                                    const FitError& fit, const NamespaceLabelsFn* namespace_labels);

}  // namespace skiff::scheduler::internal
