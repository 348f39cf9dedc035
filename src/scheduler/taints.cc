#include "scheduler/taints.h"

#include "scheduler/json_access.h"

namespace skiff::scheduler {

bool ToleratesTaint(const Toleration& toleration, const Taint& taint) {
  if (!toleration.effect.empty() && toleration.effect != taint.effect) return false;
  if (!toleration.key.empty() && toleration.key != taint.key) return false;
  if (toleration.op.empty() || toleration.op == "Equal") return toleration.value == taint.value;
  return toleration.op == "Exists";
}

bool TolerationsTolerateTaint(const std::vector<Toleration>& tolerations, const Taint& taint) {
  for (const Toleration& t : tolerations) {
    if (ToleratesTaint(t, taint)) return true;
  }
  return false;
}

std::vector<Taint> ParseTaints(const nlohmann::json& taints) {
  std::vector<Taint> out;
  if (!taints.is_array()) return out;
  out.reserve(taints.size());
  for (const nlohmann::json& t : taints) {
    if (!t.is_object()) continue;
    out.push_back(Taint{internal::StringMember(t, "key"), internal::StringMember(t, "value"),
                        internal::StringMember(t, "effect")});
  }
  return out;
}

std::vector<Toleration> ParseTolerations(const nlohmann::json& tolerations) {
  std::vector<Toleration> out;
  if (!tolerations.is_array()) return out;
  out.reserve(tolerations.size());
  for (const nlohmann::json& t : tolerations) {
    if (!t.is_object()) continue;
    out.push_back(
        Toleration{internal::StringMember(t, "key"), internal::StringMember(t, "operator"),
                   internal::StringMember(t, "value"), internal::StringMember(t, "effect")});
  }
  return out;
}

}  // namespace skiff::scheduler
