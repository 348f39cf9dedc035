// Decide: one scheduling decision for one pod, as kube-scheduler 1.32's schedulePod makes it:
// PreFilter, the pod's nominated node first (evaluateNominatedNode), every filter on every node
// (counting pods nominated there of equal or higher priority), then (with two or more feasible
// nodes) every score plugin and the highest weighted total; or a FitError whose Error() is
// kube-scheduler's message (the FailedScheduling event text), e.g.
//   0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node
//   affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for
//   incoming pod, 2 Preemption is not helpful for scheduling.
// When no node fits, DefaultPreemption's PostFilter runs (see preemption.h): the decision then
// names the node to nominate and the pods to evict there; the caller carries it out.
//
// Differences from kube-scheduler, on purpose: every node is filtered (kube stops after enough
// feasible nodes in clusters of 100+ nodes) and every node is a preemption candidate; ties are
// broken by `seed` (the caller rotates it) instead of at random; there is no ImageLocality
// score, and of the volume plugins only VolumeBinding.
//
// Pure: reads the NodeInfos, changes nothing. Thread-safe as long as no thread mutates the
// NodeInfos meanwhile. Nothing throws.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/filter_status.h"
#include "scheduler/filters.h"
#include "scheduler/node_info.h"
#include "scheduler/pod_info.h"
#include "scheduler/scores.h"
#include "skiff/common/status.h"

namespace skiff::scheduler {

// One node's rejection.
struct NodeStatus {
  std::string node;
  FilterStatus status;
};

// framework.FitError: why no node fits.
struct FitError {
  int num_all_nodes = 0;
  // Set when a PreFilter rejected the pod (then every node shares that status).
  std::string pre_filter_msg;
  // The nodes the filters rejected, in node order.
  std::vector<NodeStatus> statuses;
  // The status of the nodes not in `statuses` (nodes a PreFilter excluded), if any.
  std::optional<FilterStatus> absent_status;
  // The PostFilter (preemption) message, e.g. "preemption: 0/3 nodes are available: ...".
  std::string post_filter_msg;

  // "0/<n> nodes are available: <prefilter msg>." or "0/<n> nodes are available: <count>
  // <reason>, ...." (the reasons histogram, entries sorted as strings), then " <post msg>".
  std::string Error() const;
};

// A PodDisruptionBudget as preemption reads it (policy/v1).
struct DisruptionBudget {
  std::string namespace_;
  apis::LabelSelector selector = apis::LabelSelector::Nothing();  // spec.selector
  int32_t disruptions_allowed = 0;                                // status.disruptionsAllowed
  std::vector<std::string> disrupted_pods;  // names in status.disruptedPods, sorted
};
// Parses a PodDisruptionBudget; a null, empty or invalid selector matches nothing, as kube's
// preemption treats it.
DisruptionBudget ParseDisruptionBudget(const nlohmann::json& pdb);

// The node DefaultPreemption nominates and the fewest pods to evict there (SelectVictimsOnNode),
// most important first.
struct PreemptionCandidate {
  std::string node;
  std::vector<std::shared_ptr<const PodInfo>> victims;
  int pdb_violations = 0;  // victims whose eviction a PodDisruptionBudget does not allow
};

struct Decision {
  // Non-OK only when no decision could be attempted: kUnavailable
  // "no nodes available to schedule pods" when `nodes` is empty.
  Status status;
  // The chosen node; empty when the pod does not fit (fit_error is set) or on error.
  std::string node;
  std::optional<FitError> fit_error;
  int evaluated_nodes = 0;
  int feasible_nodes = 0;
  // With fit_error and options.preemption: the node to nominate and the pods to evict there
  // (the FitError then has no preemption message, as kube's when it nominates a node).
  std::optional<PreemptionCandidate> preemption;
  // With fit_error: preemption helps on no node, so a nomination the pod carries is stale
  // (kube clears status.nominatedNodeName then).
  bool clear_nomination = false;

  bool scheduled() const { return status.ok() && !fit_error && !node.empty(); }
};

struct DecideOptions {
  // Tie-break: among the nodes with the best total (in `nodes` order), the one at index
  // seed % count. Rotate it (e.g. a counter per decision) to spread equal choices.
  uint64_t seed = 0;
  // Namespace labels for namespaceSelector in pod affinity terms (see NamespaceLabelsFn).
  const NamespaceLabelsFn* namespace_labels = nullptr;
  // The merged selector of the Services selecting the pod, for default spreading (may be null).
  const apis::LabelSelector* service_selector = nullptr;
  // Run DefaultPreemption when no node fits: choose victims or explain why not ("preemption:
  // ..."); false leaves the message out, as kube without a PostFilter plugin.
  bool preemption = true;
  // Pods nominated to nodes and not bound yet (may be null).
  const NominatedPods* nominated = nullptr;
  // The cluster's PodDisruptionBudgets, for choosing victims (may be null: none).
  const std::vector<DisruptionBudget>* budgets = nullptr;
  // The pod's VolumeBinding state (may be null: its claims are not checked).
  const PodVolumes* volumes = nullptr;
};

// `nodes`: every node of the cluster (NodeInfos without a Node object are ignored).
Decision Decide(const nlohmann::json& pod, const std::vector<const NodeInfo*>& nodes,
                const ScoreConfig& config, const DecideOptions& options = {});
Decision Decide(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                const ScoreConfig& config, const DecideOptions& options = {});

}  // namespace skiff::scheduler
