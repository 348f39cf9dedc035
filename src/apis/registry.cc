#include "skiff/apis/registry.h"

#include <algorithm>

namespace skiff::apis {
namespace {

const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};
const std::vector<std::string> kAll = {"all"};

ResourceType R(std::string group, std::string version, std::string resource, std::string singular,
               std::string kind, bool namespaced, std::vector<std::string> short_names = {},
               std::vector<std::string> categories = {}, std::vector<std::string> subresources = {},
               std::vector<std::string> verbs = kAllVerbs) {
  ResourceType t;
  t.group = std::move(group);
  t.version = std::move(version);
  t.resource = std::move(resource);
  t.singular = std::move(singular);
  t.kind = std::move(kind);
  t.namespaced = namespaced;
  t.short_names = std::move(short_names);
  t.categories = std::move(categories);
  t.subresources = std::move(subresources);
  t.verbs = std::move(verbs);
  t.has_status = std::find(t.subresources.begin(), t.subresources.end(), "status") !=
                 t.subresources.end();
  return t;
}

std::vector<ResourceType> BuiltinTypes() {
  constexpr bool kNs = true, kCluster = false;
  std::vector<ResourceType> t = {
      // core/v1
      R("", "v1", "namespaces", "namespace", "Namespace", kCluster, {"ns"}, {}, {"status", "finalize"},
        {"create", "delete", "get", "list", "patch", "update", "watch"}),
      R("", "v1", "pods", "pod", "Pod", kNs, {"po"}, kAll,
        {"status", "log", "exec", "attach", "binding", "eviction", "portforward", "ephemeralcontainers"}),
      R("", "v1", "bindings", "binding", "Binding", kNs, {}, {}, {}, {"create"}),
      R("", "v1", "services", "service", "Service", kNs, {"svc"}, kAll, {"status"}),
      R("", "v1", "endpoints", "endpoints", "Endpoints", kNs, {"ep"}),
      R("", "v1", "configmaps", "configmap", "ConfigMap", kNs, {"cm"}),
      R("", "v1", "secrets", "secret", "Secret", kNs),
      R("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", kNs, {"sa"}, {}, {"token"}),
      R("", "v1", "nodes", "node", "Node", kCluster, {"no"}, {}, {"status"}),
      R("", "v1", "events", "event", "Event", kNs, {"ev"}),
      R("", "v1", "persistentvolumes", "persistentvolume", "PersistentVolume", kCluster, {"pv"},
        {}, {"status"}),
      R("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", kNs,
        {"pvc"}, {}, {"status"}),
      R("", "v1", "resourcequotas", "resourcequota", "ResourceQuota", kNs, {"quota"}, {}, {"status"}),
      R("", "v1", "limitranges", "limitrange", "LimitRange", kNs, {"limits"}),
      R("", "v1", "podtemplates", "podtemplate", "PodTemplate", kNs),
      // apps/v1
      R("apps", "v1", "deployments", "deployment", "Deployment", kNs, {"deploy"}, kAll,
        {"status", "scale"}),
      R("apps", "v1", "replicasets", "replicaset", "ReplicaSet", kNs, {"rs"}, kAll,
        {"status", "scale"}),
      R("apps", "v1", "statefulsets", "statefulset", "StatefulSet", kNs, {"sts"}, kAll,
        {"status", "scale"}),
      R("apps", "v1", "daemonsets", "daemonset", "DaemonSet", kNs, {"ds"}, kAll, {"status"}),
      R("apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision", kNs),
      // batch/v1
      R("batch", "v1", "jobs", "job", "Job", kNs, {}, kAll, {"status"}),
      R("batch", "v1", "cronjobs", "cronjob", "CronJob", kNs, {"cj"}, kAll, {"status"}),
      // autoscaling
      R("autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler",
        "HorizontalPodAutoscaler", kNs, {"hpa"}, kAll, {"status"}),
      R("autoscaling", "v1", "horizontalpodautoscalers", "horizontalpodautoscaler",
        "HorizontalPodAutoscaler", kNs, {"hpa"}, kAll, {"status"}),
      // others
      R("coordination.k8s.io", "v1", "leases", "lease", "Lease", kNs),
      R("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", kNs),
      R("events.k8s.io", "v1", "events", "event", "Event", kNs, {"ev"}),
      R("storage.k8s.io", "v1", "storageclasses", "storageclass", "StorageClass", kCluster, {"sc"}),
      R("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", kNs),
      R("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", kNs),
      R("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", kCluster),
      R("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding",
        "ClusterRoleBinding", kCluster),
      R("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", kNs,
        {"pdb"}, {}, {"status"}),
      R("scheduling.k8s.io", "v1", "priorityclasses", "priorityclass", "PriorityClass", kCluster,
        {"pc"}),
  };
  for (ResourceType& r : t) {
    // Kubernetes creates these on update when missing (AllowCreateOnUpdate).
    r.create_on_update = (r.group.empty() && (r.resource == "endpoints" || r.resource == "events")) ||
                         r.resource == "leases";
  }
  return t;
}

}  // namespace

bool ResourceType::HasSubresource(std::string_view name) const {
  return std::find(subresources.begin(), subresources.end(), name) != subresources.end();
}

bool ResourceType::HasVerb(std::string_view verb) const {
  return std::find(verbs.begin(), verbs.end(), verb) != verbs.end();
}

Registry::Registry(std::vector<ResourceType> types) : types_(std::move(types)) {
  for (const ResourceType& t : types_) {
    auto g = std::find_if(groups_.begin(), groups_.end(),
                          [&](const GroupVersions& gv) { return gv.group == t.group; });
    if (g == groups_.end()) {
      groups_.push_back({t.group, {t.version}});
    } else if (std::find(g->versions.begin(), g->versions.end(), t.version) == g->versions.end()) {
      g->versions.push_back(t.version);
    }
  }
}

const Registry& Registry::Builtin() {
  static const Registry registry(BuiltinTypes());
  return registry;
}

const ResourceType* Registry::Find(std::string_view group, std::string_view version,
                                   std::string_view resource) const {
  for (const ResourceType& t : types_) {
    if (t.resource == resource && t.group == group && t.version == version) return &t;
  }
  return nullptr;
}

const ResourceType* Registry::FindKind(std::string_view group, std::string_view version,
                                       std::string_view kind) const {
  for (const ResourceType& t : types_) {
    if (t.kind == kind && t.group == group && t.version == version) return &t;
  }
  return nullptr;
}

std::vector<const ResourceType*> Registry::InGroupVersion(std::string_view group,
                                                          std::string_view version) const {
  std::vector<const ResourceType*> out;
  for (const ResourceType& t : types_) {
    if (t.group == group && t.version == version) out.push_back(&t);
  }
  return out;
}

}  // namespace skiff::apis
