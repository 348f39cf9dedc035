// The resource types skiff serves: names, scope, verbs and subresources of every built-in
// kind, as discovery (/api/v1, /apis/<group>/<version>) lists them and the REST layer routes
// them. Immutable after construction; safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace skiff::apis {

struct ResourceType {
  std::string group;     // "" for the core group
  std::string version;   // "v1"
  std::string resource;  // plural, lower case: "deployments"
  std::string singular;  // "deployment"
  std::string kind;      // "Deployment"
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;   // "all" puts it in `kubectl get all`
  std::vector<std::string> verbs;        // create delete deletecollection get list patch update watch
  std::vector<std::string> subresources; // "status", "scale", "log", "exec", "attach", "binding", ...
  // Spec and status are updated through separate endpoints; generation counts spec changes.
  bool has_status = false;
  // A PUT of a missing object creates it (Kubernetes allows this for a few kinds).
  bool create_on_update = false;

  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  std::string list_kind() const { return kind + "List"; }
  // "deployments.apps", "pods": how Kubernetes names the resource in messages.
  std::string qualified_resource() const {
    return group.empty() ? resource : resource + "." + group;
  }
  bool HasSubresource(std::string_view name) const;
  bool HasVerb(std::string_view verb) const;
};

struct GroupVersions {
  std::string group;
  std::vector<std::string> versions;  // preferred first
};

class Registry {
 public:
  // Every built-in resource type.
  static const Registry& Builtin();

  const ResourceType* Find(std::string_view group, std::string_view version,
                           std::string_view resource) const;
  const ResourceType* FindKind(std::string_view group, std::string_view version,
                               std::string_view kind) const;
  std::vector<const ResourceType*> InGroupVersion(std::string_view group,
                                                  std::string_view version) const;
  // Groups in discovery order, the core group ("") first.
  const std::vector<GroupVersions>& groups() const { return groups_; }
  const std::vector<ResourceType>& all() const { return types_; }

 private:
  explicit Registry(std::vector<ResourceType> types);
  std::vector<ResourceType> types_;
  std::vector<GroupVersions> groups_;
};

}  // namespace skiff::apis
