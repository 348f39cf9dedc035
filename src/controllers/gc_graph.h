// The garbage collector's dependency graph (Kubernetes' GraphBuilder state): one node per uid,
// holding the object's identity, its owner references and the uids of its dependents.
//
// Nodes are made from what the informers observe. An owner named by a reference but never
// observed gets a "virtual" node (its identity taken from the reference, in the dependent's
// namespace) that the collector must verify against the API: when it turns out absent, a
// VirtualDelete removes it and its dependents are looked at again. Every change returns the
// uids whose state may now call for action (GraphEffects): the caller enqueues them for the
// collector's workers ("attempt to delete" or "attempt to orphan"), which read the graph and
// then the live API before acting.
//
// Owner references that name a namespaced owner observed in another namespace than the
// dependent are recorded as invalid on the dependent (Kubernetes reports them with an
// OwnerRefInvalidNamespace event); the collector never deletes a dependent because of them.
//
// Thread-safe: every method takes the graph's lock, so informer handlers (one thread per
// resource) and workers may call it concurrently. Methods return copies, never references.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/object_util.h"
#include "controllers/controller_ref.h"  // UidOf

#include "controllers/gc_absent_owners.h"

namespace skiff::controllers {

inline constexpr char kFinalizerOrphan[] = "orphan";
inline constexpr char kFinalizerForeground[] = "foregroundDeletion";

// One entry of metadata.ownerReferences.
struct OwnerRef {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = false;
  bool block_owner_deletion = false;

  bool operator==(const OwnerRef&) const = default;
  // Same uid, name, kind and apiVersion (Kubernetes' ownerReferenceMatchesCoordinates).
  bool SameCoordinates(const OwnerRef& other) const {
    return uid == other.uid && name == other.name && kind == other.kind &&
           api_version == other.api_version;
  }
};

// metadata.ownerReferences of obj (entries without a uid are skipped).
std::vector<OwnerRef> OwnerRefsOf(const nlohmann::json& obj);
// metadata.deletionTimestamp is set.
bool BeingDeleted(const nlohmann::json& obj);
using api::HasFinalizer;

// An object's identity (Kubernetes' objectReference: owner coordinates plus namespace).
struct ObjectRef {
  std::string api_version;
  std::string kind;
  std::string ns;
  std::string name;
  std::string uid;

  bool operator==(const ObjectRef&) const = default;
  // "[apps/v1/ReplicaSet, namespace: default, name: web, uid: 1f0c...]", as Kubernetes prints.
  std::string ToString() const;
  OwnerRef Coordinates() const { return {api_version, kind, name, uid}; }
};
// Where an owner reference points from a dependent in namespace ns.
ObjectRef OwnerIdentity(const OwnerRef& ref, const std::string& ns);

// uids to enqueue after a change of the graph.
struct GraphEffects {
  std::vector<std::string> attempt_delete;
  std::vector<std::string> attempt_orphan;
};

// A copy of a node's state.
struct NodeState {
  ObjectRef identity;
  std::vector<OwnerRef> owners;
  bool observed = false;             // seen by an informer (false: virtual)
  bool being_deleted = false;        // deletionTimestamp set
  bool deleting_dependents = false;  // being deleted with the foregroundDeletion finalizer
  size_t dependents = 0;
};

class GcGraph {
 public:
  // True for the apiVersion/kind of a cluster-scoped resource: a virtual node for such an
  // owner gets no namespace.
  using ClusterScopedFn =
      std::function<bool(const std::string& api_version, const std::string& kind)>;

  // `absent` must outlive the graph; deletes of owners with dependents are recorded there.
  explicit GcGraph(AbsentOwnerCache& absent, ClusterScopedFn cluster_scoped = {})
      : absent_(absent), cluster_scoped_(std::move(cluster_scoped)) {}

  // An informer's add (old == nullptr) or update of the object `obj` whose identity is `id`.
  GraphEffects Observe(const ObjectRef& id, const nlohmann::json& obj, const nlohmann::json* old);
  // An informer saw the object deleted.
  GraphEffects ObserveDelete(const ObjectRef& id);
  // A worker verified that nothing with these coordinates exists (404, or another uid).
  GraphEffects VirtualDelete(const ObjectRef& absent);

  std::optional<NodeState> Node(const std::string& uid) const;
  // The dependents of `uid` (their states); with blocking_only, only those whose reference to
  // it has blockOwnerDeletion: true.
  std::vector<NodeState> Dependents(const std::string& uid, bool blocking_only = false) const;

  // Invalid owner references (a namespaced owner in another namespace, or a namespaced owner
  // of a cluster-scoped object) of `dependent`.
  void MarkInvalidOwner(const std::string& dependent, const std::string& owner);
  bool IsInvalidOwner(const std::string& dependent, const std::string& owner) const;
  // The invalid owner uids of `dependent` not reported yet; they count as reported afterwards.
  std::vector<std::string> TakeUnreportedInvalidOwners(const std::string& dependent);

  size_t Size() const;

 private:
  struct Vertex {
    ObjectRef identity;
    std::vector<OwnerRef> owners;
    std::set<std::string> dependents;  // uids
    bool observed = false;
    bool being_deleted = false;
    bool deleting_dependents = false;
    std::set<std::string> invalid_owners;  // owner uids
    std::set<std::string> reported_invalid;
  };

  Vertex* Find(const std::string& uid);
  void AddDependentToOwners(Vertex& n, const std::vector<OwnerRef>& owners, GraphEffects& fx);
  void RemoveDependentFromOwners(const std::string& uid, const std::vector<OwnerRef>& owners);
  void ProcessTransitions(const nlohmann::json* old, const nlohmann::json& obj, Vertex& n,
                          GraphEffects& fx);
  // Removes the node and asks for its dependents (and its owners waiting for them) again.
  void RemoveNode(const std::string& uid, const ObjectRef& deleted, GraphEffects& fx);
  // Splits n's dependents into those whose reference matches `owner`'s coordinates (and
  // namespace) and those whose reference to its uid does not.
  void Partition(const Vertex& n, const ObjectRef& owner, std::vector<std::string>* matching,
                 std::vector<std::string>* nonmatching);

  AbsentOwnerCache& absent_;
  const ClusterScopedFn cluster_scoped_;
  mutable std::mutex mu_;  // guards nodes_
  std::unordered_map<std::string, Vertex> nodes_;
};

}  // namespace skiff::controllers
