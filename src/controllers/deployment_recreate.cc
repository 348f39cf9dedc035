// The Recreate strategy (recreate.go): scale every old ReplicaSet to 0, wait until none of
// their pods runs any more (the ReplicaSets report no replicas and the pod cache holds no old
// pod that has not finished), then create or scale up the new ReplicaSet.
#include "controllers/deployment_sync.h"

namespace skiff::controllers::deployment {
namespace {

// oldPodsRunning: an old ReplicaSet still reports replicas, or one of its pods has not
// Succeeded or Failed (a Pending pod counts: it may start any moment).
bool OldPodsRunning(const RsPtr& new_rs, const RsList& old_rss,
                    const std::map<std::string, std::vector<client::ObjectPtr>>& pod_map) {
  if (SumStatus(old_rss, "replicas") > 0) return true;
  const std::string new_uid = new_rs ? StrAt(*new_rs, {"metadata", "uid"}) : "";
  for (const auto& [rs_uid, pods] : pod_map) {
    if (new_rs && rs_uid == new_uid) continue;
    for (const client::ObjectPtr& pod : pods) {
      const std::string phase = StrAt(*pod, {"status", "phase"});
      if (phase != "Failed" && phase != "Succeeded") return true;
    }
  }
  return false;
}

}  // namespace

Status DeploymentSync::RolloutRecreate(const RsList& rs_list) {
  // No new ReplicaSet is created yet: nothing may scale up before the old ones are down.
  RsPtr new_rs;
  RsList old_rss;
  if (Status s = GetAllReplicaSetsAndSyncRevision(rs_list, false, &new_rs, &old_rss); !s.ok()) {
    return s;
  }
  RsList all_rss = old_rss;
  all_rss.push_back(new_rs);

  bool scaled_down = false;
  for (const RsPtr& rs : FilterActive(old_rss)) {
    bool scaled = false;
    auto updated = ScaleReplicaSetAndRecordEvent(rs, 0, &scaled);
    if (!updated.ok()) return updated.status();
    scaled_down = scaled_down || scaled;
  }
  if (scaled_down) return SyncRolloutStatus(all_rss, new_rs);

  if (OldPodsRunning(new_rs, old_rss, PodMap(rs_list))) return SyncRolloutStatus(all_rss, new_rs);

  if (!new_rs) {
    if (Status s = GetAllReplicaSetsAndSyncRevision(rs_list, true, &new_rs, &old_rss); !s.ok()) {
      return s;
    }
    all_rss = old_rss;
    all_rss.push_back(new_rs);
  }
  bool scaled_up = false;
  if (auto r = ScaleReplicaSetAndRecordEvent(new_rs, SpecReplicas(d_), &scaled_up); !r.ok())
    return r.status();

  if (DeploymentComplete(d_, d_["status"])) {
    if (Status s = CleanupDeployment(old_rss); !s.ok()) return s;
  }
  return SyncRolloutStatus(all_rss, new_rs);
}

}  // namespace skiff::controllers::deployment
