#include "controllers/gc_graph.h"

#include <algorithm>
#include <utility>

namespace skiff::controllers {

using nlohmann::json;

namespace {

const json* Meta(const json& obj) {
  auto it = obj.find("metadata");
  return it != obj.end() && it->is_object() ? &*it : nullptr;
}

std::string Str(const json& obj, const char* field) {
  auto it = obj.find(field);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool Flag(const json& obj, const char* field) {
  auto it = obj.find(field);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

// Kubernetes' deletionStartsWithFinalizer: obj is being deleted with `finalizer`, and old (if
// any) was not.
bool StartsDeletingWith(const json* old, const json& obj, const char* finalizer) {
  if (!BeingDeleted(obj) || !HasFinalizer(obj, finalizer)) return false;
  return old == nullptr || !BeingDeleted(*old) || !HasFinalizer(*old, finalizer);
}

struct RefsDiff {
  std::vector<OwnerRef> added, removed;
  std::vector<std::pair<OwnerRef, OwnerRef>> changed;  // old, new
};

RefsDiff Diff(const std::vector<OwnerRef>& old_refs, const std::vector<OwnerRef>& new_refs) {
  RefsDiff d;
  for (const OwnerRef& n : new_refs) {
    auto o = std::find_if(old_refs.begin(), old_refs.end(),
                          [&](const OwnerRef& r) { return r.uid == n.uid; });
    if (o == old_refs.end()) {
      d.added.push_back(n);
    } else if (!(*o == n)) {
      d.changed.push_back({*o, n});
    }
  }
  for (const OwnerRef& o : old_refs) {
    if (std::none_of(new_refs.begin(), new_refs.end(),
                     [&](const OwnerRef& r) { return r.uid == o.uid; })) {
      d.removed.push_back(o);
    }
  }
  return d;
}

}  // namespace

std::vector<OwnerRef> OwnerRefsOf(const json& obj) {
  std::vector<OwnerRef> out;
  const json* meta = Meta(obj);
  if (!meta) return out;
  auto refs = meta->find("ownerReferences");
  if (refs == meta->end() || !refs->is_array()) return out;
  for (const json& r : *refs) {
    if (!r.is_object()) continue;
    OwnerRef ref{Str(r, "apiVersion"), Str(r, "kind"),        Str(r, "name"),
                 Str(r, "uid"),        Flag(r, "controller"), Flag(r, "blockOwnerDeletion")};
    if (!ref.uid.empty()) out.push_back(std::move(ref));
  }
  return out;
}


bool BeingDeleted(const json& obj) {
  const json* meta = Meta(obj);
  if (!meta) return false;
  auto it = meta->find("deletionTimestamp");
  return it != meta->end() && !it->is_null();
}


std::string ObjectRef::ToString() const {
  return "[" + api_version + "/" + kind + ", namespace: " + ns + ", name: " + name +
         ", uid: " + uid + "]";
}

ObjectRef OwnerIdentity(const OwnerRef& ref, const std::string& ns) {
  return {ref.api_version, ref.kind, ns, ref.name, ref.uid};
}

GcGraph::Vertex* GcGraph::Find(const std::string& uid) {
  auto it = nodes_.find(uid);
  return it == nodes_.end() ? nullptr : &it->second;
}

GraphEffects GcGraph::Observe(const ObjectRef& id, const json& obj, const json* old) {
  GraphEffects fx;
  std::vector<OwnerRef> owners = OwnerRefsOf(obj);
  std::lock_guard lock(mu_);
  Vertex* existing = Find(id.uid);
  if (existing && !existing->observed) {
    // A virtual node is now observed: dependents that named it by other coordinates are
    // looked at again (the "bad child, then good parent" order).
    if (!(existing->identity == id)) {
      std::vector<std::string> matching, nonmatching;
      Partition(*existing, id, &matching, &nonmatching);
      for (const std::string& dep_uid : nonmatching) {
        Vertex* dep = Find(dep_uid);
        if (dep && !id.ns.empty() && dep->identity.ns != id.ns) {
          dep->invalid_owners.insert(id.uid);
        }
        fx.attempt_delete.push_back(dep_uid);
      }
      existing->identity = id;
    }
    existing->observed = true;
  }
  if (!existing) {
    Vertex& n = nodes_[id.uid];
    n.identity = id;
    n.owners = std::move(owners);
    n.observed = true;
    n.being_deleted = BeingDeleted(obj);
    n.deleting_dependents = n.being_deleted && HasFinalizer(obj, kFinalizerForeground);
    AddDependentToOwners(n, n.owners, fx);
    ProcessTransitions(old, obj, n, fx);
    return fx;
  }
  Vertex& n = *existing;
  n.identity = id;  // apiVersion or kind may differ from a virtual node's guess
  RefsDiff d = Diff(n.owners, owners);
  if (!d.added.empty() || !d.removed.empty() || !d.changed.empty()) {
    // Owners waiting for their blocking dependents may be unblocked now.
    for (const OwnerRef& r : d.removed) {
      if (r.block_owner_deletion && Find(r.uid)) fx.attempt_delete.push_back(r.uid);
    }
    for (const auto& [was, now] : d.changed) {
      if (was.block_owner_deletion && !now.block_owner_deletion && Find(now.uid)) {
        fx.attempt_delete.push_back(now.uid);
      }
    }
    n.owners = std::move(owners);
    AddDependentToOwners(n, d.added, fx);
    RemoveDependentFromOwners(id.uid, d.removed);
    for (const OwnerRef& r : d.removed) n.invalid_owners.erase(r.uid);
  }
  if (BeingDeleted(obj)) n.being_deleted = true;
  ProcessTransitions(old, obj, n, fx);
  return fx;
}

void GcGraph::AddDependentToOwners(Vertex& n, const std::vector<OwnerRef>& owners,
                                   GraphEffects& fx) {
  bool potentially_invalid = false;
  for (const OwnerRef& ref : owners) {
    Vertex* owner = Find(ref.uid);
    if (!owner) {
      // Never observed: a virtual node, verified by a worker.
      Vertex& v = nodes_[ref.uid];
      const bool cluster = cluster_scoped_ && cluster_scoped_(ref.api_version, ref.kind);
      v.identity = OwnerIdentity(ref, cluster ? std::string() : n.identity.ns);
      v.dependents.insert(n.identity.uid);
      fx.attempt_delete.push_back(ref.uid);
      continue;
    }
    owner->dependents.insert(n.identity.uid);
    if (potentially_invalid) continue;
    const std::string& owner_ns = owner->identity.ns;
    if (!owner_ns.empty() && owner_ns != n.identity.ns) {
      // A namespaced owner in another namespace: certainly wrong once observed.
      if (owner->observed) n.invalid_owners.insert(ref.uid);
      potentially_invalid = true;
    } else if (!ref.SameCoordinates(owner->identity.Coordinates())) {
      potentially_invalid = true;
    } else if (owner_ns.empty() && n.identity.ns != owner_ns && !owner->observed) {
      // A virtual cluster-scoped guess named from another namespace (kubernetes#98040).
      potentially_invalid = true;
    }
  }
  if (potentially_invalid) fx.attempt_delete.push_back(n.identity.uid);
}

void GcGraph::RemoveDependentFromOwners(const std::string& uid,
                                        const std::vector<OwnerRef>& owners) {
  for (const OwnerRef& ref : owners) {
    Vertex* owner = Find(ref.uid);
    if (!owner) continue;
    owner->dependents.erase(uid);
    // A virtual node lives only as long as something names it.
    if (!owner->observed && owner->dependents.empty()) nodes_.erase(ref.uid);
  }
}

void GcGraph::ProcessTransitions(const json* old, const json& obj, Vertex& n, GraphEffects& fx) {
  if (StartsDeletingWith(old, obj, kFinalizerOrphan)) {
    fx.attempt_orphan.push_back(n.identity.uid);
    return;
  }
  if (StartsDeletingWith(old, obj, kFinalizerForeground)) {
    n.deleting_dependents = true;
    for (const std::string& dep : n.dependents) fx.attempt_delete.push_back(dep);
    fx.attempt_delete.push_back(n.identity.uid);
  }
}

GraphEffects GcGraph::ObserveDelete(const ObjectRef& id) {
  GraphEffects fx;
  std::lock_guard lock(mu_);
  if (Find(id.uid)) RemoveNode(id.uid, id, fx);
  return fx;
}

void GcGraph::RemoveNode(const std::string& uid, const ObjectRef& deleted, GraphEffects& fx) {
  auto it = nodes_.find(uid);
  Vertex n = std::move(it->second);
  nodes_.erase(it);
  RemoveDependentFromOwners(uid, n.owners);
  if (!n.dependents.empty()) absent_.Add(deleted);
  for (const std::string& dep : n.dependents) fx.attempt_delete.push_back(dep);
  for (const OwnerRef& ref : n.owners) {
    Vertex* owner = Find(ref.uid);
    if (owner && owner->deleting_dependents) fx.attempt_delete.push_back(ref.uid);
  }
}

void GcGraph::Partition(const Vertex& n, const ObjectRef& owner, std::vector<std::string>* matching,
                        std::vector<std::string>* nonmatching) {
  const OwnerRef coords = owner.Coordinates();
  for (const std::string& dep_uid : n.dependents) {
    const Vertex* dep = Find(dep_uid);
    if (!dep) continue;
    bool match = false, mismatch = false;
    if (!owner.ns.empty() && owner.ns != dep->identity.ns) {
      mismatch = true;
    } else {
      for (const OwnerRef& ref : dep->owners) {
        if (ref.uid != owner.uid) continue;
        (ref.SameCoordinates(coords) ? match : mismatch) = true;
      }
    }
    if (match && matching) matching->push_back(dep_uid);
    if (mismatch && nonmatching) nonmatching->push_back(dep_uid);
  }
}

GraphEffects GcGraph::VirtualDelete(const ObjectRef& absent) {
  GraphEffects fx;
  std::lock_guard lock(mu_);
  Vertex* n = Find(absent.uid);
  if (!n) return fx;
  bool remove = true;
  std::vector<std::string> matching, nonmatching;
  Partition(*n, absent, &matching, &nonmatching);
  if (!n->observed) {
    // Unsure of a virtual node's coordinates: if some dependents name it otherwise, keep it
    // (under one of their names) and only let the dependents that named it this way go.
    if (!nonmatching.empty()) {
      remove = false;
      if (!matching.empty()) {
        absent_.Add(absent);
        fx.attempt_delete.insert(fx.attempt_delete.end(), matching.begin(), matching.end());
      }
      if (n->identity == absent) {
        std::optional<ObjectRef> first, after;
        for (const std::string& dep_uid : nonmatching) {
          const Vertex* dep = Find(dep_uid);
          for (const OwnerRef& ref : dep->owners) {
            if (ref.uid != absent.uid) continue;
            ObjectRef alt = OwnerIdentity(ref, dep->identity.ns);
            if ((absent.ns.empty() && alt.api_version == absent.api_version &&
                 alt.kind == absent.kind) ||
                (cluster_scoped_ && cluster_scoped_(alt.api_version, alt.kind))) {
              alt.ns.clear();  // that kind is cluster-scoped
            }
            if (alt == absent || absent_.Has(alt)) continue;
            const std::string key = alt.ToString();
            if (!first || key < first->ToString()) first = alt;
            if (key > absent.ToString() && (!after || key < after->ToString())) after = alt;
          }
        }
        if (after || first) {
          n->identity = after ? *after : *first;
          fx.attempt_delete.push_back(absent.uid);
        }
      }
    }
  } else if (!(n->identity == absent)) {
    // An observed object is not removed by a lookup under other coordinates.
    remove = false;
    if (!matching.empty()) {
      absent_.Add(absent);
      fx.attempt_delete.insert(fx.attempt_delete.end(), matching.begin(), matching.end());
    }
  }
  if (remove) RemoveNode(absent.uid, absent, fx);
  return fx;
}

std::optional<NodeState> GcGraph::Node(const std::string& uid) const {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(uid);
  if (it == nodes_.end()) return std::nullopt;
  const Vertex& n = it->second;
  return NodeState{n.identity,         n.owners, n.observed, n.being_deleted, n.deleting_dependents,
                   n.dependents.size()};
}

std::vector<NodeState> GcGraph::Dependents(const std::string& uid, bool blocking_only) const {
  std::vector<NodeState> out;
  std::lock_guard lock(mu_);
  auto it = nodes_.find(uid);
  if (it == nodes_.end()) return out;
  for (const std::string& dep_uid : it->second.dependents) {
    auto d = nodes_.find(dep_uid);
    if (d == nodes_.end()) continue;
    const Vertex& dep = d->second;
    if (blocking_only && std::none_of(dep.owners.begin(), dep.owners.end(), [&](const OwnerRef& r) {
          return r.uid == uid && r.block_owner_deletion;
        })) {
      continue;
    }
    out.push_back(NodeState{dep.identity, dep.owners, dep.observed, dep.being_deleted,
                            dep.deleting_dependents, dep.dependents.size()});
  }
  return out;
}

void GcGraph::MarkInvalidOwner(const std::string& dependent, const std::string& owner) {
  std::lock_guard lock(mu_);
  if (Vertex* n = Find(dependent)) n->invalid_owners.insert(owner);
}

bool GcGraph::IsInvalidOwner(const std::string& dependent, const std::string& owner) const {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(dependent);
  return it != nodes_.end() && it->second.invalid_owners.count(owner) > 0;
}

std::vector<std::string> GcGraph::TakeUnreportedInvalidOwners(const std::string& dependent) {
  std::vector<std::string> out;
  std::lock_guard lock(mu_);
  Vertex* n = Find(dependent);
  if (!n) return out;
  for (const std::string& owner : n->invalid_owners) {
    if (n->reported_invalid.insert(owner).second) out.push_back(owner);
  }
  return out;
}

size_t GcGraph::Size() const {
  std::lock_guard lock(mu_);
  return nodes_.size();
}

}  // namespace skiff::controllers
