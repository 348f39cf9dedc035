// The RollingUpdate strategy (rolling.go): scale the new ReplicaSet up within maxSurge, then
// old ones down within maxUnavailable, one step per sync, so that at every moment
//   available >= replicas - maxUnavailable   and   total <= replicas + maxSurge.
#include <algorithm>

#include "controllers/deployment_sync.h"

namespace skiff::controllers::deployment {

Status DeploymentSync::RolloutRolling(const RsList& rs_list) {
  RsPtr new_rs;
  RsList old_rss;
  if (Status s = GetAllReplicaSetsAndSyncRevision(rs_list, true, &new_rs, &old_rss); !s.ok()) {
    return s;
  }
  RsList all_rss = old_rss;
  all_rss.push_back(new_rs);

  auto scaled_up = ReconcileNewReplicaSet(all_rss, new_rs);
  if (!scaled_up.ok()) return scaled_up.status();
  if (*scaled_up) return SyncRolloutStatus(all_rss, new_rs);

  auto scaled_down = ReconcileOldReplicaSets(all_rss, FilterActive(old_rss), new_rs);
  if (!scaled_down.ok()) return scaled_down.status();
  if (*scaled_down) return SyncRolloutStatus(all_rss, new_rs);

  if (DeploymentComplete(d_, d_["status"])) {
    if (Status s = CleanupDeployment(old_rss); !s.ok()) return s;
  }
  return SyncRolloutStatus(all_rss, new_rs);
}

Result<bool> DeploymentSync::ReconcileNewReplicaSet(const RsList& all_rss, const RsPtr& new_rs) {
  const int32_t replicas = SpecReplicas(d_);
  const int32_t current = SpecReplicas(*new_rs);
  bool scaled = false;
  if (current == replicas) return false;
  if (current > replicas) {
    auto r = ScaleReplicaSetAndRecordEvent(new_rs, replicas, &scaled);
    if (!r.ok()) return r.status();
    return scaled;
  }
  auto count = NewRSNewReplicas(d_, all_rss, *new_rs);
  if (!count.ok()) return count.status();
  auto r = ScaleReplicaSetAndRecordEvent(new_rs, *count, &scaled);
  if (!r.ok()) return r.status();
  return scaled;
}

Result<bool> DeploymentSync::ReconcileOldReplicaSets(RsList all_rss, RsList old_rss,
                                                     const RsPtr& new_rs) {
  if (SumSpecReplicas(old_rss) == 0) return false;  // nothing left to scale down
  const int32_t all_pods = SumSpecReplicas(all_rss);
  const int32_t min_available = SpecReplicas(d_) - MaxUnavailable(d_);
  // Scaling down may use up maxUnavailable and the surge already created, but not the new
  // ReplicaSet's unavailable pods: if those never become available (a crash-looping new
  // template), old pods are not removed in their place.
  const int32_t new_unavailable = SpecReplicas(*new_rs) - StatusInt(*new_rs, "availableReplicas");
  const int32_t max_scaled_down = all_pods - min_available - new_unavailable;
  if (max_scaled_down <= 0) return false;

  // Unhealthy old replicas go first: removing them costs no availability.
  auto cleaned = CleanupUnhealthyReplicas(old_rss, max_scaled_down);
  if (!cleaned.ok()) return cleaned.status();
  all_rss = old_rss;
  all_rss.push_back(new_rs);
  auto scaled = ScaleDownOldReplicaSetsForRollingUpdate(all_rss, old_rss);
  if (!scaled.ok()) return scaled.status();
  return *cleaned + *scaled > 0;
}

Result<int32_t> DeploymentSync::CleanupUnhealthyReplicas(RsList& old_rss, int32_t max_cleanup) {
  SortByCreation(old_rss);
  int32_t total = 0;
  for (RsPtr& rs : old_rss) {
    if (total >= max_cleanup) break;
    const int32_t replicas = SpecReplicas(*rs);
    const int32_t available = StatusInt(*rs, "availableReplicas");
    if (replicas == 0 || replicas == available) continue;  // nothing unhealthy here
    const int32_t count = std::min(max_cleanup - total, replicas - available);
    const int32_t new_count = replicas - count;
    if (new_count > replicas) {
      return InternalError(
          "when cleaning up unhealthy replicas, got invalid request to scale "
          "down " +
          ns_ + "/" + StrAt(*rs, {"metadata", "name"}) + " " + std::to_string(replicas) + " -> " +
          std::to_string(new_count));
    }
    bool scaled = false;
    auto updated = ScaleReplicaSetAndRecordEvent(rs, new_count, &scaled);
    if (!updated.ok()) return updated.status();
    total += count;
    rs = *updated;
  }
  return total;
}

Result<int32_t> DeploymentSync::ScaleDownOldReplicaSetsForRollingUpdate(const RsList& all_rss,
                                                                        RsList old_rss) {
  const int32_t min_available = SpecReplicas(d_) - MaxUnavailable(d_);
  const int32_t available = SumStatus(all_rss, "availableReplicas");
  if (available <= min_available) return 0;  // cannot scale down

  SortByCreation(old_rss);
  int32_t total = 0;
  const int32_t total_to_scale_down = available - min_available;
  for (const RsPtr& rs : old_rss) {
    if (total >= total_to_scale_down) break;
    const int32_t replicas = SpecReplicas(*rs);
    if (replicas == 0) continue;
    const int32_t count = std::min(replicas, total_to_scale_down - total);
    const int32_t new_count = replicas - count;
    if (new_count > replicas) {
      return InternalError("when scaling down old RS, got invalid request to scale down " + ns_ +
                           "/" + StrAt(*rs, {"metadata", "name"}) + " " + std::to_string(replicas) +
                           " -> " + std::to_string(new_count));
    }
    bool scaled = false;
    auto updated = ScaleReplicaSetAndRecordEvent(rs, new_count, &scaled);
    if (!updated.ok()) return updated.status();
    total += count;
  }
  return total;
}

}  // namespace skiff::controllers::deployment
