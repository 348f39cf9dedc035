// Scaling a Deployment (sync.go sync / scale / isScalingEvent): a Deployment whose size
// changed (or that is paused) is scaled without rolling out. With several active ReplicaSets
// mid-rollout, the change is split among them in proportion to their size (their
// max-replicas annotation records the size the Deployment had when they were last scaled), so
// that scaling neither speeds up nor reverses the rollout.
#include "controllers/deployment_sync.h"

namespace skiff::controllers::deployment {

Result<bool> DeploymentSync::IsScalingEvent(const RsList& rs_list) {
  RsPtr new_rs;
  RsList old_rss;
  if (Status s = GetAllReplicaSetsAndSyncRevision(rs_list, false, &new_rs, &old_rss); !s.ok()) {
    return s;
  }
  RsList all_rss = old_rss;
  all_rss.push_back(new_rs);
  for (const RsPtr& rs : FilterActive(all_rss)) {
    const auto desired = IntAnnotation(*rs, kDesiredReplicasAnnotation);
    if (desired && *desired != SpecReplicas(d_)) return true;
  }
  return false;
}

Status DeploymentSync::SyncScale(const RsList& rs_list) {
  RsPtr new_rs;
  RsList old_rss;
  if (Status s = GetAllReplicaSetsAndSyncRevision(rs_list, false, &new_rs, &old_rss); !s.ok()) {
    return s;
  }
  if (Status s = Scale(new_rs, old_rss); !s.ok()) return s;
  // A paused Deployment keeps its history trimmed too (a rolling one does it when complete).
  if (d_["spec"].value("paused", false)) {
    if (Status s = CleanupDeployment(old_rss); !s.ok()) return s;
  }
  RsList all_rss = old_rss;
  all_rss.push_back(new_rs);
  return SyncDeploymentStatus(all_rss, new_rs);
}

Status DeploymentSync::Scale(const RsPtr& new_rs, const RsList& old_rss) {
  const int32_t replicas = SpecReplicas(d_);
  bool scaled = false;
  // One active ReplicaSet (or none: then the newest) takes the whole size.
  if (RsPtr only = FindActiveOrLatest(new_rs, old_rss)) {
    if (SpecReplicas(*only) == replicas) return Status::Ok();
    auto r = ScaleReplicaSetAndRecordEvent(only, replicas, &scaled);
    return r.ok() ? Status::Ok() : r.status();
  }
  // A saturated new ReplicaSet (say, adopted mid-rollout): the old ones go.
  if (IsSaturated(d_, new_rs)) {
    for (const RsPtr& old : FilterActive(old_rss)) {
      auto r = ScaleReplicaSetAndRecordEvent(old, 0, &scaled);
      if (!r.ok()) return r.status();
    }
    return Status::Ok();
  }
  if (!IsRollingUpdate(d_)) return Status::Ok();

  RsList all = old_rss;
  all.push_back(new_rs);
  RsList active = FilterActive(all);
  const int32_t allowed_size = replicas > 0 ? replicas + MaxSurge(d_) : 0;
  // Replicas to add (or, negative, remove) across the active ReplicaSets: larger ones first;
  // among equals, newer ones grow first and older ones shrink first.
  const int32_t to_add = allowed_size - SumSpecReplicas(active);
  if (to_add > 0) SortBySizeNewer(active);
  if (to_add < 0) SortBySizeOlder(active);

  int32_t added = 0;
  std::vector<int32_t> sizes;
  for (const RsPtr& rs : active) {
    int32_t proportion = 0;
    if (to_add != 0) {
      proportion = GetProportion(rs, d_, to_add, added);
      added += proportion;
    }
    sizes.push_back(SpecReplicas(*rs) + proportion);
  }
  for (size_t i = 0; i < active.size(); ++i) {
    // Whatever rounding left over goes to the largest.
    if (i == 0 && to_add != 0) sizes[i] = std::max(sizes[i] + to_add - added, 0);
    auto r = ScaleReplicaSet(active[i], sizes[i], &scaled);
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

}  // namespace skiff::controllers::deployment
