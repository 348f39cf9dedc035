// The client interface every in-process component (controllers, scheduler, node agent) uses to
// read and write API objects, so the same code runs against the local store (LocalClient) and,
// for `skiff agent` on another machine, against a remote API server.
//
// Objects are the JSON the API serves (apiVersion, kind, metadata.resourceVersion set). Errors
// are Statuses: kNotFound, kAlreadyExists, kConflict (stale resourceVersion), kInvalidArgument
// (validation; the message carries Kubernetes' text), kUnavailable (retry), kGone, kInternal.
// Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "skiff/common/status.h"

namespace skiff::client {

using nlohmann::json;

// A resource: group ("" for core), version and plural resource name.
struct Resource {
  std::string group;
  std::string version;
  std::string resource;
};

inline Resource Pods() { return {"", "v1", "pods"}; }
inline Resource Nodes() { return {"", "v1", "nodes"}; }
inline Resource Events() { return {"", "v1", "events"}; }
inline Resource ConfigMaps() { return {"", "v1", "configmaps"}; }
inline Resource Secrets() { return {"", "v1", "secrets"}; }
inline Resource Leases() { return {"coordination.k8s.io", "v1", "leases"}; }
inline Resource Namespaces() { return {"", "v1", "namespaces"}; }
inline Resource ReplicaSets() { return {"apps", "v1", "replicasets"}; }
inline Resource Deployments() { return {"apps", "v1", "deployments"}; }
inline Resource StatefulSets() { return {"apps", "v1", "statefulsets"}; }
inline Resource DaemonSets() { return {"apps", "v1", "daemonsets"}; }
inline Resource ControllerRevisions() { return {"apps", "v1", "controllerrevisions"}; }
inline Resource Jobs() { return {"batch", "v1", "jobs"}; }
inline Resource CronJobs() { return {"batch", "v1", "cronjobs"}; }
inline Resource PersistentVolumeClaims() { return {"", "v1", "persistentvolumeclaims"}; }
inline Resource PersistentVolumes() { return {"", "v1", "persistentvolumes"}; }
inline Resource StorageClasses() { return {"storage.k8s.io", "v1", "storageclasses"}; }
inline Resource PodDisruptionBudgets() { return {"policy", "v1", "poddisruptionbudgets"}; }
inline Resource Services() { return {"", "v1", "services"}; }
inline Resource Endpoints() { return {"", "v1", "endpoints"}; }
inline Resource EndpointSlices() { return {"discovery.k8s.io", "v1", "endpointslices"}; }

struct Selectors {
  std::string labels;  // label selector text, "" = everything
  std::string fields;  // field selector text, "" = everything
};

// One change seen by Client::Watch.
struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted };
  Type type = Type::kAdded;
  // The object as the API serves it in the watched resource's version, metadata.resourceVersion
  // set. For kDeleted: the last state before the delete, with resourceVersion = the revision of
  // the delete.
  json object;
};

// Stops the subscription it came from when destroyed (and waits for a running callback).
class Subscription {
 public:
  virtual ~Subscription() = default;
};

class Client {
 public:
  virtual ~Client() = default;

  virtual Result<json> Get(const Resource& r, const std::string& ns, const std::string& name) = 0;
  // The <Kind>List (items and metadata.resourceVersion).
  virtual Result<json> List(const Resource& r, const std::string& ns, const Selectors& s) = 0;
  virtual Result<json> Create(const Resource& r, const std::string& ns, const json& obj) = 0;
  // PUT of obj (its metadata.resourceVersion is the precondition when set). subresource is ""
  // or "status".
  virtual Result<json> Update(const Resource& r, const std::string& ns, const json& obj,
                              const std::string& subresource = "") = 0;
  // A merge patch (RFC 7386) of the object or its status.
  virtual Result<json> MergePatch(const Resource& r, const std::string& ns,
                                  const std::string& name, const json& patch,
                                  const std::string& subresource = "") = 0;
  // Server-side apply of obj (its apiVersion, kind and metadata.name set) as `field_manager`;
  // force takes over fields other managers own. Field validation is Strict (kubectl's
  // default): an unknown or duplicated field is an error. Clients without it answer
  // kUnimplemented.
  virtual Result<json> Apply(const Resource& r, const std::string& ns, const json& obj,
                             const std::string& field_manager, bool force) {
    (void)r, (void)ns, (void)obj, (void)field_manager, (void)force;
    return Status(Code::kUnimplemented, "this client cannot apply");
  }
  // A POST of obj to a subresource that takes one: "binding" of pods (obj a v1 Binding).
  // kInvalidArgument for other subresources.
  virtual Result<json> CreateSubresource(const Resource& r, const std::string& ns,
                                         const std::string& name, const std::string& subresource,
                                         const json& obj) = 0;
  struct DeleteOptions {
    std::optional<int64_t> grace_period_seconds;
    std::string precondition_uid;
    std::string propagation_policy;  // "Orphan", "Background", "Foreground"; "" = the kind's
  };
  virtual Status Delete(const Resource& r, const std::string& ns, const std::string& name,
                        const DeleteOptions& options) = 0;

  // Level-triggered change notification: `changed` runs (on a thread of the client's, never
  // concurrently with itself) after any object of r in ns ("" = all namespaces) may have
  // changed, and once right after subscribing. Consumers re-read what they need; they are never
  // handed events to miss. Keep the callback short (set a flag, enqueue a key).
  virtual Result<std::unique_ptr<Subscription>> Subscribe(const Resource& r, const std::string& ns,
                                                          std::function<void()> changed) = 0;

  // Edge-triggered change stream (what informers are built on): every change of r's objects in
  // ns ("" = all namespaces) after `resource_version` (a list's metadata.resourceVersion; ""
  // = from now), in order, without gaps or duplicates, in batches: `events` runs on a thread
  // of the client's, never two batches of one watch at once; it may move from the vector.
  // `closed` runs once, after the last batch, when the watch ends on its own: kGone when
  // resource_version has been compacted away (the consumer must relist), kUnavailable for
  // anything else (the consumer fell behind, the store or connection closed); neither callback
  // runs again afterwards. Destroying the Subscription stops delivery, waits for a running
  // callback (unless destroyed from inside one) and never runs `closed`.
  // Errors from Watch itself: kGone (resource_version compacted away), kInvalidArgument (a
  // malformed resource_version), kNotFound (unknown resource), kUnavailable.
  virtual Result<std::unique_ptr<Subscription>> Watch(
      const Resource& r, const std::string& ns, const std::string& resource_version,
      std::function<void(std::vector<WatchEvent>&)> events, std::function<void(Status)> closed) = 0;
};

}  // namespace skiff::client
