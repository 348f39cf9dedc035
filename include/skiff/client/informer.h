// Shared informers: client-go's list + watch caches, over the Client interface only (so they
// run the same in-process and on a remote agent).
//
// An Informer keeps one cache of a resource's objects (in one namespace or all), filled by a
// List and kept current by a Watch from the list's resourceVersion. Consumers read the cache
// (Get, List, ByIndex) instead of the API, and register handlers that hear of every change;
// the usual handler only enqueues KeyOf(obj) on a WorkQueue for a level-triggered worker.
//
// Cached objects are immutable std::shared_ptr<const json>: readers and handlers share them,
// nothing copies an object or the cache to read it. metadata.managedFields is dropped from
// cached objects (as kube-controller-manager's informers do).
//
// When the watch ends (compaction, the consumer fell behind, the connection closed) the
// informer lists again, compares with its cache and delivers the differences as ordinary
// add/update/delete notifications (a delete seen only by the relist passes the last object
// the cache held), then watches again. Failing calls are retried with exponential backoff.
// No change is lost or delivered twice, and a reader sees the cache either before or after a
// whole watch batch or relist, never part of one. There is no periodic resync.
//
// A SharedInformerFactory hands every consumer of a resource the same Informer.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "skiff/client/client.h"
#include "skiff/common/status.h"

namespace skiff::client {

using ObjectPtr = std::shared_ptr<const json>;

// The cache key of an object: "namespace/name", or "name" when it has no namespace.
std::string KeyOf(const json& obj);
// The inverse of KeyOf: {"", key} for a key without '/'.
std::pair<std::string, std::string> SplitKey(const std::string& key);

// An index function: the values an object is filed under (none, one or several).
using IndexFunc = std::function<std::vector<std::string>(const json& obj)>;

// Every Informer has this index (metadata.namespace; nothing for cluster-scoped objects).
inline constexpr char kNamespaceIndex[] = "namespace";
std::vector<std::string> IndexByNamespace(const json& obj);
// The uid of the ownerReference with controller: true, if any.
std::vector<std::string> IndexByControllerUid(const json& obj);
// A pod's spec.nodeName, when set.
std::vector<std::string> IndexByNodeName(const json& obj);

// Notifications, each optional. They run on the informer's delivery thread, one at a time, in
// the order the changes happened, after the cache reflects the change (a Get may already show
// a later state). They must be quick (enqueue a key) and must not call Stop(), or AddHandler()
// on an informer that is not running; they may call any other Informer method. An exception
// a handler throws is logged and dropped.
struct EventHandler {
  std::function<void(const ObjectPtr& obj)> on_add;
  std::function<void(const ObjectPtr& old_obj, const ObjectPtr& new_obj)> on_update;
  // The object's last state: from the watch (resourceVersion = the delete's), or the last one
  // the cache held when only a relist noticed the delete.
  std::function<void(const ObjectPtr& obj)> on_delete;
};

using HandlerId = uint64_t;

struct InformerOptions {
  // Retry delays after a failed list or watch: initial, doubling up to max (client-go's
  // reflector uses 800 ms .. 30 s).
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(30)};
  // Applied to every object before it is cached (client-go's SetTransform), e.g. to keep only
  // metadata. It must keep metadata.name, namespace and resourceVersion, and be thread-safe.
  std::function<void(json& obj)> transform;
};

// Thread-safe: every method may be called from any thread (see EventHandler for handlers).
class Informer {
 public:
  // `client` must outlive the informer. ns "" = every namespace.
  Informer(Client& client, Resource resource, std::string ns = "", InformerOptions options = {});
  ~Informer();  // Stop()
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Adds an index, at any time (built over the objects already cached).
  // kAlreadyExists when an index of that name exists.
  Status AddIndex(const std::string& name, IndexFunc fn);
  // Registers a handler. It first gets on_add for every object already cached, then every
  // later change: while running, all on the delivery thread; before Start (empty cache) or
  // after Stop, the replay runs on the caller's thread before AddHandler returns. Whatever the
  // handler uses must outlive the informer, or be released only after RemoveHandler (a handler
  // may still be running when a Get already shows the change it reports).
  HandlerId AddHandler(EventHandler handler);
  // After this returns the handler is not called again (it waits for a running call, unless
  // called from a handler). Unknown ids are ignored.
  void RemoveHandler(HandlerId id);

  // Starts the delivery thread: list, then watch. Only the first call does anything, and not
  // after Stop().
  void Start();
  // Stops watching and joins the delivery thread. The cache keeps its last state. Idempotent.
  void Stop();

  // True once the first list is in the cache and its notifications were delivered.
  bool HasSynced() const;
  // Waits up to `timeout` for HasSynced(); false on timeout or when stopped before syncing.
  bool WaitForSync(std::chrono::milliseconds timeout) const;
  // The resourceVersion of the latest list or watch batch in the cache ("" before the first).
  std::string LastSyncResourceVersion() const;

  // The object under `key` (KeyOf), or nullptr.
  ObjectPtr Get(const std::string& key) const;
  ObjectPtr Get(const std::string& ns, const std::string& name) const;
  // Every cached object (in no particular order).
  std::vector<ObjectPtr> List() const;
  // The objects in namespace ns (kNamespaceIndex); every object for "".
  std::vector<ObjectPtr> ListNamespace(const std::string& ns) const;
  // The objects filed under `value` by index `index` (empty for an unknown index).
  std::vector<ObjectPtr> ByIndex(const std::string& index, const std::string& value) const;
  size_t Size() const;

  const Resource& resource() const;
  const std::string& ns() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// One Informer per resource (all namespaces), shared by every consumer. Thread-safe.
class SharedInformerFactory {
 public:
  // `client` must outlive the factory.
  explicit SharedInformerFactory(Client& client, InformerOptions options = {});
  ~SharedInformerFactory();  // Stop()
  SharedInformerFactory(const SharedInformerFactory&) = delete;
  SharedInformerFactory& operator=(const SharedInformerFactory&) = delete;

  // The resource's informer, created on first use (and started then if the factory was
  // started). The reference is valid as long as the factory.
  Informer& For(const Resource& r);
  // Starts every informer created so far, and from now on each new one at creation.
  void Start();
  // Waits until every informer created so far has synced; false after `timeout`.
  bool WaitForSync(std::chrono::milliseconds timeout);
  // Stops every informer (their caches stay readable). Informers created later are not started.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::client
