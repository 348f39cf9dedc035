// Node taints and pod tolerations, matched as k8s.io/api core/v1 Toleration.ToleratesTaint and
// pkg/apis/core/v1/helper (TolerationsTolerateTaint, FindMatchingUntoleratedTaint) do.
// Pure values and functions; thread-safe; never throw.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace skiff::scheduler {

struct Taint {
  std::string key;
  std::string value;
  std::string effect;  // NoSchedule, PreferNoSchedule, NoExecute
  bool operator==(const Taint&) const = default;
};

struct Toleration {
  std::string key;  // empty with operator Exists: matches every key
  std::string op;   // "Equal" (also ""), "Exists"; anything else tolerates nothing
  std::string value;
  std::string effect;  // empty: every effect
  bool operator==(const Toleration&) const = default;
};

// Toleration.ToleratesTaint: the effect (when set) and key (when set) must be equal; then Equal
// (or "") compares values and Exists matches any value.
bool ToleratesTaint(const Toleration& toleration, const Taint& taint);
bool TolerationsTolerateTaint(const std::vector<Toleration>& tolerations, const Taint& taint);

// The first taint, in node order, that `applies` selects and no toleration tolerates; nullptr
// when every such taint is tolerated.
template <class Pred>
const Taint* FindUntoleratedTaint(const std::vector<Taint>& taints,
                                  const std::vector<Toleration>& tolerations, Pred applies) {
  for (const Taint& t : taints) {
    if (applies(t) && !TolerationsTolerateTaint(tolerations, t)) return &t;
  }
  return nullptr;
}

// Taints with effect NoSchedule or NoExecute (helper.DoNotScheduleTaintsFilterFunc).
inline bool IsDoNotScheduleTaint(const Taint& t) {
  return t.effect == "NoSchedule" || t.effect == "NoExecute";
}

// node.spec.taints / pod.spec.tolerations (arrays; anything else reads as empty).
std::vector<Taint> ParseTaints(const nlohmann::json& taints);
std::vector<Toleration> ParseTolerations(const nlohmann::json& tolerations);

}  // namespace skiff::scheduler
