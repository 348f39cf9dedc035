#include "scheduler/inter_pod_affinity.h"

#include <algorithm>
#include <limits>

#include "scheduler/json_access.h"

namespace skiff::scheduler {
namespace {

bool MatchesAll(const std::vector<AffinityTerm>& terms, const PodInfo& pod,
                const NamespaceLabelsFn* ns) {
  if (terms.empty()) return false;
  for (const AffinityTerm& t : terms) {
    if (!t.Matches(pod, ns)) return false;
  }
  return true;
}

// Adds `delta` for the node's value of the term's topology key, if the node has that label.
void CountOnNode(internal::TopologyCounts& counts, const NodeInfo& node, const std::string& key,
                 int64_t delta) {
  if (const std::string* v = internal::LabelValue(node.labels(), key)) counts.Add(key, *v, delta);
}

std::string JoinErrors(const std::vector<std::string>& errors) {
  std::string out;
  for (const std::string& e : errors) {
    if (!out.empty()) out += ", ";
    out += e;
  }
  return out;
}

}  // namespace

InterPodAffinityFilter InterPodAffinityFilter::Build(const PodInfo& pod,
                                                     const std::vector<const NodeInfo*>& nodes,
                                                     const NamespaceLabelsFn* namespace_labels) {
  InterPodAffinityFilter f;
  f.pod_ = &pod;
  f.namespace_labels_ = namespace_labels;
  if (pod.bad_affinity_terms) {
    f.rejection_ =
        FilterStatus::Reject(FilterCode::kUnschedulableAndUnresolvable, plugins::kInterPodAffinity,
                             "parsing pod: " + JoinErrors(pod.parse_errors));
    return f;
  }
  // Placed pods whose required anti-affinity selects the incoming pod.
  for (const NodeInfo* node : nodes) {
    for (const PodInfo* existing : node->pods_with_required_anti_affinity()) {
      for (const AffinityTerm& t : existing->required_anti_affinity) {
        if (t.Matches(pod, namespace_labels)) {
          CountOnNode(f.existing_anti_affinity_, *node, t.topology_key, 1);
        }
      }
    }
  }
  // Placed pods the incoming pod's required terms select.
  if (!pod.required_affinity.empty() || !pod.required_anti_affinity.empty()) {
    for (const NodeInfo* node : nodes) {
      for (const auto& existing : node->pods()) {
        if (MatchesAll(pod.required_affinity, *existing, namespace_labels)) {
          for (const AffinityTerm& t : pod.required_affinity) {
            CountOnNode(f.affinity_, *node, t.topology_key, 1);
          }
        }
        for (const AffinityTerm& t : pod.required_anti_affinity) {
          if (t.Matches(*existing, namespace_labels)) {
            CountOnNode(f.anti_affinity_, *node, t.topology_key, 1);
          }
        }
      }
    }
  }
  f.skip_ = f.existing_anti_affinity_.empty() && pod.required_affinity.empty() &&
            pod.required_anti_affinity.empty();
  return f;
}

FilterStatus InterPodAffinityFilter::Filter(const NodeInfo& node) const {
  if (skip_ || rejection_) return FilterStatus::Success();
  const nlohmann::json& labels = node.labels();

  // The incoming pod's affinity: every topology key present, and a matching pod in each domain.
  bool pods_exist = true;
  for (const AffinityTerm& t : pod_->required_affinity) {
    const std::string* v = internal::LabelValue(labels, t.topology_key);
    if (!v) {
      return FilterStatus::Reject(FilterCode::kUnschedulableAndUnresolvable,
                                  plugins::kInterPodAffinity, std::string(reasons::kAffinityRules));
    }
    if (affinity_.Get(t.topology_key, *v) <= 0) pods_exist = false;
  }
  if (!pods_exist) {
    // The first of a group of pods with affinity to each other: allowed anywhere (with the
    // topology keys) while no pod in the cluster matches, if the pod matches its own terms.
    if (!(affinity_.empty() && MatchesAll(pod_->required_affinity, *pod_, namespace_labels_))) {
      return FilterStatus::Reject(FilterCode::kUnschedulableAndUnresolvable,
                                  plugins::kInterPodAffinity, std::string(reasons::kAffinityRules));
    }
  }

  if (!anti_affinity_.empty()) {
    for (const AffinityTerm& t : pod_->required_anti_affinity) {
      const std::string* v = internal::LabelValue(labels, t.topology_key);
      if (v && anti_affinity_.Get(t.topology_key, *v) > 0) {
        return FilterStatus::Reject(FilterCode::kUnschedulable, plugins::kInterPodAffinity,
                                    std::string(reasons::kAntiAffinityRules));
      }
    }
  }

  if (!existing_anti_affinity_.empty()) {
    for (const auto& [key, value] : labels.items()) {
      if (!value.is_string()) continue;
      if (existing_anti_affinity_.Get(key, value.get_ref<const std::string&>()) > 0) {
        return FilterStatus::Reject(FilterCode::kUnschedulable, plugins::kInterPodAffinity,
                                    std::string(reasons::kExistingAntiAffinityRules));
      }
    }
  }
  return FilterStatus::Success();
}

InterPodAffinityScorer InterPodAffinityScorer::Build(const PodInfo& pod,
                                                     const std::vector<const NodeInfo*>& nodes,
                                                     int32_t hard_pod_affinity_weight,
                                                     const NamespaceLabelsFn* namespace_labels) {
  InterPodAffinityScorer s;
  bool has_constraints = !pod.preferred_affinity.empty() || !pod.preferred_anti_affinity.empty();
  auto process = [&](const AffinityTerm& term, int64_t weight, const PodInfo& target,
                     const NodeInfo& node) {
    if (!term.Matches(target, namespace_labels)) return;
    const std::string* v = internal::LabelValue(node.labels(), term.topology_key);
    if (!v) return;
    s.topology_score_[term.topology_key][*v] += weight;
  };
  for (const NodeInfo* node : nodes) {
    if (!has_constraints && node->pods_with_affinity() == 0) continue;
    if (node->labels().empty()) continue;
    for (const auto& existing : node->pods()) {
      if (!has_constraints && !existing->has_pod_affinity) continue;
      for (const AffinityTerm& t : pod.preferred_affinity) process(t, t.weight, *existing, *node);
      for (const AffinityTerm& t : pod.preferred_anti_affinity) {
        process(t, -int64_t{t.weight}, *existing, *node);
      }
      if (hard_pod_affinity_weight > 0) {
        for (const AffinityTerm& t : existing->required_affinity) {
          process(t, hard_pod_affinity_weight, pod, *node);
        }
      }
      for (const AffinityTerm& t : existing->preferred_affinity) process(t, t.weight, pod, *node);
      for (const AffinityTerm& t : existing->preferred_anti_affinity) {
        process(t, -int64_t{t.weight}, pod, *node);
      }
    }
  }
  return s;
}

int64_t InterPodAffinityScorer::RawScore(const NodeInfo& node) const {
  int64_t score = 0;
  for (const auto& [key, values] : topology_score_) {
    const std::string* v = internal::LabelValue(node.labels(), key);
    if (!v) continue;
    auto it = values.find(*v);
    if (it != values.end()) score += it->second;
  }
  return score;
}

void NormalizeMinMax(std::vector<int64_t>& scores) {
  if (scores.empty()) return;
  int64_t lo = std::numeric_limits<int64_t>::max();
  int64_t hi = std::numeric_limits<int64_t>::min();
  for (int64_t s : scores) {
    lo = std::min(lo, s);
    hi = std::max(hi, s);
  }
  int64_t diff = hi - lo;
  for (int64_t& s : scores) {
    double f = 0;
    if (diff > 0) f = 100.0 * (static_cast<double>(s - lo) / static_cast<double>(diff));
    s = static_cast<int64_t>(f);
  }
}

}  // namespace skiff::scheduler
