// A pod's node selection rules, parsed once: spec.nodeSelector plus
// affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution (the NodeAffinity filter)
// and preferredDuringSchedulingIgnoredDuringExecution (its score), with the semantics of
// k8s.io/component-helpers/scheduling/corev1/nodeaffinity:
//   - terms are ORed, a term's requirements ANDed; a term with neither matchExpressions nor
//     matchFields matches nothing, and a term that does not parse is dropped (so an affinity
//     whose every term is bad matches no node);
//   - matchExpressions: In, NotIn, Exists, DoesNotExist, Gt, Lt on node labels (NotIn and
//     DoesNotExist match nodes without the label; Gt/Lt need one integer value);
//   - matchFields: only In/NotIn with exactly one value; the node's only field is metadata.name
//     (other keys read as "").
// Immutable after parsing; const methods are thread-safe; nothing throws.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "skiff/apis/selector.h"

namespace skiff::scheduler {

class NodeSelectorTerm {
 public:
  // Parses a v1.NodeSelectorTerm; nullopt (with a message appended to `errors`) when a
  // requirement is invalid.
  static std::optional<NodeSelectorTerm> Parse(const nlohmann::json& term,
                                               std::vector<std::string>* errors);

  // `labels`: the node's labels object; `node_name`: metadata.name.
  bool Matches(const nlohmann::json& labels, std::string_view node_name) const;

 private:
  struct FieldRequirement {
    std::string key;
    bool not_equal = false;
    std::string value;
  };
  bool has_labels_ = false;
  bool has_fields_ = false;
  std::vector<apis::LabelRequirement> labels_;
  std::vector<FieldRequirement> fields_;
};

// spec.nodeSelector AND (when set) the required node affinity.
class RequiredNodeAffinity {
 public:
  RequiredNodeAffinity() = default;  // matches every node
  // `pod_spec`: the Pod's spec. Parse problems are appended to `errors` (the bad term is dropped).
  static RequiredNodeAffinity Parse(const nlohmann::json& pod_spec,
                                    std::vector<std::string>* errors);

  // True when neither a nodeSelector nor a required node affinity is set (the filter skips).
  bool Empty() const { return node_selector_.empty() && !has_required_; }
  bool Matches(const nlohmann::json& labels, std::string_view node_name) const;

  // The NodeAffinity PreFilter's node-name restriction: when every required term pins names with
  // a matchFields metadata.name In requirement, the union over terms of the intersection within
  // a term; nullopt when any term does not pin (or there are no terms). An empty set means the
  // terms conflict ("pod affinity terms conflict").
  const std::optional<std::set<std::string>>& pinned_node_names() const { return pinned_; }

 private:
  std::vector<std::pair<std::string, std::string>> node_selector_;
  bool has_required_ = false;
  std::vector<NodeSelectorTerm> terms_;
  std::optional<std::set<std::string>> pinned_;
};

// The preferred node affinity terms (weight 0 terms and bad terms dropped).
class PreferredNodeAffinity {
 public:
  static PreferredNodeAffinity Parse(const nlohmann::json& pod_spec,
                                     std::vector<std::string>* errors);
  // True when the pod has no preferredDuringScheduling node affinity list (score skipped).
  bool Empty() const { return !present_; }
  // Sum of the weights of the matching terms.
  int64_t Score(const nlohmann::json& labels, std::string_view node_name) const;

 private:
  bool present_ = false;
  std::vector<std::pair<int32_t, NodeSelectorTerm>> terms_;
};

}  // namespace skiff::scheduler
