#include "controllers/pod_util.h"

#include "api/object_util.h"
#include "skiff/apis/pod_claims.h"

namespace skiff::controllers {
namespace {

const json* ReadyCondition(const json& pod) {
  auto status = pod.find("status");
  if (status == pod.end() || !status->is_object()) return nullptr;
  auto conds = status->find("conditions");
  if (conds == status->end() || !conds->is_array()) return nullptr;
  for (const json& c : *conds) {
    if (c.is_object() && c.value("type", "") == "Ready") return &c;
  }
  return nullptr;
}

}  // namespace

bool IsPodActive(const json& pod) {
  const std::string phase = api::GetString(pod, {"status", "phase"});
  return phase != "Succeeded" && phase != "Failed" && !IsBeingDeleted(pod);
}

bool IsPodReady(const json& pod) {
  const json* c = ReadyCondition(pod);
  return c && c->value("status", "") == "True";
}

std::optional<Clock::time_point> ReadySince(const json& pod) {
  const json* c = ReadyCondition(pod);
  if (!c) return std::nullopt;
  Clock::time_point t;
  if (!api::ParseRfc3339(c->value("lastTransitionTime", ""), &t)) return std::nullopt;
  return t;
}

std::chrono::seconds UntilAvailable(const json& pod, int64_t min_ready_seconds,
                                    Clock::time_point now) {
  if (!IsPodReady(pod) || min_ready_seconds <= 0) return std::chrono::seconds(0);
  auto since = ReadySince(pod);
  if (!since) return std::chrono::seconds(0);
  const auto due = *since + std::chrono::seconds(min_ready_seconds);
  if (due <= now) return std::chrono::seconds(0);
  return std::chrono::ceil<std::chrono::seconds>(due - now);
}

bool IsPodAvailable(const json& pod, int64_t min_ready_seconds, Clock::time_point now) {
  if (!IsPodReady(pod)) return false;
  if (min_ready_seconds <= 0) return true;
  auto since = ReadySince(pod);
  // Kubernetes counts a Ready condition without a transition time as not yet available.
  return since && *since + std::chrono::seconds(min_ready_seconds) <= now;
}

json PodFromTemplate(const json& pod_template, const json& owner, const OwnerKind& kind) {
  json meta = json::object();
  const json tmeta = pod_template.value("metadata", json::object());
  for (const char* field : {"labels", "annotations", "finalizers"}) {
    if (tmeta.contains(field) && !tmeta[field].is_null()) meta[field] = tmeta[field];
  }
  meta["generateName"] = api::GetString(owner, {"metadata", "name"}) + "-";
  meta["ownerReferences"] = json::array({MakeControllerRef(owner, kind)});
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", std::move(meta)},
          {"spec", pod_template.value("spec", json::object())}};
}

void AddPodClaimIndex(client::Informer& pods) {
  // kAlreadyExists: another controller added it, with the same function.
  (void)pods.AddIndex(kPodClaimIndex, apis::PodClaimKeys);
}

}  // namespace skiff::controllers
