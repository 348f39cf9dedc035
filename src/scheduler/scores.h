// The scheduler's Score plugins (kube-scheduler 1.32 formulas). Each plugin gives every feasible
// node 0..100 after its own normalization; the total is the weighted sum.
//   NodeResourcesFit   MostAllocated (skiff's default: bin-packing keeps spare nodes empty) or
//                      LeastAllocated over cpu and memory (weight 1 each), with non-zero requests
//                      (100m / 200Mi for containers that request nothing). No normalization.
//   BalancedAllocation (1 - std deviation of the cpu and memory fractions) * 100, with the real
//                      requests; skipped for pods that request neither (as kube 1.33+ does).
//   NodeAffinity       sum of the matching preferred terms' weights, scaled so the best is 100.
//   TaintToleration    fewer untolerated PreferNoSchedule taints score higher (reversed scale).
//   InterPodAffinity   preferred (anti-)affinity on both sides, min..max scaled (see
//                      inter_pod_affinity.h).
//   PodTopologySpread  fewer matching pods in the node's domains score higher (see
//                      topology_spread.h).
// A skipped plugin adds nothing. Pure functions; thread-safe; nothing throws.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "scheduler/node_info.h"
#include "scheduler/pod_info.h"

namespace skiff::scheduler {

enum class FitStrategy { kMostAllocated, kLeastAllocated };

struct ScoreConfig {
  FitStrategy fit_strategy = FitStrategy::kMostAllocated;
  // Plugin weights; kube-scheduler's defaults.
  int64_t weight_node_resources_fit = 1;
  int64_t weight_balanced_allocation = 1;
  int64_t weight_node_affinity = 2;
  int64_t weight_taint_toleration = 3;
  int64_t weight_inter_pod_affinity = 2;
  int64_t weight_pod_topology_spread = 2;
  // InterPodAffinityArgs.hardPodAffinityWeight.
  int32_t hard_pod_affinity_weight = 1;
};

// NodeResourcesFit's score for one node (already 0..100).
int64_t ScoreNodeResourcesFit(const PodInfo& pod, const NodeInfo& node, FitStrategy strategy);
// Whether BalancedAllocation skips this pod (it requests no cpu and no memory).
bool BalancedAllocationSkips(const PodInfo& pod);
// BalancedAllocation's score for one node (0..100).
int64_t ScoreBalancedAllocation(const PodInfo& pod, const NodeInfo& node);
// NodeAffinity's raw score: sum of the weights of matching preferred terms.
int64_t NodeAffinityRawScore(const PodInfo& pod, const NodeInfo& node);
// TaintToleration's raw score: untolerated PreferNoSchedule taints (tolerations with effect
// PreferNoSchedule or empty count).
int64_t TaintTolerationRawScore(const PodInfo& pod, const NodeInfo& node);

// helper.DefaultNormalizeScore(100, reverse): scales so the maximum becomes 100 (reversed:
// 100 - that); when the maximum is 0, scores stay 0, or all become 100 when reversed.
void NormalizeDefault(std::vector<int64_t>& scores, bool reverse);

// One plugin's normalized scores for the feasible nodes (in their order).
struct PluginScores {
  std::string_view plugin;
  int64_t weight = 0;
  bool skipped = false;
  std::vector<int64_t> scores;  // empty when skipped
};

// Optional inputs of the scores that need cluster context.
struct ScoreContext {
  const NamespaceLabelsFn* namespace_labels = nullptr;
  // Merged selector of the Services that select the pod (default spreading); may be null.
  const apis::LabelSelector* service_selector = nullptr;
};

// Runs every score plugin for the feasible nodes; `all` is every node (for the plugins that
// count pods cluster-wide).
std::vector<PluginScores> ScoreNodes(const PodInfo& pod,
                                     const std::vector<const NodeInfo*>& feasible,
                                     const std::vector<const NodeInfo*>& all,
                                     const ScoreConfig& config, const ScoreContext& context = {});

// Weighted totals per feasible node.
std::vector<int64_t> TotalScores(const std::vector<PluginScores>& plugins, size_t nodes);

}  // namespace skiff::scheduler
