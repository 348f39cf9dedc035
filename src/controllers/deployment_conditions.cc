// A Deployment's conditions and how its progress is judged (deployment/util/deployment_util.go:
// SetDeploymentCondition, DeploymentComplete, DeploymentProgressing, DeploymentTimedOut).
#include "api/object_util.h"
#include "controllers/deployment_util.h"

namespace skiff::controllers::deployment {

json NewCondition(const std::string& type, const std::string& status, const std::string& reason,
                  const std::string& message, TimePoint now) {
  const std::string ts = api::Rfc3339(now);
  return {{"type", type},         {"status", status},
          {"lastUpdateTime", ts}, {"lastTransitionTime", ts},
          {"reason", reason},     {"message", message}};
}

const json* GetCondition(const json& status, const std::string& type) {
  if (!status.is_object()) return nullptr;
  auto conds = status.find("conditions");
  if (conds == status.end() || !conds->is_array()) return nullptr;
  for (const json& c : *conds) {
    if (c.is_object() && c.value("type", "") == type) return &c;
  }
  return nullptr;
}

void RemoveCondition(json& status, const std::string& type) {
  if (!status.is_object() || !status.contains("conditions")) return;
  json kept = json::array();
  if (status["conditions"].is_array()) {
    for (const json& c : status["conditions"]) {
      if (!(c.is_object() && c.value("type", "") == type)) kept.push_back(c);
    }
  }
  if (kept.empty()) {
    status.erase("conditions");
  } else {
    status["conditions"] = std::move(kept);
  }
}

void SetCondition(json& status, json condition) {
  const std::string type = condition.value("type", "");
  if (const json* current = GetCondition(status, type)) {
    if (current->value("status", "") == condition.value("status", "") &&
        current->value("reason", "") == condition.value("reason", "")) {
      return;
    }
    // The status did not change: neither did the transition.
    if (current->value("status", "") == condition.value("status", "")) {
      condition["lastTransitionTime"] = current->value("lastTransitionTime", json());
    }
  }
  RemoveCondition(status, type);
  if (!status.is_object()) status = json::object();
  status["conditions"].push_back(std::move(condition));
}

bool DeploymentComplete(const json& d, const json& new_status) {
  const int64_t replicas = SpecReplicas(d);
  const json s = {{"status", new_status}};
  return IntAt(s, {"status", "updatedReplicas"}, 0) == replicas &&
         IntAt(s, {"status", "replicas"}, 0) == replicas &&
         IntAt(s, {"status", "availableReplicas"}, 0) == replicas &&
         IntAt(s, {"status", "observedGeneration"}, 0) >= IntAt(d, {"metadata", "generation"}, 0);
}

bool DeploymentProgressing(const json& d, const json& new_status) {
  const json s = {{"status", new_status}};
  auto old_v = [&](const char* f) { return IntAt(d, {"status", f}, 0); };
  auto new_v = [&](const char* f) { return IntAt(s, {"status", f}, 0); };
  // Old replicas still to be scaled down.
  const int64_t old_old = old_v("replicas") - old_v("updatedReplicas");
  const int64_t new_old = new_v("replicas") - new_v("updatedReplicas");
  return new_v("updatedReplicas") > old_v("updatedReplicas") || new_old < old_old ||
         new_v("readyReplicas") > old_v("readyReplicas") ||
         new_v("availableReplicas") > old_v("availableReplicas");
}

bool DeploymentTimedOut(const json& d, const json& new_status, TimePoint now) {
  if (!HasProgressDeadline(d)) return false;
  const json* cond = GetCondition(new_status, "Progressing");
  if (!cond) return false;  // no base to estimate progress from
  const std::string reason = cond->value("reason", "");
  // A finished rollout is not judged again; a timed-out one stays timed out.
  if (reason == kNewRSAvailableReason) return false;
  if (reason == kTimedOutReason) return true;
  TimePoint from{};
  if (!api::ParseRfc3339(cond->value("lastUpdateTime", ""), &from)) return false;
  const auto deadline = std::chrono::seconds(IntAt(d, {"spec", "progressDeadlineSeconds"}, 0));
  return from + deadline < now;
}

}  // namespace skiff::controllers::deployment
