// Resources: the Kubernetes semantics of every object operation on top of the store, shared by
// the REST handlers and the in-process controllers (the same rules whoever writes).
//
// It assigns uid, creationTimestamp, generation and resourceVersion; defaults and validates;
// enforces optimistic concurrency, namespace lifecycle, finalizers and graceful deletion; and
// answers every failure as the ApiError kube-apiserver would give.
//
// Versions: objects come in and go out in the version of `rt` (the request's); they are stored
// in their resource's storage version (apis::StorageOf, skiff/apis/conversion.h). A write is
// checked against rt's schema, converted to the storage version, then defaulted, prepared and
// validated there (with the validation rules of rt's group) and stored; every answer is
// converted back to rt's version. managedFields are recorded in rt's version.
// Thread-safe: any method from any thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api_error.h"
#include "lease_manager.h"
#include "object_util.h"
#include "service_alloc.h"
#include "skiff/apis/registry.h"
#include "skiff/store/store.h"

namespace skiff::api {

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t limit = 0;
  std::string continue_token;
  std::string resource_version;        // "", "0" or a revision
  std::string resource_version_match;  // "", "Exact", "NotOlderThan"
};

struct WriteOptions {
  bool dry_run = false;
  std::string field_manager;
  std::string field_validation;  // "Strict", "Warn", "Ignore" ("" = Warn)
  bool force = false;            // server-side apply: take over conflicting fields
  std::string user_agent;        // names the field manager when field_manager is empty
  bool fields_tracked = false;   // internal: managedFields are already set (server-side apply)
};

struct DeleteOptions {
  std::optional<int64_t> grace_period_seconds;
  std::string propagation_policy;  // "Orphan", "Background", "Foreground" ("" = kind default)
  std::string precondition_uid;
  std::string precondition_resource_version;
  bool dry_run = false;
};

// The selectors of a list or watch, parsed once and checked against objects.
class ListFilter {
 public:
  static ApiResult<ListFilter> Make(const apis::ResourceType& rt, const std::string& labels,
                                    const std::string& fields);
  bool Matches(const json& obj) const;
  bool everything() const { return everything_; }
  // The metadata.name an exact field selector pins, or "".
  const std::string& exact_name() const { return exact_name_; }

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
  bool everything_ = true;
  std::string exact_name_;
};

class Resources {
 public:
  Resources(store::Store& store, const apis::Registry& registry);

  store::Store& store() { return store_; }
  // Enables ClusterIP and nodePort allocation for Services from this range.
  void SetServiceCidr(const std::string& cidr) { services_.SetServiceCidr(cidr); }
  // Events (core and events.k8s.io) are deleted this long after their last write
  // (kube-apiserver's --event-ttl). Unset: they are kept until deleted. Call before use.
  void SetEventTtl(std::chrono::seconds ttl) { event_leases_.emplace(store_, ttl); }
  const apis::Registry& registry() const { return registry_; }

  ApiResult<json> Get(const apis::ResourceType& rt, const std::string& ns, const std::string& name);
  // A <Kind>List with metadata.resourceVersion and continue; items filtered by the selectors.
  ApiResult<json> List(const apis::ResourceType& rt, const std::string& ns,
                       const ListOptions& options);
  ApiResult<json> Create(const apis::ResourceType& rt, const std::string& ns, json obj,
                         const WriteOptions& options, std::vector<std::string>* warnings);
  // PUT. subresource is "" or "status". A missing object is created when the resource's
  // storage allows it (create_on_update: core Events through either API, Endpoints, Leases).
  ApiResult<json> Update(const apis::ResourceType& rt, const std::string& ns,
                         const std::string& name, json obj, const std::string& subresource,
                         const WriteOptions& options, std::vector<std::string>* warnings);
  // PATCH with a content type: json-patch, merge-patch, strategic-merge-patch.
  ApiResult<json> Patch(const apis::ResourceType& rt, const std::string& ns,
                        const std::string& name, const std::string& content_type,
                        const std::string& body, const std::string& subresource,
                        const WriteOptions& options, std::vector<std::string>* warnings);
  // Read, change, write with compare-and-swap, retrying on conflicts. `mutate` gets and
  // returns the object in rt's version.
  ApiResult<json> GuaranteedUpdate(const apis::ResourceType& rt, const std::string& ns,
                                   const std::string& name, const std::string& subresource,
                                   const std::function<ApiResult<json>(json current)>& mutate);
  // Returns the deleted object, or the object now being deleted (finalizers, grace period).
  ApiResult<json> Delete(const apis::ResourceType& rt, const std::string& ns,
                         const std::string& name, const DeleteOptions& options);
  ApiResult<json> DeleteCollection(const apis::ResourceType& rt, const std::string& ns,
                                   const ListOptions& list, const DeleteOptions& options);

 private:
  ApiResult<json> PrepareCreate(const apis::ResourceType& rt, const std::string& ns, json obj,
                                const WriteOptions& options, std::vector<std::string>* warnings);
  // `old` is the stored object in the storage version; `obj` the new one in rt's version.
  ApiResult<json> CommitUpdate(const apis::ResourceType& rt, const std::string& ns,
                               const std::string& name, const json& old, store::Revision old_rev,
                               json obj, const std::string& subresource,
                               const WriteOptions& options, std::vector<std::string>* warnings);
  ApiResult<json> Apply(const apis::ResourceType& rt, const std::string& ns,
                        const std::string& name, const std::string& body,
                        const WriteOptions& options, std::vector<std::string>* warnings);
  ApiResult<bool> CheckNamespaceAccepts(const apis::ResourceType& rt, const std::string& ns);
  // The type rt's objects are stored as (apis::StorageOf); rt itself for most resources.
  const apis::ResourceType& StorageType(const apis::ResourceType& rt) const;
  // The lease a write of an object of storage type `st` attaches it to: 0 (none) except for
  // Events when SetEventTtl was called.
  ApiResult<store::LeaseId> LeaseFor(const apis::ResourceType& st);

  store::Store& store_;
  const apis::Registry& registry_;
  ServiceAllocator services_;
  std::optional<LeaseManager> event_leases_;
};

}  // namespace skiff::api
