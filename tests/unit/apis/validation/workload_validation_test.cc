// apps/v1 validation: selectors, templates, strategies and immutability.
#include <catch2/catch.hpp>

#include "test_util.h"

using namespace skiff::apis;
using nlohmann::json;

namespace {

json Workload(const char* kind) {
  json obj = {{"apiVersion", "apps/v1"},
              {"kind", kind},
              {"metadata",
               {{"name", "web"}, {"namespace", "default"}, {"uid", "u"}, {"resourceVersion", "1"}}},
              {"spec",
               {{"selector", {{"matchLabels", {{"app", "web"}}}}},
                {"template",
                 {{"metadata", {{"labels", {{"app", "web"}}}}},
                  {"spec", {{"containers", {{{"name", "app"}, {"image", "nginx:1.25"}}}}}}}}}}};
  ApplyDefaults("apps", kind, obj);
  return obj;
}

}  // namespace

TEST_CASE("valid workloads pass") {
  for (const char* kind : {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"}) {
    INFO(kind);
    REQUIRE_NO_ERRORS(ValidateCreate("apps", kind, Workload(kind)));
  }
}

TEST_CASE("selector is required and must match the template labels") {
  json d = Workload("Deployment");
  d["spec"].erase("selector");
  auto errs = ValidateCreate("apps", "Deployment", d);
  REQUIRE_ERROR(errs, "spec.selector: Required value");
  REQUIRE_ERROR(errs,
                "spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does "
                "not match template `labels`");

  json mismatch = Workload("ReplicaSet");
  mismatch["spec"]["selector"]["matchLabels"]["app"] = "other";
  REQUIRE_ERROR(ValidateCreate("apps", "ReplicaSet", mismatch),
                "spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does "
                "not match template `labels`");

  json empty = Workload("Deployment");
  empty["spec"]["selector"] = json::object();
  REQUIRE_ERROR(ValidateCreate("apps", "Deployment", empty),
                "spec.selector: Invalid value: {}: empty selector is invalid for deployment");
  json empty_sts = Workload("StatefulSet");
  empty_sts["spec"]["selector"] = json::object();
  REQUIRE_ERROR(ValidateCreate("apps", "StatefulSet", empty_sts),
                "spec.selector: Invalid value: {}: empty selector is invalid for statefulset");

  json exprs = Workload("DaemonSet");
  exprs["spec"]["selector"] = {{"matchExpressions", {{{"key", "app"}, {"operator", "In"}}}}};
  REQUIRE_ERROR(ValidateCreate("apps", "DaemonSet", exprs),
                "spec.selector.matchExpressions[0].values: Required value: must be specified when "
                "`operator` is 'In' or 'NotIn'");
  json matching = Workload("DaemonSet");
  matching["spec"]["selector"] = {
      {"matchExpressions", {{{"key", "app"}, {"operator", "In"}, {"values", {"web", "api"}}}}}};
  REQUIRE_NO_ERRORS(ValidateCreate("apps", "DaemonSet", matching));
}

TEST_CASE("replica counts, restart policy and strategies") {
  json d = Workload("Deployment");
  d["spec"]["replicas"] = -1;
  REQUIRE_ERROR(ValidateCreate("apps", "Deployment", d),
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0");

  json never = Workload("Deployment");
  never["spec"]["template"]["spec"]["restartPolicy"] = "Never";
  REQUIRE_ERROR(ValidateCreate("apps", "Deployment", never),
                "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: "
                "\"Always\"");

  json zero = Workload("Deployment");
  zero["spec"]["strategy"]["rollingUpdate"] = {{"maxSurge", 0}, {"maxUnavailable", "0%"}};
  REQUIRE_ERROR(ValidateCreate("apps", "Deployment", zero),
                "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"0%\": may not be 0 "
                "when `maxSurge` is 0");
  json over = Workload("Deployment");
  over["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] = "150%";
  REQUIRE_ERROR(ValidateCreate("apps", "Deployment", over),
                "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"150%\": must not be "
                "greater than 100%");
  json recreate = Workload("Deployment");
  recreate["spec"]["strategy"]["type"] = "Recreate";
  REQUIRE_ERROR(ValidateCreate("apps", "Deployment", recreate),
                "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` "
                "is 'Recreate'");
  json bogus = Workload("Deployment");
  bogus["spec"]["strategy"] = {{"type", "BlueGreen"}};
  auto errs = ValidateCreate("apps", "Deployment", bogus);
  REQUIRE(testing::MessagesFor(errs, "spec.strategy").size() == 1);
  CHECK(testing::MessagesFor(errs, "spec.strategy")[0].find(
            "supported values: \"Recreate\", \"RollingUpdate\"") != std::string::npos);
  json deadline = Workload("Deployment");
  deadline["spec"]["minReadySeconds"] = 700;
  REQUIRE_ERROR(ValidateCreate("apps", "Deployment", deadline),
                "spec.progressDeadlineSeconds: Invalid value: 600: must be greater than "
                "minReadySeconds");

  json ds = Workload("DaemonSet");
  ds["spec"]["updateStrategy"]["rollingUpdate"] = {{"maxUnavailable", 1}, {"maxSurge", 1}};
  REQUIRE_ERROR(ValidateCreate("apps", "DaemonSet", ds),
                "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when "
                "maxUnavailable is non-zero");

  json sts = Workload("StatefulSet");
  sts["spec"]["podManagementPolicy"] = "Random";
  REQUIRE_ERROR(ValidateCreate("apps", "StatefulSet", sts),
                "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or "
                "'Parallel'");
  json sts_name = Workload("StatefulSet");
  sts_name["metadata"]["name"] = "web.v1";
  REQUIRE_ERROR(ValidateCreate("apps", "StatefulSet", sts_name),
                "metadata.name: Invalid value: \"web.v1\": must not contain dots");
}

TEST_CASE("StatefulSet containers may mount volumeClaimTemplates") {
  json sts = Workload("StatefulSet");
  sts["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] = {
      {{"name", "data"}, {"mountPath", "/data"}}};
  sts["spec"]["volumeClaimTemplates"] = {{{"metadata", {{"name", "data"}}},
                                          {"spec",
                                           {{"accessModes", {"ReadWriteOnce"}},
                                            {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}};
  ApplyDefaults("apps", "StatefulSet", sts);
  REQUIRE_NO_ERRORS(ValidateCreate("apps", "StatefulSet", sts));
}

TEST_CASE("selectors are immutable and so is StatefulSet spec outside its mutable fields") {
  for (const char* kind : {"Deployment", "ReplicaSet", "DaemonSet"}) {
    INFO(kind);
    json old = Workload(kind);
    json changed = old;
    changed["spec"]["selector"]["matchLabels"]["tier"] = "front";
    changed["spec"]["template"]["metadata"]["labels"]["tier"] = "front";
    REQUIRE_ERROR(ValidateUpdate("apps", kind, changed, old),
                  "spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web\",\"tier\":"
                  "\"front\"}}: field is immutable");
    json scaled = old;
    scaled["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26";
    REQUIRE_NO_ERRORS(ValidateUpdate("apps", kind, scaled, old));
  }
  json old = Workload("StatefulSet");
  json scaled = old;
  scaled["spec"]["replicas"] = 5;
  scaled["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26";
  REQUIRE_NO_ERRORS(ValidateUpdate("apps", "StatefulSet", scaled, old));
  json renamed = old;
  renamed["spec"]["serviceName"] = "other";
  REQUIRE_ERROR(ValidateUpdate("apps", "StatefulSet", renamed, old),
                "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', "
                "'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' "
                "and 'minReadySeconds' are forbidden");
}

TEST_CASE("workload status updates keep counters consistent") {
  json old = Workload("Deployment");
  PrepareForCreate("apps", "Deployment", old);
  json st = old;
  st["status"] = {{"replicas", 2},
                  {"readyReplicas", 1},
                  {"availableReplicas", 2},
                  {"updatedReplicas", 3},
                  {"observedGeneration", 1}};
  auto errs = ValidateStatusUpdate("apps", "Deployment", st, old);
  REQUIRE_ERROR(errs,
                "status.updatedReplicas: Invalid value: 3: cannot be greater than status.replicas");
  REQUIRE_ERROR(errs,
                "status.availableReplicas: Invalid value: 2: cannot be greater than readyReplicas");
  st["status"] = {
      {"replicas", 2}, {"readyReplicas", 2}, {"availableReplicas", 2}, {"updatedReplicas", 2}};
  REQUIRE_NO_ERRORS(ValidateStatusUpdate("apps", "Deployment", st, old));

  json rs = Workload("ReplicaSet");
  json rs_bad = rs;
  rs_bad["status"] = {{"replicas", -1}};
  REQUIRE_ERROR(ValidateStatusUpdate("apps", "ReplicaSet", rs_bad, rs),
                "status.replicas: Invalid value: -1: must be greater than or equal to 0");
}

TEST_CASE("a template's ephemeral volume is validated without a pod name") {
  json d = Workload("Deployment");
  json volume = {{"name", std::string(63, 'v')},
                 {"ephemeral",
                  {{"volumeClaimTemplate",
                    {{"spec",
                      {{"accessModes", {"ReadWriteOnce"}},
                       {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}}}}};
  d["spec"]["template"]["spec"]["volumes"] = {volume};
  ApplyDefaults("apps", "Deployment", d);
  REQUIRE_NO_ERRORS(ValidateCreate("apps", "Deployment", d));
  d["spec"]["template"]["spec"]["volumes"][0]["ephemeral"].erase("volumeClaimTemplate");
  REQUIRE_ERROR(ValidateCreate("apps", "Deployment", d),
                "spec.template.spec.volumes[0].ephemeral.volumeClaimTemplate: Required value");
}
