// Which resources the garbage collector follows, how an owner reference's apiVersion and kind
// map to one of them, and the metadata-only shape of the objects it caches.
//
// Kubernetes' collector follows every served resource that can be listed, watched and deleted,
// except the ones in its DefaultIgnoredResources (core and events.k8s.io events: they are
// numerous, short-lived and never own anything). Owner references are resolved by group and
// kind, whatever version they name (as a RESTMapper does), so a reference written against an
// older version of a group still finds its owner.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "skiff/apis/registry.h"
#include "skiff/client/client.h"

namespace skiff::controllers {

// One resource the collector follows.
struct GcResource {
  client::Resource resource;  // what to list, watch, get, patch and delete
  std::string kind;           // "ReplicaSet"
  std::string api_version;    // "apps/v1"
  bool namespaced = true;
};

// Every resource of `registry` the collector follows: those with the get, list, watch and
// delete verbs, in one version per group/resource (the group's preferred version that serves
// it), without core/v1 and events.k8s.io/v1 events. In the registry's order.
std::vector<GcResource> GarbageCollectedResources(
    const apis::Registry& registry = apis::Registry::Builtin());

// Finds followed resources by kind. Immutable after construction; thread-safe.
class GcResourceMap {
 public:
  explicit GcResourceMap(std::vector<GcResource> resources);

  // The resource of this apiVersion ("apps/v1", "v1") and kind, matched by group and kind;
  // nullptr when no followed resource has them.
  const GcResource* Find(const std::string& api_version, const std::string& kind) const;
  const std::vector<GcResource>& all() const { return resources_; }

 private:
  std::vector<GcResource> resources_;
};

// The group of an apiVersion: "apps/v1" -> "apps", "v1" -> "".
std::string GroupOf(const std::string& api_version);

// The informer transform: keeps apiVersion, kind and metadata's uid, name, namespace,
// ownerReferences, finalizers, deletionTimestamp and resourceVersion; drops everything else.
void KeepGcMetadata(nlohmann::json& obj);

}  // namespace skiff::controllers
