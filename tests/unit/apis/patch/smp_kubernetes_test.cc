// Strategic merge patches as kubectl (apply, patch, label, annotate, edit, scale) and the
// Python client send them, on realistic Deployment, Pod and Service documents.
#include <catch2/catch.hpp>

#include "skiff/apis/patch.h"
#include "test_schema.h"

using nlohmann::json;
using skiff::apis::ApplyStrategicMergePatch;
using skiff::apis::TypeDef;
using skiff::apis::testing::Types;

namespace {

json Smp(const json& doc, const char* patch, const TypeDef* type) {
  auto r = ApplyStrategicMergePatch(doc, json::parse(patch), type);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return *r;
}

json Deployment() {
  return json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {
      "name": "web", "namespace": "default", "uid": "0b5c7b5e", "generation": 2,
      "labels": {"app": "web", "tier": "frontend"},
      "annotations": {"deployment.kubernetes.io/revision": "2"},
      "finalizers": ["example.com/a", "example.com/b"]
    },
    "spec": {
      "replicas": 3,
      "selector": {"matchLabels": {"app": "web"}},
      "strategy": {"type": "RollingUpdate",
                   "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
      "template": {
        "metadata": {"labels": {"app": "web"}},
        "spec": {
          "containers": [
            {"name": "app", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent",
             "ports": [{"containerPort": 80, "protocol": "TCP"}],
             "env": [{"name": "MODE", "value": "prod"}, {"name": "LOG", "value": "info"}],
             "volumeMounts": [{"name": "cache", "mountPath": "/cache"}]},
            {"name": "log", "image": "busybox:1.36", "args": ["tail", "-f", "/var/log/app"]}
          ],
          "volumes": [{"name": "cache", "emptyDir": {}},
                      {"name": "config", "configMap": {"name": "web-config"}}],
          "tolerations": [{"key": "edge", "operator": "Exists", "effect": "NoSchedule"}],
          "restartPolicy": "Always"
        }
      }
    },
    "status": {"replicas": 3, "observedGeneration": 2}
  })");
}

const json& PodSpecOf(const json& deployment) { return deployment["spec"]["template"]["spec"]; }

}  // namespace

TEST_CASE("smp: kubectl apply with $setElementOrder", "[patch][smp][kubectl]") {
  const TypeDef* type = Types().deployment;
  // kubectl apply after editing the image: the patch names the container by merge key and
  // carries the order of the whole list.
  json out = Smp(Deployment(), R"({
    "metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{...}"}},
    "spec": {"template": {"spec": {
      "$setElementOrder/containers": [{"name": "app"}, {"name": "log"}],
      "containers": [{"image": "nginx:1.26", "name": "app"}]}}}
  })",
                 type);
  const json& containers = PodSpecOf(out)["containers"];
  REQUIRE(containers.size() == 2);
  CHECK(containers[0]["name"] == "app");
  CHECK(containers[0]["image"] == "nginx:1.26");
  CHECK(containers[0]["env"].size() == 2);  // untouched fields of the element stay
  CHECK(containers[1]["name"] == "log");
  CHECK(out["metadata"]["annotations"] ==
        json({{"deployment.kubernetes.io/revision", "2"},
              {"kubectl.kubernetes.io/last-applied-configuration", "{...}"}}));
  CHECK(out.dump().find("$setElementOrder") == std::string::npos);

  // Adding a container and reordering: "sidecar" lands where $setElementOrder puts it.
  json added = Smp(Deployment(), R"({"spec": {"template": {"spec": {
      "$setElementOrder/containers": [{"name": "log"}, {"name": "sidecar"}, {"name": "app"}],
      "containers": [{"name": "sidecar", "image": "envoy:1.30"}]}}}})",
                   type);
  const json& c = PodSpecOf(added)["containers"];
  REQUIRE(c.size() == 3);
  CHECK(c[0]["name"] == "log");
  CHECK(c[1]["name"] == "sidecar");
  CHECK(c[1] == json({{"name", "sidecar"}, {"image", "envoy:1.30"}}));
  CHECK(c[2]["name"] == "app");

  // Apply that also reorders env: the order list alone reorders existing elements.
  json env = Smp(Deployment(), R"({"spec": {"template": {"spec": {
      "$setElementOrder/containers": [{"name": "app"}, {"name": "log"}],
      "containers": [{"name": "app",
                      "$setElementOrder/env": [{"name": "LOG"}, {"name": "NEW"}, {"name": "MODE"}],
                      "env": [{"name": "NEW", "value": "1"}]}]}}}})",
                 type);
  CHECK(PodSpecOf(env)["containers"][0]["env"] ==
        json::parse(R"([{"name":"LOG","value":"info"},{"name":"NEW","value":"1"},
                        {"name":"MODE","value":"prod"}])"));
}

TEST_CASE("smp: deleting a container and replacing env", "[patch][smp][kubectl]") {
  const TypeDef* type = Types().deployment;
  // kubectl apply after removing the "log" container from the manifest.
  json out = Smp(Deployment(), R"({"spec": {"template": {"spec": {
      "$setElementOrder/containers": [{"name": "app"}],
      "containers": [{"$patch": "delete", "name": "log"}]}}}})",
                 type);
  const json& containers = PodSpecOf(out)["containers"];
  REQUIRE(containers.size() == 1);
  CHECK(containers[0]["name"] == "app");
  CHECK(containers[0]["image"] == "nginx:1.25");

  // Replacing the env list of one container.
  json env = Smp(Deployment(), R"({"spec": {"template": {"spec": {"containers": [
      {"name": "app", "env": [{"name": "ONLY", "value": "x"}, {"$patch": "replace"}]}]}}}})",
                 type);
  CHECK(PodSpecOf(env)["containers"][0]["env"] == json::parse(R"([{"name":"ONLY","value":"x"}])"));
  CHECK(PodSpecOf(env)["containers"].size() == 2);

  // Merging env by name: changed value, new variable first (no $setElementOrder), removal.
  json merged = Smp(Deployment(), R"({"spec": {"template": {"spec": {"containers": [
      {"name": "app", "env": [{"name": "LOG", "value": "debug"}, {"name": "EXTRA", "value": "1"},
                              {"name": "MODE", "$patch": "delete"}]}]}}}})",
                    type);
  CHECK(PodSpecOf(merged)["containers"][0]["env"] ==
        json::parse(R"([{"name":"LOG","value":"debug"},{"name":"EXTRA","value":"1"}])"));

  // A map replaced with $patch: replace (here a container's resources).
  json resources = Smp(Deployment(), R"({"spec": {"template": {"spec": {"containers": [
      {"name": "app", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}}}})",
                       type);
  json replaced = Smp(resources, R"({"spec": {"template": {"spec": {"containers": [
      {"name": "app", "resources": {"$patch": "replace", "requests": {"cpu": "100m"}}}]}}}})",
                      type);
  CHECK(PodSpecOf(replaced)["containers"][0]["resources"] ==
        json::parse(R"({"requests":{"cpu":"100m"}})"));
  // In a merge list an element carrying $patch: replace is the list directive: the list
  // becomes the patch's other elements (the marked element itself is dropped).
  json list = Smp(Deployment(), R"({"spec": {"template": {"spec": {"containers": [
      {"name": "solo", "image": "alpine:3.20"},
      {"name": "log", "image": "ignored", "$patch": "replace"}]}}}})",
                  type);
  CHECK(PodSpecOf(list)["containers"] == json::parse(R"([{"name":"solo","image":"alpine:3.20"}])"));
}

TEST_CASE("smp: retainKeys switches a volume from emptyDir to configMap", "[patch][smp][kubectl]") {
  const TypeDef* type = Types().deployment;
  // kubectl apply sends $retainKeys for volumes (patchStrategy merge,retainKeys).
  json out = Smp(Deployment(), R"({"spec": {"template": {"spec": {
      "$setElementOrder/volumes": [{"name": "cache"}, {"name": "config"}],
      "volumes": [{"$retainKeys": ["configMap", "name"], "configMap": {"name": "cache-cm"},
                   "name": "cache"}]}}}})",
                 type);
  const json& volumes = PodSpecOf(out)["volumes"];
  REQUIRE(volumes.size() == 2);
  CHECK(volumes[0] == json::parse(R"({"name":"cache","configMap":{"name":"cache-cm"}})"));
  CHECK(volumes[1] == json::parse(R"({"name":"config","configMap":{"name":"web-config"}})"));

  // Without $retainKeys both sources would be kept (what retainKeys exists to prevent).
  json both = Smp(Deployment(), R"({"spec": {"template": {"spec": {
      "volumes": [{"name": "cache", "configMap": {"name": "cache-cm"}}]}}}})",
                  type);
  CHECK(PodSpecOf(both)["volumes"][0].contains("emptyDir"));

  // Deployment strategy (patchStrategy retainKeys): switching to Recreate drops rollingUpdate.
  json recreate = Smp(Deployment(), R"({"spec": {"strategy": {"$retainKeys": ["type"],
      "type": "Recreate", "rollingUpdate": null}}})",
                      type);
  CHECK(recreate["spec"]["strategy"] == json({{"type", "Recreate"}}));
}

TEST_CASE("smp: finalizers, labels and annotations", "[patch][smp][kubectl]") {
  const TypeDef* type = Types().deployment;
  // finalizers: a primitive list with merge strategy is a set union.
  json added = Smp(Deployment(),
                   R"({"metadata": {"finalizers": ["example.com/b", "example.com/c"]}})", type);
  CHECK(added["metadata"]["finalizers"] ==
        json({"example.com/a", "example.com/b", "example.com/c"}));
  json removed = Smp(Deployment(), R"({"metadata":
      {"$deleteFromPrimitiveList/finalizers": ["example.com/a"]}})",
                     type);
  CHECK(removed["metadata"]["finalizers"] == json({"example.com/b"}));
  json cleared = Smp(Deployment(), R"({"metadata": {"finalizers": null}})", type);
  CHECK_FALSE(cleared["metadata"].contains("finalizers"));

  // kubectl label app- tier=backend; kubectl annotate.
  json labeled =
      Smp(Deployment(), R"({"metadata": {"labels": {"app": null, "tier": "backend"}}})", type);
  CHECK(labeled["metadata"]["labels"] == json({{"tier", "backend"}}));
  json annotated = Smp(Deployment(), R"({"metadata": {"annotations":
      {"owner": "team-a", "deployment.kubernetes.io/revision": null}}})",
                       type);
  CHECK(annotated["metadata"]["annotations"] == json({{"owner", "team-a"}}));
  // Labels on an object without any are created.
  json bare = {{"metadata", {{"name", "x"}}}};
  CHECK(Smp(bare, R"({"metadata": {"labels": {"a": "1", "b": null}}})", type)["metadata"] ==
        json::parse(R"({"name":"x","labels":{"a":"1"}})"));
}

TEST_CASE("smp: python client dict patches and kubectl edit", "[patch][smp][python]") {
  const TypeDef* type = Types().deployment;
  // apps_v1.patch_namespaced_deployment_scale(body={"spec": {"replicas": 5}}) and a typical
  // image bump.
  json scaled = Smp(Deployment(), R"({"spec": {"replicas": 5}})", type);
  CHECK(scaled["spec"]["replicas"] == 5);
  CHECK(scaled["spec"]["template"] == Deployment()["spec"]["template"]);
  json bumped = Smp(Deployment(), R"({"spec": {"template": {"spec": {"containers":
      [{"name": "app", "image": "nginx:1.27"}]}}}})",
                    type);
  CHECK(PodSpecOf(bumped)["containers"][0]["image"] == "nginx:1.27");
  CHECK(PodSpecOf(bumped)["containers"][0]["ports"] ==
        json::parse(R"([{"containerPort":80,"protocol":"TCP"}])"));

  // A Python patch adding a container without naming the order: Kubernetes puts it first.
  json sidecar = Smp(Deployment(), R"({"spec": {"template": {"spec": {"containers":
      [{"name": "sidecar", "image": "envoy:1.30"}]}}}})",
                     type);
  const json& c = PodSpecOf(sidecar)["containers"];
  REQUIRE(c.size() == 3);
  CHECK(c[0]["name"] == "sidecar");
  CHECK(c[1]["name"] == "app");
  CHECK(c[2]["name"] == "log");

  // Ports merge by containerPort; tolerations (no patch strategy) are replaced whole.
  json ports = Smp(Deployment(), R"({"spec": {"template": {"spec": {
      "containers": [{"name": "app", "ports": [{"containerPort": 80, "name": "http"},
                                               {"containerPort": 443, "name": "https"}]}],
      "tolerations": [{"key": "gpu", "operator": "Exists"}]}}}})",
                   type);
  CHECK(PodSpecOf(ports)["containers"][0]["ports"] ==
        json::parse(R"([{"containerPort":80,"protocol":"TCP","name":"http"},
                        {"containerPort":443,"name":"https"}])"));
  CHECK(PodSpecOf(ports)["tolerations"] == json::parse(R"([{"key":"gpu","operator":"Exists"}])"));

  // Resource maps (map[string]Quantity) merge key by key.
  json res = Smp(Deployment(), R"({"spec": {"template": {"spec": {"containers": [
      {"name": "app", "resources": {"limits": {"cpu": "500m"}}}]}}}})",
                 type);
  json res2 = Smp(res, R"({"spec": {"template": {"spec": {"containers": [
      {"name": "app", "resources": {"limits": {"memory": "128Mi", "cpu": null}}}]}}}})",
                  type);
  CHECK(PodSpecOf(res2)["containers"][0]["resources"] ==
        json::parse(R"({"limits":{"memory":"128Mi"}})"));
}

TEST_CASE("smp: Service ports, Pod conditions and ownerReferences", "[patch][smp]") {
  json svc = json::parse(R"({
    "apiVersion": "v1", "kind": "Service",
    "metadata": {"name": "web"},
    "spec": {"type": "ClusterIP", "clusterIP": "10.43.0.20", "selector": {"app": "web"},
             "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]}
  })");
  json out = Smp(svc, R"({"spec": {"type": "NodePort",
      "$setElementOrder/ports": [{"port": 80}, {"port": 443}],
      "ports": [{"port": 80, "nodePort": 30080}, {"name": "https", "port": 443, "targetPort": 8443}],
      "selector": {"app": null, "component": "web"}}})",
                 Types().service);
  CHECK(out["spec"]["ports"] == json::parse(R"([
      {"name":"http","port":80,"targetPort":8080,"protocol":"TCP","nodePort":30080},
      {"name":"https","port":443,"targetPort":8443}])"));
  CHECK(out["spec"]["selector"] == json({{"component", "web"}}));
  CHECK(out["spec"]["clusterIP"] == "10.43.0.20");

  json pod = json::parse(R"({
    "metadata": {"name": "p", "ownerReferences": [
      {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "u1",
       "controller": true}]},
    "spec": {"containers": [{"name": "app", "image": "nginx"}]},
    "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "True"}]}
  })");
  json patched = Smp(pod, R"({
    "metadata": {"ownerReferences": [{"uid": "u1", "controller": false},
                                     {"apiVersion": "v1", "kind": "Node", "name": "n", "uid": "u2"}]},
    "status": {"phase": "Running",
               "conditions": [{"type": "Ready", "status": "True"},
                              {"type": "PodScheduled", "reason": "Done"}]}
  })",
                     Types().pod);
  const json& owners = patched["metadata"]["ownerReferences"];
  REQUIRE(owners.size() == 2);
  CHECK(owners[0]["uid"] == "u1");
  CHECK(owners[0]["controller"] == false);
  CHECK(owners[0]["name"] == "web-1");
  CHECK(owners[1]["uid"] == "u2");
  CHECK(patched["status"]["conditions"] == json::parse(R"([
      {"type":"Ready","status":"True"},
      {"type":"PodScheduled","status":"True","reason":"Done"}])"));
  CHECK(patched["status"]["phase"] == "Running");
}
