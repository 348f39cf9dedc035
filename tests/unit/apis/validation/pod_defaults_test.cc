// Pod defaults: a realistic minimal manifest comes out as kube-apiserver stores it.
#include <catch2/catch.hpp>

#include "test_util.h"

using namespace skiff::apis;
using nlohmann::json;

TEST_CASE("a minimal Pod is defaulted exactly as kube-apiserver defaults it") {
  json pod = json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {
      "containers": [{
        "name": "nginx", "image": "nginx:1.25",
        "ports": [{"containerPort": 80}],
        "resources": {"limits": {"cpu": "0.5", "memory": "128Mi"}},
        "livenessProbe": {"httpGet": {"port": 80}},
        "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
        "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "cfg", "mountPath": "/cfg"}]
      }],
      "volumes": [
        {"name": "data"},
        {"name": "cfg", "configMap": {"name": "cfg"}},
        {"name": "logs", "hostPath": {"path": "/var/log"}}
      ]
    }
  })");
  ApplyDefaults("", "Pod", pod);
  PrepareForCreate("", "Pod", pod);
  json expected = json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {
      "containers": [{
        "name": "nginx", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": 80, "protocol": "TCP"}],
        "resources": {"limits": {"cpu": "500m", "memory": "128Mi"},
                      "requests": {"cpu": "500m", "memory": "128Mi"}},
        "livenessProbe": {"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"},
                          "timeoutSeconds": 1, "periodSeconds": 10,
                          "successThreshold": 1, "failureThreshold": 3},
        "env": [{"name": "POD_NAME",
                 "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}],
        "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "cfg", "mountPath": "/cfg"}],
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File"
      }],
      "volumes": [
        {"name": "data", "emptyDir": {}},
        {"name": "cfg", "configMap": {"name": "cfg", "defaultMode": 420}},
        {"name": "logs", "hostPath": {"path": "/var/log", "type": ""}}
      ],
      "dnsPolicy": "ClusterFirst",
      "enableServiceLinks": true,
      "restartPolicy": "Always",
      "schedulerName": "default-scheduler",
      "securityContext": {},
      "terminationGracePeriodSeconds": 30
    },
    "status": {"phase": "Pending", "qosClass": "Guaranteed"}
  })");
  CHECK(pod == expected);
  INFO(pod.dump(2));
  REQUIRE_NO_ERRORS(ValidateCreate("", "Pod", pod));
  // Defaulting is idempotent.
  json again = pod;
  ApplyDefaults("", "Pod", again);
  CHECK(again == pod);
}

TEST_CASE("imagePullPolicy follows the image tag") {
  auto policy = [](const std::string& image) {
    json pod = {{"spec", {{"containers", {{{"name", "c"}, {"image", image}}}}}}};
    ApplyDefaults("", "Pod", pod);
    return pod["spec"]["containers"][0]["imagePullPolicy"].get<std::string>();
  };
  CHECK(policy("nginx") == "Always");
  CHECK(policy("nginx:latest") == "Always");
  CHECK(policy("registry.local:5000/team/app") == "Always");
  CHECK(policy("nginx:1.25") == "IfNotPresent");
  CHECK(policy("registry.local:5000/team/app:v2") == "IfNotPresent");
  CHECK(policy("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") ==
        "IfNotPresent");
  CHECK(
      policy(
          "nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") ==
      "Always");
  // An explicit policy is kept.
  json pod = {
      {"spec",
       {{"containers", {{{"name", "c"}, {"image", "nginx"}, {"imagePullPolicy", "Never"}}}}}}};
  ApplyDefaults("", "Pod", pod);
  CHECK(pod["spec"]["containers"][0]["imagePullPolicy"] == "Never");
}

TEST_CASE("volume sources, probes and host network ports get their defaults") {
  json pod = json::parse(R"({
    "metadata": {"name": "p", "namespace": "default"},
    "spec": {
      "hostNetwork": true,
      "initContainers": [{"name": "init", "image": "busybox:1.36",
                          "resources": {"limits": {"memory": "64Mi"}}}],
      "containers": [{"name": "c", "image": "app:1", "ports": [{"containerPort": 8080}],
                      "readinessProbe": {"grpc": {"port": 9090}},
                      "startupProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 5}}],
      "volumes": [
        {"name": "s", "secret": {"secretName": "s"}},
        {"name": "d", "downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
        {"name": "t", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}},
        {"name": "e", "ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"],
          "resources": {"requests": {"storage": "1Gi"}}}}}}
      ]
    }
  })");
  ApplyDefaults("", "Pod", pod);
  const json& spec = pod["spec"];
  CHECK(spec["containers"][0]["ports"][0]["hostPort"] == 8080);
  CHECK(spec["initContainers"][0]["resources"]["requests"] == json{{"memory", "64Mi"}});
  CHECK(spec["containers"][0]["readinessProbe"]["grpc"] == json{{"port", 9090}, {"service", ""}});
  CHECK(spec["containers"][0]["startupProbe"]["periodSeconds"] == 5);
  CHECK(spec["containers"][0]["startupProbe"]["failureThreshold"] == 3);
  CHECK(spec["volumes"][0]["secret"]["defaultMode"] == 420);
  CHECK(spec["volumes"][1]["downwardAPI"]["defaultMode"] == 420);
  CHECK(spec["volumes"][1]["downwardAPI"]["items"][0]["fieldRef"]["apiVersion"] == "v1");
  CHECK(spec["volumes"][2]["projected"]["defaultMode"] == 420);
  CHECK(spec["volumes"][2]["projected"]["sources"][0]["serviceAccountToken"]["expirationSeconds"] ==
        3600);
  CHECK(spec["volumes"][3]["ephemeral"]["volumeClaimTemplate"]["spec"]["volumeMode"] ==
        "Filesystem");
  PrepareForCreate("", "Pod", pod);
  CHECK(pod["status"]["qosClass"] == "Burstable");
}

TEST_CASE("QOS classes and the scheduling-gated condition on create") {
  json best = {{"metadata", {{"name", "p"}}},
               {"spec",
                {{"containers", {{{"name", "c"}, {"image", "i"}}}},
                 {"schedulingGates", {{{"name", "example.com/wait"}}}}}}};
  ApplyDefaults("", "Pod", best);
  PrepareForCreate("", "Pod", best);
  CHECK(best["status"]["qosClass"] == "BestEffort");
  REQUIRE(best["status"]["conditions"].size() == 1);
  CHECK(best["status"]["conditions"][0]["reason"] == "SchedulingGated");
  CHECK(best["status"]["conditions"][0]["status"] == "False");

  json burst = {
      {"spec",
       {{"containers",
         {{{"name", "c"}, {"image", "i"}, {"resources", {{"requests", {{"cpu", "100m"}}}}}}}}}}};
  ApplyDefaults("", "Pod", burst);
  PrepareForCreate("", "Pod", burst);
  CHECK(burst["status"]["qosClass"] == "Burstable");
}
