// Mutating admission of new pods: priority from PriorityClasses and the default tolerations of
// unreachable and not-ready nodes, as kube-apiserver's Priority and DefaultTolerationSeconds
// plugins do.
#include <catch2/catch.hpp>

#include "api/pod_admission.h"
#include "store_api.h"

using nlohmann::json;
using skiff::testing::Ok;

namespace {

json Pod(const std::string& name, json spec_extra = json::object()) {
  json spec = {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}};
  spec.update(spec_extra);
  return {{"metadata", {{"name", name}}}, {"spec", spec}};
}

struct Admission {
  skiff::testing::StoreApi api;
  const skiff::apis::ResourceType& pods = *api.reg.Find("", "v1", "pods");
  const skiff::apis::ResourceType& classes =
      *api.reg.Find("scheduling.k8s.io", "v1", "priorityclasses");

  skiff::api::ApiResult<json> Create(const json& pod) {
    return api.res->Create(pods, "default", pod, {}, nullptr);
  }
  void AddClass(const std::string& name, int64_t value, bool global_default = false,
                const std::string& policy = "") {
    json pc = {{"metadata", {{"name", name}}}, {"value", value}};
    if (global_default) pc["globalDefault"] = true;
    if (!policy.empty()) pc["preemptionPolicy"] = policy;
    Ok(api.res->Create(classes, "", pc, {}, nullptr));
  }
};

}  // namespace

TEST_CASE("a new pod tolerates unreachable and not-ready nodes for 300 s", "[api][admission]") {
  Admission a;
  json pod = Ok(a.Create(Pod("plain")));
  CHECK(pod["spec"]["tolerations"] ==
        json::array({{{"key", "node.kubernetes.io/not-ready"},
                      {"operator", "Exists"},
                      {"effect", "NoExecute"},
                      {"tolerationSeconds", 300}},
                     {{"key", "node.kubernetes.io/unreachable"},
                      {"operator", "Exists"},
                      {"effect", "NoExecute"},
                      {"tolerationSeconds", 300}}}));

  // Its own toleration of one taint is kept; only the other is added.
  json own = {{"key", "node.kubernetes.io/unreachable"},
              {"operator", "Exists"},
              {"effect", "NoExecute"},
              {"tolerationSeconds", 10}};
  pod = Ok(a.Create(Pod("own", {{"tolerations", {own}}})));
  REQUIRE(pod["spec"]["tolerations"].size() == 2);
  CHECK(pod["spec"]["tolerations"][0] == own);
  CHECK(pod["spec"]["tolerations"][1]["key"] == "node.kubernetes.io/not-ready");

  // A toleration of everything covers both.
  pod = Ok(a.Create(Pod("all", {{"tolerations", {{{"operator", "Exists"}}}}})));
  CHECK(pod["spec"]["tolerations"] == json::array({{{"operator", "Exists"}}}));
}

TEST_CASE("a pod's priority comes from its PriorityClass", "[api][admission]") {
  Admission a;
  json pod = Ok(a.Create(Pod("none")));
  CHECK(pod["spec"]["priority"] == 0);
  CHECK_FALSE(pod["spec"].contains("priorityClassName"));

  a.AddClass("high", 1000, false, "Never");
  pod = Ok(a.Create(Pod("high", {{"priorityClassName", "high"}})));
  CHECK(pod["spec"]["priority"] == 1000);
  CHECK(pod["spec"]["preemptionPolicy"] == "Never");

  auto unknown = a.Create(Pod("unknown", {{"priorityClassName", "nope"}}));
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == 403);
  CHECK(unknown.error().message ==
        "pods \"unknown\" is forbidden: no PriorityClass with name nope was found");

  auto forged = a.Create(Pod("forged", {{"priorityClassName", "high"}, {"priority", 5}}));
  REQUIRE_FALSE(forged.ok());
  CHECK(forged.error().code == 403);
  CHECK(forged.error().message ==
        "pods \"forged\" is forbidden: the integer value of priority (5) must not be provided "
        "in pod spec; priority admission controller computed 1000 from the given "
        "PriorityClass name");

  a.AddClass("normal", 10, true);
  pod = Ok(a.Create(Pod("defaulted")));
  CHECK(pod["spec"]["priorityClassName"] == "normal");
  CHECK(pod["spec"]["priority"] == 10);
  CHECK(pod["spec"]["preemptionPolicy"] == "PreemptLowerPriority");
}

TEST_CASE("the system priority classes are what Kubernetes creates", "[api][admission]") {
  Admission a;
  for (const json& pc : skiff::api::SystemPriorityClasses()) {
    Ok(a.api.res->Create(a.classes, "", pc, {}, nullptr));
  }
  json pod = Ok(a.Create(Pod("critical", {{"priorityClassName", "system-node-critical"}})));
  CHECK(pod["spec"]["priority"] == 2000001000);
  pod = Ok(a.Create(Pod("cluster", {{"priorityClassName", "system-cluster-critical"}})));
  CHECK(pod["spec"]["priority"] == 2000000000);
}

TEST_CASE("volume types the node agent cannot mount are warned about, ephemeral is not",
          "[api][admission]") {
  json spec = {{"volumes",
                {{{"name", "scratch"},
                  {"ephemeral",
                   {{"volumeClaimTemplate",
                     {{"spec",
                       {{"accessModes", {"ReadWriteOnce"}},
                        {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}}}}},
                 {{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "data"}}}},
                 {{"name", "disk"}, {"csi", {{"driver", "example.com"}}}}}}};
  CHECK(skiff::api::UnsupportedVolumeWarnings(spec, "spec.template.spec") ==
        std::vector<std::string>{"spec.template.spec.volumes[2].csi: volume type not supported "
                                 "by skiff; the pod will not start"});
  // Through the API: the warning comes with the created pod.
  Admission a;
  std::vector<std::string> warnings;
  Ok(a.api.res->Create(a.pods, "default", Pod("web", spec), {}, &warnings));
  CHECK(warnings == std::vector<std::string>{"spec.volumes[2].csi: volume type not supported by "
                                             "skiff; the pod will not start"});
}
