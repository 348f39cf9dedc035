// Classifying a dependent's owner references (Kubernetes' classifyReferences and isDangling):
// solid (the owner exists), dangling (verified absent), waiting (the owner exists and is being
// deleted in the foreground), or invalid (a namespaced owner of a cluster-scoped object, or an
// owner in another namespace).

#include "controllers/garbage_collector.h"

namespace skiff::controllers {

using nlohmann::json;

Result<GarbageCollector::Classified> GarbageCollector::Classify(const NodeState& item,
                                                                const std::vector<OwnerRef>& refs) {
  Classified c;
  for (const OwnerRef& ref : refs) {
    auto state = LookupOwner(item, ref);
    if (!state.ok()) return state.status();
    switch (*state) {
      case OwnerState::kSolid:
        c.solid.push_back(ref);
        break;
      case OwnerState::kDangling:
        c.dangling.push_back(ref);
        break;
      case OwnerState::kWaitingForDependents:
        c.waiting.push_back(ref);
        break;
      case OwnerState::kInvalid:
        c.invalid = true;
        break;
    }
  }
  return c;
}

Result<GarbageCollector::OwnerState> GarbageCollector::LookupOwner(const NodeState& item,
                                                                   const OwnerRef& ref) {
  const ObjectRef& dep = item.identity;
  if (graph_.IsInvalidOwner(dep.uid, ref.uid)) return OwnerState::kInvalid;
  // Owners already verified absent, cluster-scoped or in the dependent's namespace.
  ObjectRef key = OwnerIdentity(ref, "");
  if (absent_.Has(key)) return OwnerState::kDangling;
  key.ns = dep.ns;
  if (absent_.Has(key)) return OwnerState::kDangling;

  auto resource = ops_.ResourceOf(ref.api_version, ref.kind);
  if (!resource.ok()) return resource.status();  // retried: the kind may be served later
  const GcResource& r = **resource;
  if (!r.namespaced) key.ns.clear();
  if (dep.ns.empty() && r.namespaced) {
    graph_.MarkInvalidOwner(dep.uid, ref.uid);  // a namespaced owner of a cluster-scoped object
    return OwnerState::kInvalid;
  }
  if (r.namespaced) {
    auto owner = graph_.Node(ref.uid);
    if (owner && owner->observed && owner->identity.ns != dep.ns) {
      graph_.MarkInvalidOwner(dep.uid, ref.uid);
      return OwnerState::kInvalid;
    }
  }

  auto live = client_.Get(r.resource, key.ns, ref.name);
  if (!live.ok() && live.status().code() != Code::kNotFound) return live.status();
  if (!live.ok() || UidOf(*live) != ref.uid) {
    if (r.namespaced) {
      // Absent here; but an owner with that uid in another namespace (that the informers have
      // not shown yet) makes the reference invalid rather than dangling.
      auto elsewhere = ops_.NamespaceOfUid(r, ref.name, ref.uid, dep.ns);
      if (!elsewhere.ok()) return elsewhere.status();
      if (elsewhere->has_value()) {
        graph_.MarkInvalidOwner(dep.uid, ref.uid);
        return OwnerState::kInvalid;
      }
    }
    absent_.Add(key);
    return OwnerState::kDangling;
  }
  if (BeingDeleted(*live) && HasFinalizer(*live, kFinalizerForeground)) {
    return OwnerState::kWaitingForDependents;
  }
  return OwnerState::kSolid;
}

void GarbageCollector::ReportInvalidOwners(const NodeState& item,
                                           const std::vector<OwnerRef>& refs) {
  for (const std::string& owner_uid : graph_.TakeUnreportedInvalidOwners(item.identity.uid)) {
    for (const OwnerRef& ref : refs) {
      if (ref.uid != owner_uid) continue;
      const ObjectRef& dep = item.identity;
      json involved = {{"apiVersion", dep.api_version},
                       {"kind", dep.kind},
                       {"metadata", {{"name", dep.name}, {"uid", dep.uid}}}};
      if (!dep.ns.empty()) involved["metadata"]["namespace"] = dep.ns;
      recorder_.Record(involved, "", "Warning", "OwnerRefInvalidNamespace",
                       "ownerRef " + OwnerIdentity(ref, dep.ns).ToString() +
                           " does not exist in namespace \"" + dep.ns + "\"");
      break;
    }
  }
}

}  // namespace skiff::controllers
