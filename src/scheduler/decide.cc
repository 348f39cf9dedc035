#include "scheduler/decide.h"

#include <algorithm>
#include <map>

#include "scheduler/filters.h"
#include "scheduler/preemption.h"

namespace skiff::scheduler {

std::string FitError::Error() const {
  std::string msg = "0/" + std::to_string(num_all_nodes) + " nodes are available:";
  if (!pre_filter_msg.empty()) {
    msg += " " + pre_filter_msg + ".";
  } else {
    std::map<std::string, int> histogram;
    for (const NodeStatus& ns : statuses) {
      for (const std::string& r : ns.status.reasons) ++histogram[r];
    }
    int absent = num_all_nodes - static_cast<int>(statuses.size());
    if (absent > 0 && absent_status) {
      for (const std::string& r : absent_status->reasons) histogram[r] += absent;
    }
    std::vector<std::string> entries;
    entries.reserve(histogram.size());
    for (const auto& [reason, count] : histogram) {
      entries.push_back(std::to_string(count) + " " + reason);
    }
    std::sort(entries.begin(), entries.end());
    if (!entries.empty()) {
      msg += " ";
      for (size_t i = 0; i < entries.size(); ++i) {
        if (i) msg += ", ";
        msg += entries[i];
      }
      msg += ".";
    }
  }
  if (!post_filter_msg.empty()) msg += " " + post_filter_msg;
  return msg;
}

Decision Decide(const nlohmann::json& pod, const std::vector<const NodeInfo*>& nodes,
                const ScoreConfig& config, const DecideOptions& options) {
  PodInfo info = ParsePodInfo(pod);
  return Decide(info, nodes, config, options);
}

namespace {

void FinishFitError(Decision& d, const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                    FitError fit, const DecideOptions& options) {
  if (options.preemption) {
    internal::PreemptionResult pr = internal::Preempt(pod, nodes, fit, options);
    fit.post_filter_msg = std::move(pr.post_filter_msg);
    d.preemption = std::move(pr.chosen);
    d.clear_nomination = pr.clear_nomination;
  }
  d.fit_error = std::move(fit);
}

}  // namespace

Decision Decide(const PodInfo& pod, const std::vector<const NodeInfo*>& input_nodes,
                const ScoreConfig& config, const DecideOptions& options) {
  Decision d;
  // Only nodes with a Node object exist for the scheduler.
  std::vector<const NodeInfo*> filtered;
  const std::vector<const NodeInfo*>* nodes_ptr = &input_nodes;
  if (std::any_of(input_nodes.begin(), input_nodes.end(),
                  [](const NodeInfo* n) { return !n || !n->has_node(); })) {
    for (const NodeInfo* n : input_nodes) {
      if (n && n->has_node()) filtered.push_back(n);
    }
    nodes_ptr = &filtered;
  }
  const std::vector<const NodeInfo*>& nodes = *nodes_ptr;
  if (nodes.empty()) {
    d.status = UnavailableError(std::string(reasons::kNoNodes));
    return d;
  }
  const int num_nodes = static_cast<int>(nodes.size());

  // PreFilter.
  ClusterFilters cluster = ClusterFilters::Build(pod, nodes, options.namespace_labels, options.volumes);
  if (std::optional<FilterStatus> rejected = cluster.PreFilterRejection(pod)) {
    FitError fit;
    fit.num_all_nodes = num_nodes;
    fit.pre_filter_msg = rejected->reasons.empty() ? std::string() : rejected->reasons.front();
    fit.absent_status = std::move(*rejected);
    FinishFitError(d, pod, nodes, std::move(fit), options);
    return d;
  }
  const auto& pinned = pod.required_node_affinity.pinned_node_names();

  // evaluateNominatedNode: a pod nominated by an earlier preemption takes its node when it fits.
  if (!pod.nominated_node_name.empty() &&
      (!pinned || pinned->count(pod.nominated_node_name))) {
    for (const NodeInfo* node : nodes) {
      if (node->name() != pod.nominated_node_name) continue;
      if (RunFiltersWithNominated(pod, *node, cluster, options.nominated).ok()) {
        d.node = node->name();
        d.evaluated_nodes = d.feasible_nodes = 1;
        return d;
      }
      break;
    }
  }

  // Filter.
  std::vector<const NodeInfo*> feasible;
  feasible.reserve(nodes.size());
  std::vector<NodeStatus> rejected;
  for (const NodeInfo* node : nodes) {
    if (pinned && !pinned->count(node->name())) continue;
    FilterStatus s = RunFiltersWithNominated(pod, *node, cluster, options.nominated);
    if (s.ok()) {
      feasible.push_back(node);
    } else {
      rejected.push_back(NodeStatus{node->name(), std::move(s)});
    }
  }
  d.feasible_nodes = static_cast<int>(feasible.size());
  d.evaluated_nodes = static_cast<int>(feasible.size() + rejected.size());

  if (feasible.empty()) {
    FitError fit;
    fit.num_all_nodes = num_nodes;
    fit.statuses = std::move(rejected);
    if (pinned) {
      fit.absent_status = FilterStatus::Reject(
          FilterCode::kUnschedulableAndUnresolvable, plugins::kNodeAffinity,
          "node(s) didn't satisfy plugin(s) [" + std::string(plugins::kNodeAffinity) + "]");
    }
    FinishFitError(d, pod, nodes, std::move(fit), options);
    return d;
  }
  if (feasible.size() == 1) {
    d.node = feasible.front()->name();
    return d;
  }

  // Score.
  ScoreContext context{options.namespace_labels, options.service_selector};
  std::vector<int64_t> total =
      TotalScores(ScoreNodes(pod, feasible, nodes, config, context), feasible.size());
  int64_t best = *std::max_element(total.begin(), total.end());
  uint64_t ties = static_cast<uint64_t>(std::count(total.begin(), total.end(), best));
  uint64_t pick = options.seed % ties;
  for (size_t i = 0; i < total.size(); ++i) {
    if (total[i] != best) continue;
    if (pick-- == 0) {
      d.node = feasible[i]->name();
      break;
    }
  }
  return d;
}

}  // namespace skiff::scheduler
