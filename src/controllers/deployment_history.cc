// Old revisions (sync.go cleanupDeployment): old ReplicaSets beyond
// spec.revisionHistoryLimit are deleted, oldest revision first, but only those that are
// fully scaled down (spec and status replicas 0, their last change observed).
#include "controllers/controller_ref.h"
#include "controllers/deployment_sync.h"

namespace skiff::controllers::deployment {

Status DeploymentSync::CleanupDeployment(const RsList& old_rss) {
  if (!HasRevisionHistoryLimit(d_)) return Status::Ok();
  RsList cleanable;
  for (const RsPtr& rs : old_rss) {
    if (rs && !IsBeingDeleted(*rs)) cleanable.push_back(rs);
  }
  const int64_t limit = IntAt(d_, {"spec", "revisionHistoryLimit"}, 0);
  const int64_t diff = static_cast<int64_t>(cleanable.size()) - limit;
  if (diff <= 0) return Status::Ok();

  SortByRevision(cleanable);
  for (int64_t i = 0; i < diff; ++i) {
    const json& rs = *cleanable[static_cast<size_t>(i)];
    if (StatusInt(rs, "replicas") != 0 || SpecReplicas(rs) != 0 ||
        IntAt(rs, {"metadata", "generation"}, 0) > IntAt(rs, {"status", "observedGeneration"}, 0)) {
      continue;  // still has (or may still have) pods
    }
    Status s = env_.client.Delete(client::ReplicaSets(), ns_, StrAt(rs, {"metadata", "name"}), {});
    // Stop at the first failure rather than press on against a struggling API.
    if (!s.ok() && s.code() != Code::kNotFound) return s;
  }
  return Status::Ok();
}

}  // namespace skiff::controllers::deployment
