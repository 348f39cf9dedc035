// kube-controller-manager's garbage collector: deletes objects whose owners are gone, and
// carries out the foreground and orphan deletion of owners.
//
// The collector follows every resource it is given with its own informers (not the shared
// factory), whose caches keep only the metadata it needs (apiVersion, kind and metadata's uid,
// name, namespace, ownerReferences, finalizers, deletionTimestamp, resourceVersion), and builds
// a graph of objects by uid (gc_graph.h). Owners named by a reference but never observed are
// verified against the API with a live Get (absent = 404, or another uid under that name).
//
// What it does, as Kubernetes' "Garbage Collection" and "Owners and Dependents" describe:
// - Background (what `kubectl delete` asks, and the default for apps/batch kinds): when an
//   owner is gone, each dependent whose owners are all absent is deleted (propagation
//   Background, preconditioned on its uid; an orphan or foregroundDeletion finalizer already on
//   it is honoured); a dependent with an owner still present only loses its dangling references
//   (a merge patch pinned to its resourceVersion).
// - Foreground: an owner being deleted with the foregroundDeletion finalizer gets its
//   dependents deleted (propagation Foreground when they have dependents of their own, so it
//   cascades), and once no dependent with blockOwnerDeletion: true remains, the finalizer is
//   removed and the API deletes the owner.
// - Orphan: an owner being deleted with the orphan finalizer has its reference removed from
//   every dependent, then the finalizer removed.
// - A reference from a cluster-scoped object to a namespaced kind, or to an owner observed in
//   another namespace, is invalid: a Warning event OwnerRefInvalidNamespace is recorded on the
//   dependent, and the dependent is never deleted or patched because of it. (Kubernetes treats
//   a cross-namespace owner as absent and deletes the dependent once all its owners are
//   "absent"; skiff deliberately leaves it alone.)
// - Nothing is acted on until every informer has synced, so an object whose owner is listed
//   later is never mistaken for an orphan. Decisions to delete are made on live reads, never
//   on the caches alone.
//
// Work goes through one ControllerLoop whose keys name a uid: DeleteKey(uid) ("attempt to
// delete": verify a virtual node, collect a dependent, or progress a foreground deletion) and
// OrphanKey(uid). A failed attempt is retried with per-key exponential backoff.
//
// Thread-safety: all public methods may be called from any thread. The client must outlive
// the collector.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "controllers/controller_loop.h"
#include "controllers/gc_absent_owners.h"
#include "controllers/gc_graph.h"
#include "controllers/gc_operations.h"
#include "controllers/gc_resources.h"
#include "events/event_recorder.h"
#include "skiff/client/client.h"
#include "skiff/client/informer.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

struct GarbageCollectorOptions {
  // Workers serving both kinds of keys (kube-controller-manager runs 20, --concurrent-gc-syncs;
  // an edge box needs few).
  int workers = 2;
  // Retry delays of a failed attempt: client-go's per-item 5 ms doubling up to 1000 s.
  std::chrono::milliseconds base_backoff{5};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(1000)};
  // How soon an owner that exists but that no informer has shown yet is looked at again.
  std::chrono::milliseconds unobserved_recheck{std::chrono::seconds(1)};
  // Owners remembered as absent (Kubernetes keeps 500).
  size_t absent_owner_cache_size = 500;
  // The informers' list/watch retry delays (their transform is the collector's own).
  client::InformerOptions informer;
};

class GarbageCollector {
 public:
  // Follows `resources` (usually GarbageCollectedResources()). Creates the informers and
  // registers the handlers; nothing runs before Start().
  GarbageCollector(client::Client& client, std::vector<GcResource> resources,
                   GarbageCollectorOptions options = {});
  ~GarbageCollector();  // Stop()
  GarbageCollector(const GarbageCollector&) = delete;
  GarbageCollector& operator=(const GarbageCollector&) = delete;

  // Starts the informers; the workers start once every informer has synced. Only the first
  // call does anything, and not after Stop().
  void Start();
  // Stops the workers and the informers. Idempotent.
  void Stop();
  // Waits up to `timeout` until the workers run (every informer synced); false on timeout or
  // after Stop().
  bool WaitForSync(std::chrono::milliseconds timeout) const;

  // One attempt for a key (DeleteKey or OrphanKey); what the workers call. Public so that
  // tests can drive a pass directly. kInvalidArgument for a malformed key.
  Status Sync(const std::string& key);
  static std::string DeleteKey(const std::string& uid) { return "delete/" + uid; }
  static std::string OrphanKey(const std::string& uid) { return "orphan/" + uid; }

  // Sizes, for tests and memory accounting: graph nodes, objects in the informers' caches,
  // followed resources, attempts finished since Start.
  size_t GraphSize() const { return graph_.Size(); }
  size_t CachedObjects() const;
  const std::vector<GcResource>& resources() const { return resources_.all(); }
  uint64_t syncs() const { return loop_.syncs(); }

 private:
  // The outcome of looking up one owner of a dependent.
  enum class OwnerState { kSolid, kDangling, kWaitingForDependents, kInvalid };
  struct Classified {
    std::vector<OwnerRef> solid, dangling, waiting;
    bool invalid = false;
  };

  void Enqueue(const GraphEffects& fx);
  void WaitThenRun();  // the starter thread
  Status AttemptToDelete(const std::string& uid);
  Status ProcessDeletingDependents(const NodeState& item);
  Status AttemptToOrphan(const std::string& uid);
  Result<Classified> Classify(const NodeState& item, const std::vector<OwnerRef>& refs);
  Result<OwnerState> LookupOwner(const NodeState& item, const OwnerRef& ref);
  void ReportInvalidOwners(const NodeState& item, const std::vector<OwnerRef>& refs);

  client::Client& client_;
  const GarbageCollectorOptions options_;
  const GcResourceMap resources_;
  AbsentOwnerCache absent_;
  GcGraph graph_;
  GcOperations ops_;
  events::EventRecorder recorder_;
  ControllerLoop loop_;
  std::vector<std::unique_ptr<client::Informer>> informers_;

  mutable std::mutex mu_;  // guards started_, stopped_, running_
  mutable std::condition_variable cv_;
  bool started_ = false;
  bool stopped_ = false;
  bool running_ = false;  // the workers were started
  std::thread starter_;
};

}  // namespace skiff::controllers
