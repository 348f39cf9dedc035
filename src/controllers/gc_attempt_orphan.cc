// The "attempt to orphan" key (Kubernetes' attemptToOrphanWorker): an owner being deleted
// with the orphan finalizer has its reference removed from every dependent, then the
// finalizer removed (and the API deletes it).
#include <set>

#include "controllers/garbage_collector.h"

namespace skiff::controllers {

using nlohmann::json;

Status GarbageCollector::AttemptToOrphan(const std::string& uid) {
  auto owner = graph_.Node(uid);
  if (!owner) return Status::Ok();
  Status first;
  std::string errors;
  for (const NodeState& dep : graph_.Dependents(uid)) {
    auto live = ops_.Get(dep.identity);
    Status s;
    if (live.ok()) {
      if (UidOf(*live) != dep.identity.uid) continue;
      s = ops_.RemoveOwnerReferences(dep.identity, *live, {uid});
    } else {
      s = live.status();
    }
    if (s.ok() || s.code() == Code::kNotFound) continue;
    if (first.ok()) first = s;
    errors += (errors.empty() ? "" : ", ") + std::string("orphaning ") + dep.identity.ToString() +
              " failed, " + s.message();
  }
  if (!first.ok()) {
    return Status(first.code(), "failed to orphan dependents of owner " +
                                    owner->identity.ToString() + ", got errors: " + errors);
  }
  return ops_.RemoveFinalizer(owner->identity, kFinalizerOrphan);
}

}  // namespace skiff::controllers
