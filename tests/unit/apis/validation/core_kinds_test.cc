// Namespace, Secret, ConfigMap, PVC, PV, Node, Endpoints and Event rules.
#include <catch2/catch.hpp>

#include "test_util.h"

using namespace skiff::apis;
using nlohmann::json;

namespace {
json Meta(const char* name = "x") {
  return {{"name", name}, {"namespace", "default"}, {"resourceVersion", "1"}};
}
}  // namespace

TEST_CASE("Namespace finalizers and status phase") {
  json ns = {{"metadata", {{"name", "team"}}}, {"spec", {{"finalizers", {"custom"}}}}};
  REQUIRE_ERROR(ValidateCreate("", "Namespace", ns),
                "spec.finalizers: Invalid value: \"custom\": name is neither a standard finalizer "
                "name nor is it fully qualified");
  ns["spec"]["finalizers"] = {"example.com/cleanup"};
  ApplyDefaults("", "Namespace", ns);
  PrepareForCreate("", "Namespace", ns);
  CHECK(ns["spec"]["finalizers"] == json{"example.com/cleanup", "kubernetes"});
  REQUIRE_NO_ERRORS(ValidateCreate("", "Namespace", ns));
  // A plain update keeps the finalizers and the name label.
  json upd = {{"metadata", {{"name", "team"}}}, {"spec", json::object()}};
  PrepareForUpdate("", "Namespace", upd, ns);
  CHECK(upd["spec"]["finalizers"] == ns["spec"]["finalizers"]);
  CHECK(upd["metadata"]["labels"]["kubernetes.io/metadata.name"] == "team");
  json status = ns;
  status["status"]["phase"] = "Terminating";
  REQUIRE_ERROR(ValidateStatusUpdate("", "Namespace", status, ns),
                "status.Phase: Invalid value: \"Terminating\": may only be 'Active' if "
                "`deletionTimestamp` is empty");
}

TEST_CASE("Secret keys, size, types and immutability") {
  json s = {{"metadata", Meta()}, {"data", {{"bad key", "eA=="}}}};
  ApplyDefaults("", "Secret", s);
  auto errs = ValidateCreate("", "Secret", s);
  REQUIRE(testing::MessagesFor(errs, "data[bad key]").size() == 1);
  json big = {{"metadata", Meta()}, {"stringData", {{"blob", std::string(1024 * 1024 + 1, 'x')}}}};
  ApplyDefaults("", "Secret", big);
  REQUIRE_ERROR(ValidateCreate("", "Secret", big),
                "data: Too long: may not be more than 1048576 bytes");
  json tls = {{"metadata", Meta()}, {"type", "kubernetes.io/tls"}, {"data", {{"tls.crt", "eA=="}}}};
  REQUIRE_ERROR(ValidateCreate("", "Secret", tls), "data[tls.key]: Required value");
  json docker = {{"metadata", Meta()},
                 {"type", "kubernetes.io/dockerconfigjson"},
                 {"data", {{".dockerconfigjson", "bm90IGpzb24="}}}};
  REQUIRE(testing::HasField(ValidateCreate("", "Secret", docker), "data[.dockerconfigjson]"));

  json old = {
      {"metadata", Meta()}, {"type", "Opaque"}, {"immutable", true}, {"data", {{"a", "eA=="}}}};
  json changed = old;
  changed["data"]["a"] = "eQ==";
  REQUIRE_ERROR(ValidateUpdate("", "Secret", changed, old),
                "data: Forbidden: field is immutable when `immutable` is set");
  json retyped = old;
  retyped["type"] = "kubernetes.io/basic-auth";
  retyped["data"] = {{"username", "eA=="}};
  REQUIRE_ERROR(ValidateUpdate("", "Secret", retyped, old),
                "type: Invalid value: \"kubernetes.io/basic-auth\": field is immutable");
  json mutable_again = old;
  mutable_again["immutable"] = false;
  REQUIRE_ERROR(ValidateUpdate("", "Secret", mutable_again, old),
                "immutable: Forbidden: field is immutable when `immutable` is set");
}

TEST_CASE("ConfigMap keys, duplicates, size and immutability") {
  json cm = {
      {"metadata", Meta()}, {"data", {{"a", "1"}, {"..x", "2"}}}, {"binaryData", {{"a", "eA=="}}}};
  auto errs = ValidateCreate("", "ConfigMap", cm);
  REQUIRE_ERROR(errs, "data[..x]: Invalid value: \"..x\": must not start with '..'");
  REQUIRE_ERROR(errs, "data[a]: Invalid value: \"a\": duplicate of key present in binaryData");
  json big = {{"metadata", Meta()}, {"data", {{"a", std::string(1024 * 1024 + 1, 'x')}}}};
  REQUIRE_ERROR(ValidateCreate("", "ConfigMap", big),
                ": Too long: may not be more than 1048576 bytes");
  json old = {{"metadata", Meta()}, {"immutable", true}, {"data", {{"a", "1"}}}};
  json changed = old;
  changed["data"]["a"] = "2";
  REQUIRE_ERROR(ValidateUpdate("", "ConfigMap", changed, old),
                "data: Forbidden: field is immutable when `immutable` is set");
  json mutable_old = old;
  mutable_old.erase("immutable");
  json edited = mutable_old;
  edited["data"]["a"] = "2";
  REQUIRE_NO_ERRORS(ValidateUpdate("", "ConfigMap", edited, mutable_old));
}

TEST_CASE("PVC spec rules and immutability except storage growth when bound") {
  json pvc = {{"metadata", Meta("data")},
              {"spec", {{"resources", {{"requests", {{"storage", "1Gi"}}}}}}}};
  ApplyDefaults("", "PersistentVolumeClaim", pvc);
  REQUIRE_ERROR(ValidateCreate("", "PersistentVolumeClaim", pvc),
                "spec.accessModes: Required value: at least 1 access mode is required");
  pvc["spec"]["accessModes"] = {"ReadWriteSometimes"};
  REQUIRE_ERROR(ValidateCreate("", "PersistentVolumeClaim", pvc),
                "spec.accessModes: Unsupported value: \"ReadWriteSometimes\": supported values: "
                "\"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"");
  pvc["spec"]["accessModes"] = {"ReadWriteOnce"};
  REQUIRE_NO_ERRORS(ValidateCreate("", "PersistentVolumeClaim", pvc));
  json no_storage = pvc;
  no_storage["spec"]["resources"] = json::object();
  REQUIRE_ERROR(ValidateCreate("", "PersistentVolumeClaim", no_storage),
                "spec.resources[storage]: Required value");
  json zero = pvc;
  zero["spec"]["resources"]["requests"]["storage"] = "0";
  REQUIRE_ERROR(ValidateCreate("", "PersistentVolumeClaim", zero),
                "spec.resources[storage]: Invalid value: \"0\": must be greater than zero");

  PrepareForCreate("", "PersistentVolumeClaim", pvc);
  json bound = pvc;
  bound["status"]["phase"] = "Bound";
  bound["status"]["capacity"]["storage"] = "1Gi";
  bound["spec"]["volumeName"] = "pv-1";
  json grown = bound;
  grown["spec"]["resources"]["requests"]["storage"] = "2Gi";
  REQUIRE_NO_ERRORS(ValidateUpdate("", "PersistentVolumeClaim", grown, bound));
  json shrunk = bound;
  shrunk["spec"]["resources"]["requests"]["storage"] = "512Mi";
  REQUIRE_ERROR(ValidateUpdate("", "PersistentVolumeClaim", shrunk, bound),
                "spec.resources.requests.storage: Forbidden: field can not be less than "
                "status.capacity");
  // RecoverVolumeExpansionFailure: a request may come back down to above the capacity.
  json recovered = grown;
  recovered["spec"]["resources"]["requests"]["storage"] = "1536Mi";
  REQUIRE_NO_ERRORS(ValidateUpdate("", "PersistentVolumeClaim", recovered, grown));
  json to_capacity = grown;
  to_capacity["spec"]["resources"]["requests"]["storage"] = "1Gi";
  REQUIRE_ERROR(ValidateUpdate("", "PersistentVolumeClaim", to_capacity, grown),
                "spec.resources.requests.storage: Forbidden: field can not be less than "
                "status.capacity");
  json pending_grow = pvc;
  pending_grow["spec"]["resources"]["requests"]["storage"] = "2Gi";
  REQUIRE_ERROR(ValidateUpdate("", "PersistentVolumeClaim", pending_grow, pvc),
                "spec: Forbidden: spec is immutable after creation except resources.requests and "
                "volumeAttributesClassName for bound claims\n"
                "  - spec.resources.requests.storage: \"1Gi\"\n"
                "  + spec.resources.requests.storage: \"2Gi\"\n");
  // The volume name may be set once.
  json binding = pvc;
  binding["spec"]["volumeName"] = "pv-1";
  REQUIRE_NO_ERRORS(ValidateUpdate("", "PersistentVolumeClaim", binding, pvc));
}

TEST_CASE("PersistentVolume rules") {
  json pv = {{"metadata", {{"name", "pv-1"}, {"resourceVersion", "1"}}},
             {"spec",
              {{"capacity", {{"storage", "5Gi"}}},
               {"accessModes", {"ReadWriteOnce"}},
               {"hostPath", {{"path", "/srv/data"}}}}}};
  ApplyDefaults("", "PersistentVolume", pv);
  REQUIRE_NO_ERRORS(ValidateCreate("", "PersistentVolume", pv));
  json none = pv;
  none["spec"].erase("hostPath");
  REQUIRE_ERROR(ValidateCreate("", "PersistentVolume", none),
                "spec: Required value: must specify a volume type");
  json local = none;
  local["spec"]["local"] = {{"path", "/mnt/disk"}};
  REQUIRE_ERROR(ValidateCreate("", "PersistentVolume", local),
                "spec.nodeAffinity: Required value: Local volume requires node affinity");
  json moved = pv;
  moved["spec"]["hostPath"]["path"] = "/srv/other";
  auto errs = ValidateUpdate("", "PersistentVolume", moved, pv);
  REQUIRE_ERROR(errs,
                "spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is "
                "immutable after creation\n"
                "  - spec.hostPath.path: \"/srv/data\"\n  + spec.hostPath.path: \"/srv/other\"\n");
  json policy = pv;
  policy["spec"]["persistentVolumeReclaimPolicy"] = "Keep";
  REQUIRE_ERROR(
      ValidateCreate("", "PersistentVolume", policy),
      "spec.persistentVolumeReclaimPolicy: Unsupported value: \"Keep\": supported values: "
      "\"Delete\", \"Recycle\", \"Retain\"");
}

TEST_CASE("Node taints and podCIDR updates, Endpoints and Events") {
  json node = {{"metadata", {{"name", "edge-1"}, {"resourceVersion", "1"}}},
               {"spec",
                {{"podCIDR", "10.42.0.0/24"},
                 {"podCIDRs", {"10.42.0.0/24"}},
                 {"taints", {{{"key", "k"}, {"effect", "Sometimes"}}}}}}};
  REQUIRE_ERROR(ValidateCreate("", "Node", node),
                "spec.taints[0].effect: Unsupported value: \"Sometimes\": supported values: "
                "\"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"");
  node["spec"]["taints"][0]["effect"] = "NoSchedule";
  REQUIRE_NO_ERRORS(ValidateCreate("", "Node", node));
  json moved = node;
  moved["spec"]["podCIDRs"] = {"10.42.1.0/24"};
  moved["spec"]["podCIDR"] = "10.42.1.0/24";
  REQUIRE_ERROR(
      ValidateUpdate("", "Node", moved, node),
      "spec.podCIDRs: Forbidden: node updates may not change podCIDR except from \"\" to valid");

  json ep = {
      {"metadata", Meta("web")},
      {"subsets", {{{"addresses", {{{"ip", "10.42.0.300"}}}}, {"ports", {{{"port", 80}}}}}}}};
  ApplyDefaults("", "Endpoints", ep);
  CHECK(ep["subsets"][0]["ports"][0]["protocol"] == "TCP");
  REQUIRE_ERROR(ValidateCreate("", "Endpoints", ep),
                "subsets[0].addresses[0].ip: Invalid value: \"10.42.0.300\": must be a valid IP "
                "address, (e.g. 10.9.8.7 or 2001:db8::ffff)");

  json ev = {{"metadata", Meta("web.123")},
             {"involvedObject", {{"kind", "Pod"}, {"namespace", "other"}}}};
  REQUIRE_ERROR(
      ValidateCreate("", "Event", ev),
      "involvedObject.namespace: Invalid value: \"other\": does not match event.namespace");
  ev["involvedObject"]["namespace"] = "default";
  REQUIRE_NO_ERRORS(ValidateCreate("", "Event", ev));
}
