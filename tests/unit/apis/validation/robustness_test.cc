// Malformed input (wrong JSON types anywhere) never throws or crashes; it is reported or ignored.
#include <catch2/catch.hpp>

#include "test_util.h"

using namespace skiff::apis;
using nlohmann::json;

namespace {

const std::vector<std::pair<std::string, std::string>> kKinds = {
    {"", "Pod"},
    {"", "Service"},
    {"", "Namespace"},
    {"", "Secret"},
    {"", "ConfigMap"},
    {"", "PersistentVolumeClaim"},
    {"", "PersistentVolume"},
    {"", "Node"},
    {"", "Endpoints"},
    {"", "Event"},
    {"", "ServiceAccount"},
    {"", "LimitRange"},
    {"", "ResourceQuota"},
    {"", "ReplicationController"},
    {"", "PodTemplate"},
    {"apps", "Deployment"},
    {"apps", "ReplicaSet"},
    {"apps", "StatefulSet"},
    {"apps", "DaemonSet"},
    {"apps", "ControllerRevision"},
    {"batch", "Job"},
    {"batch", "CronJob"},
    {"autoscaling", "HorizontalPodAutoscaler"},
    {"networking.k8s.io", "Ingress"},
    {"networking.k8s.io", "NetworkPolicy"},
    {"networking.k8s.io", "IngressClass"},
    {"discovery.k8s.io", "EndpointSlice"},
    {"policy", "PodDisruptionBudget"},
    {"storage.k8s.io", "StorageClass"},
    {"scheduling.k8s.io", "PriorityClass"},
    {"coordination.k8s.io", "Lease"},
    {"events.k8s.io", "Event"},
    {"node.k8s.io", "RuntimeClass"},
    {"rbac.authorization.k8s.io", "Role"},
    {"rbac.authorization.k8s.io", "ClusterRole"},
    {"rbac.authorization.k8s.io", "RoleBinding"},
    {"rbac.authorization.k8s.io", "ClusterRoleBinding"}};

std::vector<json> Garbage() {
  json weird_spec = json::parse(R"({
    "containers": {"a": 1}, "initContainers": [1, "x", null], "volumes": "v",
    "template": [], "selector": "app=web", "ports": [{"port": "http", "targetPort": [1]}],
    "replicas": "three", "strategy": {"type": 5, "rollingUpdate": "x"},
    "jobTemplate": {"spec": 7}, "schedule": 5, "clusterIPs": {"a": "b"}, "clusterIP": 1,
    "resources": {"requests": {"storage": {"x": 1}}}, "accessModes": "RWO", "capacity": [],
    "rules": {"a": 1}, "taints": [null], "subsets": [{"ports": [null]}], "limits": [5],
    "hard": {"cpu": []}, "updateStrategy": [], "volumeClaimTemplates": [5], "podSelector": 4,
    "ingress": [{"from": [5]}], "egress": 3, "minAvailable": [], "metrics": [{"type": 5}],
    "behavior": {"scaleUp": 5}, "tolerations": [{"tolerationSeconds": "x"}],
    "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": 5}}
  })");
  return {
      json(nullptr),
      json("a string"),
      json::array({1, 2}),
      json::object(),
      json{{"metadata", 5}, {"spec", "x"}, {"status", 7}},
      json{{"metadata", {{"name", 5}, {"labels", "x"}, {"ownerReferences", {5}}}},
           {"spec", weird_spec}},
      json{{"metadata", {{"name", "ok"}, {"namespace", "default"}}},
           {"spec", weird_spec},
           {"data", {{"k", 5}}},
           {"stringData", "x"},
           {"roleRef", 5},
           {"subjects", {5}},
           {"rules", {5}},
           {"endpoints", {{{"addresses", 5}}}},
           {"ports", {5}},
           {"status", {{"conditions", {5}}, {"containerStatuses", "x"}}}},
  };
}

}  // namespace

TEST_CASE("malformed objects never throw from any entry point") {
  auto garbage = Garbage();
  for (const auto& [group, kind] : kKinds) {
    for (const auto& g : garbage) {
      INFO(group << "/" << kind << ": " << g.dump());
      json obj = g;
      CHECK_NOTHROW(ApplyDefaults(group, kind, obj));
      CHECK_NOTHROW(PrepareForCreate(group, kind, obj));
      json upd = obj;
      CHECK_NOTHROW(PrepareForUpdate(group, kind, upd, g));
      FieldErrors errs;
      CHECK_NOTHROW(errs = ValidateCreate(group, kind, obj));
      for (const auto& e : errs) CHECK(e.reason != "InternalError");
      CHECK_NOTHROW(errs = ValidateUpdate(group, kind, upd, obj));
      for (const auto& e : errs) CHECK(e.reason != "InternalError");
      CHECK_NOTHROW(ValidateStatusUpdate(group, kind, upd, obj));
    }
  }
}

TEST_CASE("non-object input is reported, not defaulted") {
  json s = "x";
  ApplyDefaults("", "Pod", s);
  CHECK(s == "x");
  auto errs = ValidateCreate("", "Pod", s);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].reason == "FieldValueTypeInvalid");
}
