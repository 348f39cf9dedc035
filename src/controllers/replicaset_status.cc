#include "controllers/replicaset_status.h"

#include <algorithm>

#include "api/object_util.h"

namespace skiff::controllers {
namespace {

constexpr char kReplicaFailure[] = "ReplicaFailure";

int64_t IntAt(const json& obj, std::initializer_list<const char*> path, int64_t fallback = 0) {
  const json* v = api::Find(obj, path);
  return v && v->is_number_integer() ? v->get<int64_t>() : fallback;
}

json ArrayAt(const json& obj, std::initializer_list<const char*> path) {
  const json* v = api::Find(obj, path);
  return v && v->is_array() ? *v : json::array();
}

// The pod's labels include every label of the template (labels.Set(...).Matches).
bool FullyLabeled(const json& pod, const json& template_labels) {
  const json* labels = api::Find(pod, {"metadata", "labels"});
  for (const auto& [k, v] : template_labels.items()) {
    if (!labels || !labels->is_object()) return false;
    auto it = labels->find(k);
    if (it == labels->end() || *it != v) return false;
  }
  return true;
}

}  // namespace

int64_t DesiredReplicas(const json& rs) { return IntAt(rs, {"spec", "replicas"}, 1); }

json CalculateReplicaSetStatus(const json& rs, const std::vector<client::ObjectPtr>& owned,
                               const Status& manage_error, Clock::time_point now) {
  const json* current = api::Find(rs, {"status"});
  json status = current && current->is_object() ? *current : json::object();
  const json* tl = api::Find(rs, {"spec", "template", "metadata", "labels"});
  const json template_labels = tl && tl->is_object() ? *tl : json::object();
  const int64_t min_ready = IntAt(rs, {"spec", "minReadySeconds"});

  int64_t fully_labeled = 0, ready = 0, available = 0;
  for (const auto& pod : owned) {
    if (FullyLabeled(*pod, template_labels)) ++fully_labeled;
    if (IsPodReady(*pod)) {
      ++ready;
      if (IsPodAvailable(*pod, min_ready, now)) ++available;
    }
  }

  json conditions = ArrayAt(rs, {"status", "conditions"});
  auto is_failure = [](const json& c) {
    return c.is_object() && c.value("type", "") == kReplicaFailure;
  };
  const bool has_failure = std::any_of(conditions.begin(), conditions.end(), is_failure);
  if (!manage_error.ok() && !has_failure) {
    const int64_t diff = static_cast<int64_t>(owned.size()) - DesiredReplicas(rs);
    conditions.push_back({{"type", kReplicaFailure},
                          {"status", "True"},
                          {"lastTransitionTime", api::Rfc3339(now)},
                          {"reason", diff < 0   ? "FailedCreate"
                                     : diff > 0 ? "FailedDelete"
                                                : ""},
                          {"message", manage_error.message()}});
  } else if (manage_error.ok() && has_failure) {
    json kept = json::array();
    for (const json& c : conditions) {
      if (!is_failure(c)) kept.push_back(c);
    }
    conditions = std::move(kept);
  }

  status["replicas"] = static_cast<int64_t>(owned.size());
  status["fullyLabeledReplicas"] = fully_labeled;
  status["readyReplicas"] = ready;
  status["availableReplicas"] = available;
  status["observedGeneration"] = IntAt(rs, {"metadata", "generation"});
  status["conditions"] = std::move(conditions);
  return status;
}

bool ReplicaSetStatusChanged(const json& rs, const json& status) {
  for (const char* field : {"replicas", "fullyLabeledReplicas", "readyReplicas",
                            "availableReplicas", "observedGeneration"}) {
    if (IntAt(rs, {"status", field}) != IntAt(status, {field})) return true;
  }
  return ArrayAt(rs, {"status", "conditions"}) != ArrayAt(status, {"conditions"});
}

json ReplicaSetStatusPatch(const json& status) {
  json out = json::object();
  out["replicas"] = IntAt(status, {"replicas"});
  for (const char* field :
       {"fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration"}) {
    const int64_t v = IntAt(status, {field});
    out[field] = v == 0 ? json(nullptr) : json(v);
  }
  const json conditions = ArrayAt(status, {"conditions"});
  out["conditions"] = conditions.empty() ? json(nullptr) : conditions;
  return {{"status", std::move(out)}};
}

std::optional<std::chrono::seconds> NextAvailable(const std::vector<client::ObjectPtr>& owned,
                                                  int64_t min_ready_seconds,
                                                  Clock::time_point now) {
  std::optional<std::chrono::seconds> next;
  for (const auto& pod : owned) {
    if (!IsPodReady(*pod) || IsPodAvailable(*pod, min_ready_seconds, now)) continue;
    const auto wait = UntilAvailable(*pod, min_ready_seconds, now);
    if (wait.count() > 0 && (!next || wait < *next)) next = wait;
  }
  return next;
}

}  // namespace skiff::controllers
