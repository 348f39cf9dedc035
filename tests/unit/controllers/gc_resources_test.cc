// What the garbage collector follows (built-in resources and kind lookup) and the metadata
// its informers keep.
#include "controllers/gc_resources.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "controllers/garbage_collector.h"
#include "unit/controllers/gc_fixture.h"

namespace skiff::controllers {
namespace {

using nlohmann::json;
using testing::GcCluster;

TEST_CASE("the followed resources: every deletable built-in kind but events, one version each") {
  const std::vector<GcResource> all = GarbageCollectedResources();
  std::vector<std::string> names;
  for (const GcResource& r : all) {
    names.push_back(r.api_version + " " + r.resource.resource + (r.namespaced ? "" : " (cluster)"));
  }
  CHECK(names == std::vector<std::string>{
                     "v1 namespaces (cluster)",
                     "v1 pods",
                     "v1 services",
                     "v1 endpoints",
                     "v1 configmaps",
                     "v1 secrets",
                     "v1 serviceaccounts",
                     "v1 nodes (cluster)",
                     "v1 persistentvolumes (cluster)",
                     "v1 persistentvolumeclaims",
                     "v1 resourcequotas",
                     "v1 limitranges",
                     "v1 podtemplates",
                     "apps/v1 deployments",
                     "apps/v1 replicasets",
                     "apps/v1 statefulsets",
                     "apps/v1 daemonsets",
                     "apps/v1 controllerrevisions",
                     "batch/v1 jobs",
                     "batch/v1 cronjobs",
                     "autoscaling/v2 horizontalpodautoscalers",
                     "coordination.k8s.io/v1 leases",
                     "discovery.k8s.io/v1 endpointslices",
                     "storage.k8s.io/v1 storageclasses (cluster)",
                     "rbac.authorization.k8s.io/v1 roles",
                     "rbac.authorization.k8s.io/v1 rolebindings",
                     "rbac.authorization.k8s.io/v1 clusterroles (cluster)",
                     "rbac.authorization.k8s.io/v1 clusterrolebindings (cluster)",
                     "policy/v1 poddisruptionbudgets",
                     "scheduling.k8s.io/v1 priorityclasses (cluster)",
                 });
  GcResourceMap map(all);
  const GcResource* rs = map.Find("apps/v1beta2", "ReplicaSet");  // any version of the group
  REQUIRE(rs);
  CHECK(rs->resource.resource == "replicasets");
  const GcResource* hpa = map.Find("autoscaling/v1", "HorizontalPodAutoscaler");
  REQUIRE(hpa);
  CHECK(hpa->resource.version == "v2");
  CHECK(map.Find("extensions/v1beta1", "ReplicaSet") == nullptr);
  CHECK(map.Find("v1", "Event") == nullptr);
}

TEST_CASE("the collector caches only the metadata it needs") {
  const json ref = {
      {"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", "rs"},
      {"uid", "rs-1"},           {"controller", true},   {"blockOwnerDeletion", true}};
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata",
               {{"name", "p"},
                {"namespace", "default"},
                {"uid", "u1"},
                {"resourceVersion", "7"},
                {"labels", {{"app", "web"}}},
                {"annotations", {{"a", "b"}}},
                {"finalizers", {"x"}},
                {"deletionTimestamp", "2024-01-01T00:00:00Z"},
                {"ownerReferences", json::array({ref})}}},
              {"spec", {{"containers", json::array()}}},
              {"status", {{"phase", "Running"}}}};
  KeepGcMetadata(pod);
  CHECK(pod == json{{"apiVersion", "v1"},
                    {"kind", "Pod"},
                    {"metadata",
                     {{"name", "p"},
                      {"namespace", "default"},
                      {"uid", "u1"},
                      {"resourceVersion", "7"},
                      {"finalizers", {"x"}},
                      {"deletionTimestamp", "2024-01-01T00:00:00Z"},
                      {"ownerReferences", json::array({ref})}}}});

  GcCluster c;
  c.CreatePod("default", client::testing::Pod("cached"));
  c.StartGc();
  CHECK(c.gc->resources().size() == 30);
  // Two namespaces, the pod, and whatever else the cluster made (all metadata only).
  CHECK(c.gc->CachedObjects() >= 3);
  CHECK(c.gc->GraphSize() == c.gc->CachedObjects());
}

}  // namespace
}  // namespace skiff::controllers
