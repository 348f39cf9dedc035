// The "attempt to delete" key (Kubernetes' attemptToDeleteItem): verify a virtual node,
// collect a dependent whose owners are gone (or trim its dangling references), and progress
// the foreground deletion of an owner.
#include <set>

#include "controllers/garbage_collector.h"
#include "skiff/common/log.h"

namespace skiff::controllers {

using nlohmann::json;

namespace {

constexpr char kComponent[] = "garbage-collector-controller";

}  // namespace

Status GarbageCollector::AttemptToDelete(const std::string& uid) {
  auto item = graph_.Node(uid);
  if (!item) return Status::Ok();
  // Being deleted is a one-way trip: wait for the delete, then its dependents are looked at.
  if (item->being_deleted && !item->deleting_dependents) return Status::Ok();

  auto latest = ops_.Get(item->identity);
  if (!latest.ok() && latest.status().code() != Code::kNotFound) return latest.status();
  if (!latest.ok() || UidOf(*latest) != uid) {
    if (!item->observed) {
      // A virtual owner absent here may exist in another namespace, not shown by its informer
      // yet: then it is not absent (its dependents' references are invalid, not dangling).
      auto r = ops_.ResourceOf(item->identity.api_version, item->identity.kind);
      if (r.ok() && (*r)->namespaced) {
        auto elsewhere = ops_.NamespaceOfUid(**r, item->identity.name, uid, item->identity.ns);
        if (!elsewhere.ok()) return elsewhere.status();
        if (elsewhere->has_value()) {
          loop_.EnqueueAfter(DeleteKey(uid), options_.unobserved_recheck);
          return Status::Ok();
        }
      }
    }
    // Verified absent (a virtual owner that does not exist, or an object gone meanwhile).
    Enqueue(graph_.VirtualDelete(item->identity));
    return Status::Ok();
  }
  if (!item->observed) {
    // It exists but no informer has shown it yet: look again once one has.
    loop_.EnqueueAfter(DeleteKey(uid), options_.unobserved_recheck);
    return Status::Ok();
  }
  if (item->deleting_dependents) return ProcessDeletingDependents(*item);

  const std::vector<OwnerRef> refs = OwnerRefsOf(*latest);
  if (refs.empty()) return Status::Ok();
  auto c = Classify(*item, refs);
  if (!c.ok()) return c.status();
  ReportInvalidOwners(*item, refs);
  if (c->invalid) return Status::Ok();  // never collected because of an invalid reference

  if (!c->solid.empty()) {
    if (c->dangling.empty() && c->waiting.empty()) return Status::Ok();
    // Owners being deleted in the foreground go from the references too, or they would wait
    // for this dependent forever.
    std::set<std::string> uids;
    for (const OwnerRef& r : c->dangling) uids.insert(r.uid);
    for (const OwnerRef& r : c->waiting) uids.insert(r.uid);
    Status s = ops_.RemoveOwnerReferences(item->identity, *latest, uids);
    return s.code() == Code::kNotFound ? Status::Ok() : s;
  }

  std::string policy;
  if (!c->waiting.empty() && item->dependents > 0) {
    // An owner waits for this dependent, which has dependents of its own: delete it in the
    // foreground too. A dependent already deleting in the foreground could wait for this one
    // in a cycle, so first this object stops blocking its owners.
    for (const NodeState& dep : graph_.Dependents(uid)) {
      if (!dep.deleting_dependents) continue;
      Status s = ops_.UnblockOwnerReferences(item->identity, *latest);
      if (!s.ok()) return s.code() == Code::kNotFound ? Status::Ok() : s;
      break;
    }
    policy = "Foreground";
  } else if (HasFinalizer(*latest, kFinalizerOrphan)) {
    policy = "Orphan";  // honour a policy the object already asked for
  } else if (HasFinalizer(*latest, kFinalizerForeground)) {
    policy = "Foreground";
  } else {
    policy = "Background";
  }
  log::Info(kComponent, "deleting object whose owners are gone",
            {{"object", item->identity.ToString()}, {"propagationPolicy", policy}});
  Status s = ops_.Delete(item->identity, policy);
  if (s.code() == Code::kNotFound) {
    Enqueue(graph_.VirtualDelete(item->identity));
    return Status::Ok();
  }
  return s;
}

Status GarbageCollector::ProcessDeletingDependents(const NodeState& item) {
  const std::vector<NodeState> blocking = graph_.Dependents(item.identity.uid, true);
  if (blocking.empty()) {
    return ops_.RemoveFinalizer(item.identity, kFinalizerForeground);
  }
  for (const NodeState& dep : blocking) {
    if (!dep.deleting_dependents) loop_.Enqueue(DeleteKey(dep.identity.uid));
  }
  return Status::Ok();
}

}  // namespace skiff::controllers
