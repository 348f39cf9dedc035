// The StatefulSet status: counts over its pods, the revisions, completion of a rolling update,
// and when to look again for minReadySeconds.
#include "api/object_util.h"
#include "controllers/pod_util.h"
#include "controllers/statefulset_update.h"

namespace skiff::controllers::statefulset {
namespace {

int64_t StatusInt(const json& obj, const char* field) {
  const json* v = api::Find(obj, {"status", field});
  return v && v->is_number_integer() ? v->get<int64_t>() : 0;
}

}  // namespace

json ComputeStatus(const json& set, const Revisions& revs,
                   const std::vector<client::ObjectPtr>& pods, Clock::time_point now) {
  const int32_t min_ready = MinReadySeconds(set);
  int32_t replicas = 0, ready = 0, available = 0, current = 0, updated = 0;
  for (const auto& p : pods) {
    const json& pod = *p;
    if (IsCreated(pod)) ++replicas;
    if (IsRunningAndReady(pod)) {
      ++ready;
      if (IsRunningAndAvailable(pod, min_ready, now)) ++available;
    }
    if (IsCreated(pod) && !IsTerminating(pod)) {
      const std::string revision = PodRevision(pod);
      if (revision == revs.current_name) ++current;
      if (revision == revs.update_name) ++updated;
    }
  }
  const json* generation = api::Find(set, {"metadata", "generation"});
  return {{"observedGeneration",
           generation && generation->is_number_integer() ? generation->get<int64_t>() : 0},
          {"replicas", replicas},
          {"readyReplicas", ready},
          {"availableReplicas", available},
          {"currentReplicas", current},
          {"updatedReplicas", updated},
          {"currentRevision", revs.current_name},
          {"updateRevision", revs.update_name},
          {"collisionCount", revs.collision_count}};
}

void CompleteRollingUpdate(const json& set, json& status) {
  const int64_t want = SpecReplicas(set);
  if (IsRollingUpdate(set) && status.value("updatedReplicas", int64_t{0}) == want &&
      status.value("readyReplicas", int64_t{0}) == want &&
      status.value("replicas", int64_t{0}) == want) {
    status["currentReplicas"] = status["updatedReplicas"];
    status["currentRevision"] = status["updateRevision"];
  }
}

bool StatusChanged(const json& set, const json& status) {
  for (const char* field : {"replicas", "readyReplicas", "availableReplicas", "currentReplicas",
                            "updatedReplicas", "collisionCount"}) {
    if (status.value(field, int64_t{0}) != StatusInt(set, field)) return true;
  }
  if (status.value("observedGeneration", int64_t{0}) > StatusInt(set, "observedGeneration")) {
    return true;
  }
  // A status never written lacks the fields that read as 0 above.
  if (!api::Find(set, {"status", "observedGeneration"})) return true;
  return status.value("currentRevision", "") !=
             api::GetString(set, {"status", "currentRevision"}) ||
         status.value("updateRevision", "") != api::GetString(set, {"status", "updateRevision"});
}

std::optional<std::chrono::milliseconds> NextAvailableCheck(
    const json& set, const std::vector<client::ObjectPtr>& pods, Clock::time_point now) {
  const int32_t min_ready = MinReadySeconds(set);
  if (min_ready <= 0) return std::nullopt;
  std::optional<std::chrono::milliseconds> next;
  for (const auto& p : pods) {
    if (!IsRunningAndReady(*p) || IsTerminating(*p)) continue;
    const auto wait = UntilAvailable(*p, min_ready, now);
    if (wait.count() <= 0) continue;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wait);
    if (!next || ms < *next) next = ms;
  }
  return next;
}

}  // namespace skiff::controllers::statefulset
