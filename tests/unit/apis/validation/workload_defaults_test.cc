// Defaults of workloads and the other kinds: whole objects compared where it matters.
#include <catch2/catch.hpp>

#include "test_util.h"

using namespace skiff::apis;
using nlohmann::json;

namespace {
const char* kPodTemplate = R"({
  "metadata": {"labels": {"app": "web"}},
  "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}
})";
const char* kDefaultedPodTemplate = R"({
  "metadata": {"creationTimestamp": null, "labels": {"app": "web"}},
  "spec": {
    "containers": [{"name": "nginx", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent",
                    "resources": {}, "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File"}],
    "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
    "securityContext": {}, "terminationGracePeriodSeconds": 30
  }
})";
}  // namespace

TEST_CASE("a minimal Deployment is defaulted exactly as kube-apiserver defaults it") {
  json d = {{"apiVersion", "apps/v1"},
            {"kind", "Deployment"},
            {"metadata", {{"name", "web"}, {"namespace", "default"}}},
            {"spec",
             {{"selector", {{"matchLabels", {{"app", "web"}}}}},
              {"template", json::parse(kPodTemplate)}}}};
  ApplyDefaults("apps", "Deployment", d);
  PrepareForCreate("apps", "Deployment", d);
  json expected = {{"apiVersion", "apps/v1"},
                   {"kind", "Deployment"},
                   {"metadata", {{"name", "web"}, {"namespace", "default"}}},
                   {"spec",
                    {{"progressDeadlineSeconds", 600},
                     {"replicas", 1},
                     {"revisionHistoryLimit", 10},
                     {"selector", {{"matchLabels", {{"app", "web"}}}}},
                     {"strategy",
                      {{"type", "RollingUpdate"},
                       {"rollingUpdate", {{"maxSurge", "25%"}, {"maxUnavailable", "25%"}}}}},
                     {"template", json::parse(kDefaultedPodTemplate)}}},
                   {"status", json::object()}};
  INFO(d.dump(2));
  CHECK(d == expected);
  REQUIRE_NO_ERRORS(ValidateCreate("apps", "Deployment", d));
  // The Pod-only defaults (enableServiceLinks, requests from limits) stay out of templates.
  CHECK_FALSE(d["spec"]["template"]["spec"].contains("enableServiceLinks"));
}

TEST_CASE("Recreate deployments get no rollingUpdate defaults") {
  json d = {{"spec", {{"strategy", {{"type", "Recreate"}}}, {"replicas", 3}}}};
  ApplyDefaults("apps", "Deployment", d);
  CHECK(d["spec"]["strategy"] == json{{"type", "Recreate"}});
  CHECK(d["spec"]["replicas"] == 3);
}

TEST_CASE("StatefulSet, DaemonSet and ReplicaSet defaults") {
  json sts = {{"spec",
               {{"serviceName", "db"},
                {"template", json::parse(kPodTemplate)},
                {"volumeClaimTemplates",
                 {{{"metadata", {{"name", "data"}}},
                   {"spec",
                    {{"accessModes", {"ReadWriteOnce"}},
                     {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}}}}}};
  ApplyDefaults("apps", "StatefulSet", sts);
  const json& s = sts["spec"];
  CHECK(s["replicas"] == 1);
  CHECK(s["podManagementPolicy"] == "OrderedReady");
  CHECK(s["revisionHistoryLimit"] == 10);
  CHECK(s["updateStrategy"] ==
        json{{"type", "RollingUpdate"}, {"rollingUpdate", {{"partition", 0}}}});
  CHECK(s["persistentVolumeClaimRetentionPolicy"] ==
        json{{"whenDeleted", "Retain"}, {"whenScaled", "Retain"}});
  CHECK(s["volumeClaimTemplates"][0] ==
        json{{"metadata", {{"name", "data"}, {"creationTimestamp", nullptr}}},
             {"spec",
              {{"accessModes", {"ReadWriteOnce"}},
               {"resources", {{"requests", {{"storage", "1Gi"}}}}},
               {"volumeMode", "Filesystem"}}},
             {"status", {{"phase", "Pending"}}}});
  CHECK(s["template"] == json::parse(kDefaultedPodTemplate));

  json ds = {{"spec", {{"template", json::parse(kPodTemplate)}}}};
  ApplyDefaults("apps", "DaemonSet", ds);
  CHECK(
      ds["spec"]["updateStrategy"] ==
      json{{"type", "RollingUpdate"}, {"rollingUpdate", {{"maxUnavailable", 1}, {"maxSurge", 0}}}});
  CHECK(ds["spec"]["revisionHistoryLimit"] == 10);
  PrepareForCreate("apps", "DaemonSet", ds);
  CHECK(ds["status"]["numberReady"] == 0);

  json rs = {{"spec", {{"template", json::parse(kPodTemplate)}}}};
  ApplyDefaults("apps", "ReplicaSet", rs);
  CHECK(rs["spec"]["replicas"] == 1);
  CHECK(rs["spec"]["template"] == json::parse(kDefaultedPodTemplate));
}

TEST_CASE("Job defaults and the generated selector") {
  json job = json::parse(R"({
    "apiVersion": "batch/v1", "kind": "Job",
    "metadata": {"name": "pi", "namespace": "default", "uid": "1234-abcd"},
    "spec": {"template": {"spec": {"restartPolicy": "Never",
             "containers": [{"name": "pi", "image": "perl:5.34"}]}}}
  })");
  ApplyDefaults("batch", "Job", job);
  PrepareForCreate("batch", "Job", job);
  const json& spec = job["spec"];
  CHECK(spec["completions"] == 1);
  CHECK(spec["parallelism"] == 1);
  CHECK(spec["backoffLimit"] == 6);
  CHECK(spec["completionMode"] == "NonIndexed");
  CHECK(spec["suspend"] == false);
  CHECK(spec["podReplacementPolicy"] == "TerminatingOrFailed");
  CHECK(spec["selector"] ==
        json{{"matchLabels", {{"batch.kubernetes.io/controller-uid", "1234-abcd"}}}});
  json labels = {{"batch.kubernetes.io/controller-uid", "1234-abcd"},
                 {"batch.kubernetes.io/job-name", "pi"},
                 {"controller-uid", "1234-abcd"},
                 {"job-name", "pi"}};
  CHECK(spec["template"]["metadata"]["labels"] == labels);
  CHECK(job["metadata"]["labels"] == labels);
  CHECK(job["status"] == json::object());
  REQUIRE_NO_ERRORS(ValidateCreate("batch", "Job", job));

  json parallel = json::parse(R"({"spec": {"parallelism": 3, "backoffLimitPerIndex": 1,
      "podFailurePolicy": {"rules": [{"action": "FailJob",
                                      "onPodConditions": [{"type": "DisruptionTarget"}]}]}}})");
  ApplyDefaults("batch", "Job", parallel);
  CHECK_FALSE(parallel["spec"].contains("completions"));
  CHECK(parallel["spec"]["backoffLimit"] == 2147483647);
  CHECK(parallel["spec"]["podReplacementPolicy"] == "Failed");
  CHECK(parallel["spec"]["podFailurePolicy"]["rules"][0]["onPodConditions"][0]["status"] == "True");
}

TEST_CASE("CronJob defaults") {
  json cj = {{"spec",
              {{"schedule", "*/5 * * * *"},
               {"jobTemplate", {{"spec", {{"template", json::parse(kPodTemplate)}}}}}}}};
  ApplyDefaults("batch", "CronJob", cj);
  const json& spec = cj["spec"];
  CHECK(spec["concurrencyPolicy"] == "Allow");
  CHECK(spec["suspend"] == false);
  CHECK(spec["successfulJobsHistoryLimit"] == 3);
  CHECK(spec["failedJobsHistoryLimit"] == 1);
  CHECK(spec["jobTemplate"]["metadata"] == json{{"creationTimestamp", nullptr}});
  // Job-level defaults are not applied inside the template.
  CHECK_FALSE(spec["jobTemplate"]["spec"].contains("backoffLimit"));
  CHECK(spec["jobTemplate"]["spec"]["template"]["spec"]["dnsPolicy"] == "ClusterFirst");
}

TEST_CASE("Service defaults and create-time normalization") {
  json svc = json::parse(R"({
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}, {"name": "x", "port": 81, "targetPort": "http"}]}
  })");
  ApplyDefaults("", "Service", svc);
  PrepareForCreate("", "Service", svc);
  json expected = json::parse(R"({
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {"selector": {"app": "web"},
             "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80},
                       {"name": "x", "port": 81, "protocol": "TCP", "targetPort": "http"}],
             "type": "ClusterIP", "sessionAffinity": "None", "internalTrafficPolicy": "Cluster"},
    "status": {"loadBalancer": {}}
  })");
  CHECK(svc == expected);

  json lb = {{"spec",
              {{"type", "LoadBalancer"},
               {"sessionAffinity", "ClientIP"},
               {"ports", {{{"port", 443}}}},
               {"clusterIP", "10.43.0.5"}}}};
  ApplyDefaults("", "Service", lb);
  PrepareForCreate("", "Service", lb);
  CHECK(lb["spec"]["externalTrafficPolicy"] == "Cluster");
  CHECK(lb["spec"]["allocateLoadBalancerNodePorts"] == true);
  CHECK(lb["spec"]["sessionAffinityConfig"] == json{{"clientIP", {{"timeoutSeconds", 10800}}}});
  CHECK(lb["spec"]["clusterIPs"] == json{"10.43.0.5"});

  json ext = {{"spec", {{"type", "ExternalName"}, {"externalName", "db.example.com"}}}};
  ApplyDefaults("", "Service", ext);
  CHECK_FALSE(ext["spec"].contains("internalTrafficPolicy"));
  CHECK_FALSE(ext["spec"].contains("externalTrafficPolicy"));
}

TEST_CASE("Namespace, Secret, PVC, PV and Node defaults") {
  json ns = {{"metadata", {{"name", "team-a"}}}};
  ApplyDefaults("", "Namespace", ns);
  PrepareForCreate("", "Namespace", ns);
  CHECK(ns == json{{"metadata",
                    {{"name", "team-a"}, {"labels", {{"kubernetes.io/metadata.name", "team-a"}}}}},
                   {"spec", {{"finalizers", {"kubernetes"}}}},
                   {"status", {{"phase", "Active"}}}});

  json secret = {{"metadata", {{"name", "s"}}},
                 {"stringData", {{"user", "admin"}}},
                 {"data", {{"pass", "c2VjcmV0"}}}};
  ApplyDefaults("", "Secret", secret);
  CHECK(secret == json{{"metadata", {{"name", "s"}}},
                       {"type", "Opaque"},
                       {"data", {{"pass", "c2VjcmV0"}, {"user", "YWRtaW4="}}}});

  json pvc = {{"spec",
               {{"accessModes", {"ReadWriteOnce"}},
                {"resources", {{"requests", {{"storage", "1024Mi"}}}}}}}};
  ApplyDefaults("", "PersistentVolumeClaim", pvc);
  PrepareForCreate("", "PersistentVolumeClaim", pvc);
  CHECK(pvc["spec"]["volumeMode"] == "Filesystem");
  CHECK(pvc["spec"]["resources"]["requests"]["storage"] == "1Gi");
  CHECK(pvc["status"] == json{{"phase", "Pending"}});

  json pv = {{"spec", {{"capacity", {{"storage", "5Gi"}}}, {"hostPath", {{"path", "/data"}}}}}};
  ApplyDefaults("", "PersistentVolume", pv);
  CHECK(pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain");
  CHECK(pv["spec"]["volumeMode"] == "Filesystem");

  json node = {{"status", {{"capacity", {{"cpu", "4"}, {"memory", "8Gi"}}}}}};
  ApplyDefaults("", "Node", node);
  CHECK(node["status"]["allocatable"] == json{{"cpu", "4"}, {"memory", "8Gi"}});
}

TEST_CASE("defaults of the other groups") {
  json sc = {{"provisioner", "rancher.io/local-path"}};
  ApplyDefaults("storage.k8s.io", "StorageClass", sc);
  CHECK(sc["reclaimPolicy"] == "Delete");
  CHECK(sc["volumeBindingMode"] == "Immediate");

  json hpa = {
      {"apiVersion", "autoscaling/v2"},
      {"spec",
       {{"maxReplicas", 5}, {"behavior", {{"scaleDown", {{"stabilizationWindowSeconds", 60}}}}}}}};
  ApplyDefaults("autoscaling", "HorizontalPodAutoscaler", hpa);
  CHECK(hpa["spec"]["minReplicas"] == 1);
  CHECK(hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 80);
  CHECK(hpa["spec"]["behavior"]["scaleUp"]["policies"].size() == 2);
  CHECK(hpa["spec"]["behavior"]["scaleUp"]["stabilizationWindowSeconds"] == 0);
  CHECK(hpa["spec"]["behavior"]["scaleDown"] ==
        json{{"stabilizationWindowSeconds", 60},
             {"selectPolicy", "Max"},
             {"policies", {{{"type", "Percent"}, {"value", 100}, {"periodSeconds", 15}}}}});
  json hpa1 = {{"apiVersion", "autoscaling/v1"}, {"spec", {{"maxReplicas", 5}}}};
  ApplyDefaults("autoscaling", "HorizontalPodAutoscaler", hpa1);
  CHECK(hpa1["spec"] == json{{"maxReplicas", 5}, {"minReplicas", 1}});

  json slice = {{"ports", {{{"port", 80}}}}};
  ApplyDefaults("discovery.k8s.io", "EndpointSlice", slice);
  CHECK(slice["ports"][0] == json{{"port", 80}, {"name", ""}, {"protocol", "TCP"}});

  json np = {
      {"spec", {{"podSelector", json::object()}, {"egress", {{{"ports", {{{"port", 53}}}}}}}}}};
  ApplyDefaults("networking.k8s.io", "NetworkPolicy", np);
  CHECK(np["spec"]["policyTypes"] == json{"Ingress", "Egress"});
  CHECK(np["spec"]["egress"][0]["ports"][0]["protocol"] == "TCP");

  json rb = {{"roleRef", {{"kind", "Role"}, {"name", "r"}}},
             {"subjects",
              {{{"kind", "User"}, {"name", "u"}}, {{"kind", "ServiceAccount"}, {"name", "sa"}}}}};
  ApplyDefaults("rbac.authorization.k8s.io", "RoleBinding", rb);
  CHECK(rb["roleRef"]["apiGroup"] == "rbac.authorization.k8s.io");
  CHECK(rb["subjects"][0]["apiGroup"] == "rbac.authorization.k8s.io");
  CHECK(rb["subjects"][1]["apiGroup"] == "");

  json pc = {{"value", 1000}};
  ApplyDefaults("scheduling.k8s.io", "PriorityClass", pc);
  CHECK(pc["preemptionPolicy"] == "PreemptLowerPriority");

  json lease = {{"spec", json::object()}};
  ApplyDefaults("coordination.k8s.io", "Lease", lease);
  CHECK(lease == json{{"spec", json::object()}});
}
