// Internal: kube-scheduler 1.32's DefaultPreemption PostFilter for a pod no node fits, as a pure
// function of the scheduler's view (the caller evicts, nominates and clears nominations).
//
// - Eligibility (PodEligibleToPreemptOthers): never with preemptionPolicy Never; not while a
//   lower-priority pod is terminating on the node the pod is already nominated to (it waits for
//   the space it asked for), unless that node no longer fits at all.
// - Candidates: the nodes the filters rejected as Unschedulable (not ...AndUnresolvable). On
//   each, every lower-priority pod is removed; if the pod then fits, victims are reprieved one at
//   a time, most important first (higher priority, then earlier start), those a
//   PodDisruptionBudget protects before the others, keeping each that still lets the pod fit.
// - Choice (pickOneNodeForPreemption): fewest PDB violations, then the lowest highest-priority
//   victim, the lowest sum of priorities, the fewest victims, the latest start among the
//   highest-priority victims, then node order.
// Filters run with the nominated pods of options.nominated counted (RunFiltersWithNominated).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scheduler/decide.h"

namespace skiff::scheduler::internal {

struct PreemptionResult {
  std::string post_filter_msg;  // "preemption: ..."; empty when a node was chosen
  std::optional<PreemptionCandidate> chosen;
  bool clear_nomination = false;  // the pod is nominated but preemption helps nowhere
};

// `fit`: the FitError of the scheduling attempt (its statuses and absent status say where
// preemption may help); `nodes`: every node with a Node object.
PreemptionResult Preempt(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                         const FitError& fit, const DecideOptions& options);

// util.MoreImportantPod: higher priority, then the earlier status.startTime (a pod that has not
// started counts as starting now).
bool MoreImportantPod(const PodInfo& a, const PodInfo& b);

}  // namespace skiff::scheduler::internal
