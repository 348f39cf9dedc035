#include "scheduler/topology_spread.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "scheduler/json_access.h"

namespace skiff::scheduler {
namespace {

using internal::SpreadTerm;

SpreadTerm ExplicitTerm(const SpreadConstraint& c) {
  SpreadTerm t;
  t.constraint = &c;
  t.topology_key = c.topology_key;
  t.max_skew = c.max_skew;
  t.min_domains = c.min_domains;
  t.honor_node_affinity = c.honor_node_affinity;
  t.honor_node_taints = c.honor_node_taints;
  return t;
}

// The system default constraints, when the pod has something to be spread with.
std::vector<SpreadTerm> DefaultTerms(const PodInfo& pod, const apis::LabelSelector* services) {
  bool has_services = services && !services->Empty() && !services->MatchesNothing();
  if (pod.controller_uid.empty() && !has_services) return {};
  SpreadTerm host;
  host.topology_key = kLabelHostname;
  host.max_skew = 3;
  SpreadTerm zone;
  zone.topology_key = kLabelZone;
  zone.max_skew = 5;
  return {host, zone};
}

// countPodsMatchSelector for one term on one node.
int64_t CountMatching(const SpreadTerm& term, const NodeInfo& node, const PodInfo& pod,
                      const apis::LabelSelector* services) {
  if (term.constraint) {
    const apis::LabelSelector& sel = term.constraint->selector;
    if (sel.Empty()) return 0;
    int64_t n = 0;
    for (const auto& p : node.pods()) {
      if (p->terminating || p->namespace_ != pod.namespace_) continue;
      if (sel.Matches(p->labels)) ++n;
    }
    return n;
  }
  bool has_services = services && !services->Empty() && !services->MatchesNothing();
  if (!has_services) {
    return node.CountControlledBy(pod.controller_hash, pod.controller_uid, pod.namespace_);
  }
  int64_t n = 0;
  for (const auto& p : node.pods()) {
    if (p->terminating || p->namespace_ != pod.namespace_) continue;
    if (!pod.controller_uid.empty() && p->controller_uid != pod.controller_uid) continue;
    if (services->Matches(p->labels)) ++n;
  }
  return n;
}

bool HasAllKeys(const NodeInfo& node, const std::vector<SpreadTerm>& terms) {
  for (const SpreadTerm& t : terms) {
    if (!internal::LabelValue(node.labels(), t.topology_key)) return false;
  }
  return true;
}

// matchNodeInclusionPolicies.
bool NodeIncluded(const SpreadTerm& t, const NodeInfo& node, const PodInfo& pod) {
  if (t.honor_node_affinity && !pod.required_node_affinity.Matches(node.labels(), node.name())) {
    return false;
  }
  if (t.honor_node_taints &&
      FindUntoleratedTaint(node.taints(), pod.tolerations, IsDoNotScheduleTaint) != nullptr) {
    return false;
  }
  return true;
}

std::string_view LabelOrEmpty(const NodeInfo& node, const std::string& key) {
  const std::string* v = internal::LabelValue(node.labels(), key);
  return v ? std::string_view(*v) : std::string_view();
}

int64_t Lookup(const std::map<std::string, int64_t, std::less<>>& m, std::string_view key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

}  // namespace

TopologySpreadFilter TopologySpreadFilter::Build(const PodInfo& pod,
                                                 const std::vector<const NodeInfo*>& nodes) {
  TopologySpreadFilter f;
  f.pod_ = &pod;
  for (const SpreadConstraint& c : pod.spread_constraints) {
    if (c.do_not_schedule) f.terms_.push_back(ExplicitTerm(c));
  }
  if (f.terms_.empty()) return f;
  f.counts_.resize(f.terms_.size());
  for (const NodeInfo* node : nodes) {
    if (!HasAllKeys(*node, f.terms_)) continue;
    for (size_t i = 0; i < f.terms_.size(); ++i) {
      const SpreadTerm& t = f.terms_[i];
      if (!NodeIncluded(t, *node, pod)) continue;
      std::string_view value = LabelOrEmpty(*node, t.topology_key);
      int64_t n = CountMatching(t, *node, pod, nullptr);
      auto it = f.counts_[i].find(value);
      if (it == f.counts_[i].end()) it = f.counts_[i].emplace(std::string(value), 0).first;
      it->second += n;
    }
  }
  f.min_counts_.assign(f.terms_.size(), std::numeric_limits<int32_t>::max());
  for (size_t i = 0; i < f.terms_.size(); ++i) {
    for (const auto& [value, n] : f.counts_[i]) f.min_counts_[i] = std::min(f.min_counts_[i], n);
  }
  return f;
}

FilterStatus TopologySpreadFilter::Filter(const NodeInfo& node) const {
  for (size_t i = 0; i < terms_.size(); ++i) {
    const SpreadTerm& t = terms_[i];
    const std::string* value = internal::LabelValue(node.labels(), t.topology_key);
    if (!value) {
      return FilterStatus::Reject(FilterCode::kUnschedulableAndUnresolvable,
                                  plugins::kPodTopologySpread,
                                  std::string(reasons::kSpreadMissingLabel));
    }
    int64_t min_match = min_counts_[i];
    if (static_cast<int64_t>(counts_[i].size()) < t.min_domains) min_match = 0;
    int64_t self = t.constraint->selector.Matches(pod_->labels) ? 1 : 0;
    int64_t skew = Lookup(counts_[i], *value) + self - min_match;
    if (skew > t.max_skew) {
      return FilterStatus::Reject(FilterCode::kUnschedulable, plugins::kPodTopologySpread,
                                  std::string(reasons::kSpreadConstraints));
    }
  }
  return FilterStatus::Success();
}

TopologySpreadScorer TopologySpreadScorer::Build(const PodInfo& pod,
                                                 const std::vector<const NodeInfo*>& feasible,
                                                 const std::vector<const NodeInfo*>& all,
                                                 const apis::LabelSelector* service_selector) {
  TopologySpreadScorer s;
  s.pod_ = &pod;
  s.service_selector_ = service_selector;
  if (all.empty()) return s;
  if (!pod.spread_constraints.empty()) {
    for (const SpreadConstraint& c : pod.spread_constraints) {
      if (!c.do_not_schedule) s.terms_.push_back(ExplicitTerm(c));
    }
    s.require_all_topologies_ = true;
  } else {
    s.terms_ = DefaultTerms(pod, service_selector);
    s.require_all_topologies_ = false;
  }
  if (s.terms_.empty()) return s;

  s.counts_.resize(s.terms_.size());
  std::vector<int64_t> sizes(s.terms_.size(), 0);
  int64_t ignored = 0;
  for (const NodeInfo* node : feasible) {
    if (s.require_all_topologies_ && !HasAllKeys(*node, s.terms_)) {
      ++ignored;
      continue;
    }
    for (size_t i = 0; i < s.terms_.size(); ++i) {
      if (s.terms_[i].topology_key == kLabelHostname) continue;  // counted per node when scoring
      std::string_view value = LabelOrEmpty(*node, s.terms_[i].topology_key);
      if (s.counts_[i].find(value) == s.counts_[i].end()) {
        s.counts_[i].emplace(std::string(value), 0);
        ++sizes[i];
      }
    }
  }
  s.weights_.resize(s.terms_.size());
  for (size_t i = 0; i < s.terms_.size(); ++i) {
    int64_t size = sizes[i];
    if (s.terms_[i].topology_key == kLabelHostname) {
      size = static_cast<int64_t>(feasible.size()) - ignored;
    }
    s.weights_[i] = std::log(static_cast<double>(size + 2));
  }
  for (const NodeInfo* node : all) {
    if (s.require_all_topologies_ && !HasAllKeys(*node, s.terms_)) continue;
    for (size_t i = 0; i < s.terms_.size(); ++i) {
      const SpreadTerm& t = s.terms_[i];
      if (t.topology_key == kLabelHostname) continue;
      if (!NodeIncluded(t, *node, pod)) continue;
      auto it = s.counts_[i].find(LabelOrEmpty(*node, t.topology_key));
      if (it == s.counts_[i].end()) continue;
      it->second += CountMatching(t, *node, pod, service_selector);
    }
  }
  return s;
}

int64_t TopologySpreadScorer::RawScore(const NodeInfo& node) const {
  double score = 0;
  for (size_t i = 0; i < terms_.size(); ++i) {
    const SpreadTerm& t = terms_[i];
    const std::string* value = internal::LabelValue(node.labels(), t.topology_key);
    if (!value) continue;
    int64_t count = t.topology_key == kLabelHostname
                        ? CountMatching(t, node, *pod_, service_selector_)
                        : Lookup(counts_[i], *value);
    score += static_cast<double>(count) * weights_[i] + static_cast<double>(t.max_skew - 1);
  }
  return static_cast<int64_t>(std::round(score));
}

std::vector<int64_t> TopologySpreadScorer::Scores(
    const std::vector<const NodeInfo*>& feasible) const {
  std::vector<int64_t> scores(feasible.size(), 0);
  if (terms_.empty()) return scores;
  std::vector<bool> ignored(feasible.size(), false);
  int64_t min_score = std::numeric_limits<int64_t>::max();
  int64_t max_score = 0;
  for (size_t i = 0; i < feasible.size(); ++i) {
    if (require_all_topologies_ && !HasAllKeys(*feasible[i], terms_)) {
      ignored[i] = true;
      continue;
    }
    scores[i] = RawScore(*feasible[i]);
    min_score = std::min(min_score, scores[i]);
    max_score = std::max(max_score, scores[i]);
  }
  for (size_t i = 0; i < feasible.size(); ++i) {
    if (ignored[i]) {
      scores[i] = 0;
    } else if (max_score == 0) {
      scores[i] = 100;
    } else {
      scores[i] = 100 * (max_score + min_score - scores[i]) / max_score;
    }
  }
  return scores;
}

}  // namespace skiff::scheduler
