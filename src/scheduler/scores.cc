#include "scheduler/scores.h"

#include <algorithm>
#include <cmath>

#include "scheduler/filter_status.h"
#include "scheduler/inter_pod_affinity.h"
#include "scheduler/topology_spread.h"

namespace skiff::scheduler {
namespace {

constexpr int64_t kMaxNodeScore = 100;

int64_t LeastRequested(int64_t requested, int64_t capacity) {
  if (capacity == 0 || requested > capacity) return 0;
  return (capacity - requested) * kMaxNodeScore / capacity;
}

int64_t MostRequested(int64_t requested, int64_t capacity) {
  if (capacity == 0) return 0;
  if (requested > capacity) requested = capacity;
  return requested * kMaxNodeScore / capacity;
}

}  // namespace

int64_t ScoreNodeResourcesFit(const PodInfo& pod, const NodeInfo& node, FitStrategy strategy) {
  const int64_t alloc[2] = {node.allocatable().milli_cpu, node.allocatable().memory};
  const int64_t req[2] = {node.non_zero_milli_cpu() + pod.requests.non_zero_milli_cpu,
                          node.non_zero_memory() + pod.requests.non_zero_memory};
  int64_t score = 0, weights = 0;
  for (int i = 0; i < 2; ++i) {
    if (alloc[i] == 0) continue;
    score += strategy == FitStrategy::kMostAllocated ? MostRequested(req[i], alloc[i])
                                                     : LeastRequested(req[i], alloc[i]);
    weights += 1;
  }
  return weights == 0 ? 0 : score / weights;
}

bool BalancedAllocationSkips(const PodInfo& pod) {
  return pod.requests.requests.milli_cpu == 0 && pod.requests.requests.memory == 0;
}

int64_t ScoreBalancedAllocation(const PodInfo& pod, const NodeInfo& node) {
  const int64_t alloc[2] = {node.allocatable().milli_cpu, node.allocatable().memory};
  const int64_t req[2] = {node.requested().milli_cpu + pod.requests.requests.milli_cpu,
                          node.requested().memory + pod.requests.requests.memory};
  double fractions[2];
  int n = 0;
  for (int i = 0; i < 2; ++i) {
    if (alloc[i] == 0) continue;
    double f = static_cast<double>(req[i]) / static_cast<double>(alloc[i]);
    fractions[n++] = std::min(f, 1.0);
  }
  double std_dev = n == 2 ? std::abs((fractions[0] - fractions[1]) / 2) : 0.0;
  return static_cast<int64_t>((1 - std_dev) * static_cast<double>(kMaxNodeScore));
}

int64_t NodeAffinityRawScore(const PodInfo& pod, const NodeInfo& node) {
  return pod.preferred_node_affinity.Score(node.labels(), node.name());
}

int64_t TaintTolerationRawScore(const PodInfo& pod, const NodeInfo& node) {
  int64_t count = 0;
  for (const Taint& t : node.taints()) {
    if (t.effect != "PreferNoSchedule") continue;
    bool tolerated = false;
    for (const Toleration& tol : pod.tolerations) {
      if ((tol.effect.empty() || tol.effect == "PreferNoSchedule") && ToleratesTaint(tol, t)) {
        tolerated = true;
        break;
      }
    }
    if (!tolerated) ++count;
  }
  return count;
}

void NormalizeDefault(std::vector<int64_t>& scores, bool reverse) {
  int64_t max = 0;
  for (int64_t s : scores) max = std::max(max, s);
  if (max == 0) {
    if (reverse) std::fill(scores.begin(), scores.end(), kMaxNodeScore);
    return;
  }
  for (int64_t& s : scores) {
    s = kMaxNodeScore * s / max;
    if (reverse) s = kMaxNodeScore - s;
  }
}

std::vector<PluginScores> ScoreNodes(const PodInfo& pod,
                                     const std::vector<const NodeInfo*>& feasible,
                                     const std::vector<const NodeInfo*>& all,
                                     const ScoreConfig& config, const ScoreContext& context) {
  const size_t n = feasible.size();
  std::vector<PluginScores> out;
  out.reserve(6);
  auto add = [&](std::string_view plugin, int64_t weight) -> PluginScores& {
    out.push_back(PluginScores{plugin, weight, false, {}});
    return out.back();
  };
  auto skip = [&](PluginScores& p) {
    p.skipped = true;
    p.scores.clear();
  };

  {
    PluginScores& p = add(plugins::kTaintToleration, config.weight_taint_toleration);
    p.scores.resize(n);
    for (size_t i = 0; i < n; ++i) p.scores[i] = TaintTolerationRawScore(pod, *feasible[i]);
    NormalizeDefault(p.scores, true);
  }
  {
    PluginScores& p = add(plugins::kNodeAffinity, config.weight_node_affinity);
    if (pod.preferred_node_affinity.Empty()) {
      skip(p);
    } else {
      p.scores.resize(n);
      for (size_t i = 0; i < n; ++i) p.scores[i] = NodeAffinityRawScore(pod, *feasible[i]);
      NormalizeDefault(p.scores, false);
    }
  }
  {
    PluginScores& p = add(plugins::kNodeResourcesFit, config.weight_node_resources_fit);
    p.scores.resize(n);
    for (size_t i = 0; i < n; ++i) {
      p.scores[i] = ScoreNodeResourcesFit(pod, *feasible[i], config.fit_strategy);
    }
  }
  {
    PluginScores& p = add(plugins::kPodTopologySpread, config.weight_pod_topology_spread);
    TopologySpreadScorer scorer =
        TopologySpreadScorer::Build(pod, feasible, all, context.service_selector);
    if (scorer.skip()) {
      skip(p);
    } else {
      p.scores = scorer.Scores(feasible);
    }
  }
  {
    PluginScores& p = add(plugins::kInterPodAffinity, config.weight_inter_pod_affinity);
    InterPodAffinityScorer scorer = InterPodAffinityScorer::Build(
        pod, all, config.hard_pod_affinity_weight, context.namespace_labels);
    if (scorer.skip()) {
      skip(p);
    } else {
      p.scores.resize(n);
      for (size_t i = 0; i < n; ++i) p.scores[i] = scorer.RawScore(*feasible[i]);
      NormalizeMinMax(p.scores);
    }
  }
  {
    PluginScores& p = add(plugins::kBalancedAllocation, config.weight_balanced_allocation);
    if (BalancedAllocationSkips(pod)) {
      skip(p);
    } else {
      p.scores.resize(n);
      for (size_t i = 0; i < n; ++i) p.scores[i] = ScoreBalancedAllocation(pod, *feasible[i]);
    }
  }
  return out;
}

std::vector<int64_t> TotalScores(const std::vector<PluginScores>& plugins, size_t nodes) {
  std::vector<int64_t> total(nodes, 0);
  for (const PluginScores& p : plugins) {
    if (p.skipped) continue;
    for (size_t i = 0; i < nodes && i < p.scores.size(); ++i) total[i] += p.scores[i] * p.weight;
  }
  return total;
}

}  // namespace skiff::scheduler
