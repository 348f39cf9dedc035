// What the garbage collector reads live and writes, through the Client: Kubernetes'
// garbagecollector operations.go. Every write is guarded: deletes by the object's uid, patches
// by the resourceVersion they were computed from (a kConflict means "look again", which the
// collector's loop does with backoff).
//
// Thread-safe (the Client is); holds no state of its own.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "controllers/gc_graph.h"
#include "controllers/gc_resources.h"
#include "skiff/client/client.h"
#include "skiff/common/status.h"

namespace skiff::controllers {

class GcOperations {
 public:
  // client and resources must outlive this.
  GcOperations(client::Client& client, const GcResourceMap& resources)
      : client_(client), resources_(resources) {}

  // The followed resource of this apiVersion/kind, or kInvalidArgument naming it.
  Result<const GcResource*> ResourceOf(const std::string& api_version,
                                       const std::string& kind) const;
  // The object at id's coordinates (the namespace is ignored for a cluster-scoped kind).
  // kNotFound when absent. The caller compares uids.
  Result<nlohmann::json> Get(const ObjectRef& id);
  // Deletes id with this propagation policy ("Background", "Foreground", "Orphan"),
  // preconditioned on id.uid.
  Status Delete(const ObjectRef& id, const std::string& policy);
  // Removes the owner references with these uids from `latest` (the object as last read), by
  // a merge patch pinned to latest's resourceVersion.
  Status RemoveOwnerReferences(const ObjectRef& id, const nlohmann::json& latest,
                               const std::set<std::string>& owner_uids);
  // Sets blockOwnerDeletion: false on every owner reference of `latest` that blocks (pinned to
  // its resourceVersion).
  Status UnblockOwnerReferences(const ObjectRef& id, const nlohmann::json& latest);
  // Reads id live and removes `finalizer` (pinned to the resourceVersion read). OK when the
  // object is gone, is another object (uid), or no longer has the finalizer.
  Status RemoveFinalizer(const ObjectRef& id, const std::string& finalizer);
  // The namespace other than `except_ns` in which an object of r named `name` has this uid
  // (one List by name across namespaces), or nullopt.
  Result<std::optional<std::string>> NamespaceOfUid(const GcResource& r, const std::string& name,
                                                    const std::string& uid,
                                                    const std::string& except_ns);

 private:
  Status Patch(const ObjectRef& id, const nlohmann::json& patch);

  client::Client& client_;
  const GcResourceMap& resources_;
};

}  // namespace skiff::controllers
