// Decide: one scheduling decision for one pod, as kube-scheduler 1.32's schedulePod makes it:
// PreFilter, every filter on every node, then (with two or more feasible nodes) every score
// plugin and the highest weighted total; or a FitError whose Error() is kube-scheduler's message
// (the FailedScheduling event text), e.g.
//   0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node
//   affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for
//   incoming pod, 2 Preemption is not helpful for scheduling.
//
// Differences from kube-scheduler, on purpose: every node is filtered (kube stops after enough
// feasible nodes in clusters of 100+ nodes); ties are broken by `seed` (the caller rotates it)
// instead of at random; preemption is only diagnosed (see DecideOptions::preemption), never
// performed; there is no ImageLocality score and no volume plugins.
//
// Pure: reads the NodeInfos, changes nothing. Thread-safe as long as no thread mutates the
// NodeInfos meanwhile. Nothing throws.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/filter_status.h"
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

// A node where evicting every lower-priority pod would let the pod fit (what DefaultPreemption's
// dry run finds before choosing victims).
struct PreemptionCandidate {
  std::string node;
  std::vector<std::string> lower_priority_pods;  // uids
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
  // With fit_error: nodes where preemption would help (the FitError then has no preemption
  // message, as kube's when it nominates a node). Empty unless options.preemption.
  std::vector<PreemptionCandidate> preemption_candidates;

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
  // Diagnose preemption as DefaultPreemption would when no node fits, producing its message
  // ("preemption: ..."); false leaves the message out, as kube without a PostFilter plugin.
  bool preemption = true;
};

// `nodes`: every node of the cluster (NodeInfos without a Node object are ignored).
Decision Decide(const nlohmann::json& pod, const std::vector<const NodeInfo*>& nodes,
                const ScoreConfig& config, const DecideOptions& options = {});
Decision Decide(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                const ScoreConfig& config, const DecideOptions& options = {});

}  // namespace skiff::scheduler
