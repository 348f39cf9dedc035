#include "scheduler/preemption.h"

#include <algorithm>
#include <limits>
#include <map>

#include "scheduler/filters.h"

namespace skiff::scheduler {

DisruptionBudget ParseDisruptionBudget(const nlohmann::json& pdb) {
  DisruptionBudget b;
  const nlohmann::json& meta = pdb.contains("metadata") ? pdb["metadata"] : nlohmann::json();
  if (meta.is_object()) b.namespace_ = meta.value("namespace", "");
  const nlohmann::json* spec = pdb.contains("spec") ? &pdb["spec"] : nullptr;
  if (spec && spec->is_object() && spec->contains("selector")) {
    if (auto sel = apis::LabelSelectorFromJson((*spec)["selector"]); sel.ok() && !sel->Empty()) {
      b.selector = std::move(*sel);
    }
  }
  const nlohmann::json* status = pdb.contains("status") ? &pdb["status"] : nullptr;
  if (status && status->is_object()) {
    const auto allowed = status->find("disruptionsAllowed");
    if (allowed != status->end() && allowed->is_number_integer()) {
      b.disruptions_allowed = allowed->get<int32_t>();
    }
    const auto disrupted = status->find("disruptedPods");
    if (disrupted != status->end() && disrupted->is_object()) {
      for (const auto& [name, when] : disrupted->items()) b.disrupted_pods.push_back(name);
      std::sort(b.disrupted_pods.begin(), b.disrupted_pods.end());
    }
  }
  return b;
}

namespace internal {
namespace {

using PodPtr = std::shared_ptr<const PodInfo>;

// A pod that has not started counts as starting now: later than any recorded start.
const std::string& StartTime(const PodInfo& p) {
  static const std::string kNow = "~";  // sorts after every RFC 3339 time
  return p.start_time.empty() ? kNow : p.start_time;
}

// filterPodsWithPDBViolation: `pods` split into those whose eviction some budget does not allow
// (each matching budget's allowance is spent in order) and the others, order kept.
void SplitByBudgetViolation(const std::vector<PodPtr>& pods,
                            const std::vector<DisruptionBudget>* budgets,
                            std::vector<PodPtr>& violating, std::vector<PodPtr>& other) {
  std::vector<int32_t> allowed;
  if (budgets) {
    for (const DisruptionBudget& b : *budgets) allowed.push_back(b.disruptions_allowed);
  }
  for (const PodPtr& p : pods) {
    bool violated = false;
    if (budgets && !p->labels.empty()) {
      for (size_t i = 0; i < budgets->size(); ++i) {
        const DisruptionBudget& b = (*budgets)[i];
        if (b.namespace_ != p->namespace_ || b.selector.MatchesNothing() ||
            !b.selector.Matches(p->labels) ||
            std::binary_search(b.disrupted_pods.begin(), b.disrupted_pods.end(), p->name)) {
          continue;
        }
        if (--allowed[i] < 0) violated = true;
      }
    }
    (violated ? violating : other).push_back(p);
  }
}

// Whether filters over the whole cluster (spreading, inter-pod affinity) can change when pods
// leave or return to a node; when not, their PreFilter state is built once per node.
bool ClusterSensitive(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes) {
  if (!pod.spread_constraints.empty() || pod.has_pod_affinity) return true;
  return std::any_of(nodes.begin(), nodes.end(), [](const NodeInfo* n) {
    return !n->pods_with_required_anti_affinity().empty();
  });
}

// SelectVictimsOnNode for nodes[index]: the fewest victims letting `pod` fit, or why none do.
FilterStatus SelectVictims(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                           size_t index, const DecideOptions& options, bool cluster_sensitive,
                           PreemptionCandidate& out) {
  const NodeInfo& node = *nodes[index];
  NodeInfo view = node;
  std::vector<PodPtr> potential;
  for (const PodPtr& p : node.pods()) {
    if (p->priority < pod.priority) {
      potential.push_back(p);
      view.RemovePod(p->uid);
    }
  }
  if (potential.empty()) {
    return FilterStatus::Reject(FilterCode::kUnschedulableAndUnresolvable,
                                plugins::kDefaultPreemption, std::string(reasons::kNoVictims));
  }
  std::vector<const NodeInfo*> cluster_view = nodes;
  cluster_view[index] = &view;
  std::optional<ClusterFilters> cluster;
  auto fits = [&] {
    if (!cluster || cluster_sensitive) {
      cluster = ClusterFilters::Build(pod, cluster_view, options.namespace_labels, options.volumes);
    }
    return RunFiltersWithNominated(pod, view, *cluster, options.nominated);
  };
  if (FilterStatus s = fits(); !s.ok()) return s;

  std::stable_sort(potential.begin(), potential.end(),
                   [](const PodPtr& a, const PodPtr& b) { return MoreImportantPod(*a, *b); });
  std::vector<PodPtr> violating, other;
  SplitByBudgetViolation(potential, options.budgets, violating, other);
  auto reprieve = [&](const PodPtr& p) {
    view.AddPod(p);
    if (fits().ok()) return true;
    view.RemovePod(p->uid);
    out.victims.push_back(p);
    return false;
  };
  for (const PodPtr& p : violating) {
    if (!reprieve(p)) ++out.pdb_violations;
  }
  for (const PodPtr& p : other) reprieve(p);
  if (!violating.empty() && !other.empty()) {
    std::stable_sort(out.victims.begin(), out.victims.end(),
                     [](const PodPtr& a, const PodPtr& b) { return MoreImportantPod(*a, *b); });
  }
  return FilterStatus::Success();
}

// The earliest start among the victims of the highest priority (victims are non-empty and
// sorted most important first).
const std::string& EarliestTopStart(const PreemptionCandidate& c) {
  const std::string* earliest = &StartTime(*c.victims.front());
  for (const PodPtr& p : c.victims) {
    if (p->priority == c.victims.front()->priority && StartTime(*p) < *earliest) {
      earliest = &StartTime(*p);
    }
  }
  return *earliest;
}

// pickOneNodeForPreemption: each criterion keeps the candidates scoring best on it.
size_t PickOne(const std::vector<PreemptionCandidate>& candidates) {
  std::vector<size_t> left(candidates.size());
  for (size_t i = 0; i < left.size(); ++i) left[i] = i;
  auto keep_max = [&](auto score) {
    if (left.size() <= 1) return;
    auto best = score(candidates[left.front()]);
    for (size_t i : left) best = std::max(best, score(candidates[i]));
    std::erase_if(left, [&](size_t i) { return score(candidates[i]) != best; });
  };
  keep_max([](const PreemptionCandidate& c) { return -static_cast<int64_t>(c.pdb_violations); });
  keep_max([](const PreemptionCandidate& c) {
    return -static_cast<int64_t>(c.victims.front()->priority);
  });
  keep_max([](const PreemptionCandidate& c) {
    int64_t sum = 0;  // each priority shifted to be positive, as kube sums them
    for (const PodPtr& p : c.victims) {
      sum += static_cast<int64_t>(p->priority) + std::numeric_limits<int32_t>::max() + 1;
    }
    return -sum;
  });
  keep_max([](const PreemptionCandidate& c) { return -static_cast<int64_t>(c.victims.size()); });
  keep_max([](const PreemptionCandidate& c) { return EarliestTopStart(c); });
  return left.front();
}

}  // namespace

bool MoreImportantPod(const PodInfo& a, const PodInfo& b) {
  if (a.priority != b.priority) return a.priority > b.priority;
  return StartTime(a) < StartTime(b);
}

PreemptionResult Preempt(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                         const FitError& fit, const DecideOptions& options) {
  PreemptionResult out;
  if (pod.preempt_never) {
    out.post_filter_msg = "preemption: " + std::string(reasons::kPreemptNever);
    return out;
  }
  std::map<std::string_view, const FilterStatus*> status_of;
  for (const NodeStatus& ns : fit.statuses) status_of[ns.node] = &ns.status;
  auto code_of = [&](const std::string& node) {
    if (auto it = status_of.find(node); it != status_of.end()) return it->second->code;
    return fit.absent_status ? fit.absent_status->code : FilterCode::kUnschedulable;
  };

  // PodEligibleToPreemptOthers: a nominated pod waits for the victims it already chose.
  if (!pod.nominated_node_name.empty() &&
      code_of(pod.nominated_node_name) != FilterCode::kUnschedulableAndUnresolvable) {
    for (const NodeInfo* n : nodes) {
      if (n->name() != pod.nominated_node_name) continue;
      for (const auto& p : n->pods()) {
        if (p->priority < pod.priority && p->terminating && p->preemption_target) {
          out.post_filter_msg = "preemption: " + std::string(reasons::kPreemptWaiting);
          return out;
        }
      }
    }
  }

  FitError diag;
  diag.num_all_nodes = static_cast<int>(nodes.size());
  diag.absent_status =
      FilterStatus::Reject(FilterCode::kUnschedulableAndUnresolvable, plugins::kDefaultPreemption,
                           std::string(reasons::kPreemptionNotHelpful));
  const bool cluster_sensitive = ClusterSensitive(pod, nodes);
  std::vector<PreemptionCandidate> candidates;
  bool any_potential = false;
  for (size_t i = 0; i < nodes.size(); ++i) {
    // Only nodes the filters rejected as Unschedulable (not ...AndUnresolvable) may be helped.
    if (code_of(nodes[i]->name()) != FilterCode::kUnschedulable) continue;
    any_potential = true;
    PreemptionCandidate c;
    c.node = nodes[i]->name();
    FilterStatus s = SelectVictims(pod, nodes, i, options, cluster_sensitive, c);
    if (s.ok() && !c.victims.empty()) {
      candidates.push_back(std::move(c));
    } else if (!s.ok()) {
      diag.statuses.push_back(NodeStatus{nodes[i]->name(), std::move(s)});
    }
  }
  if (!any_potential) out.clear_nomination = !pod.nominated_node_name.empty();
  if (candidates.empty()) {
    out.post_filter_msg = "preemption: " + diag.Error();
    return out;
  }
  out.chosen = std::move(candidates[PickOne(candidates)]);
  return out;
}

}  // namespace internal
}  // namespace skiff::scheduler
