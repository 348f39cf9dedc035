// Kinds outside core, apps and batch: RBAC, storage, networking, policy, scheduling, autoscaling,
// coordination, discovery, events.
#include <catch2/catch.hpp>

#include "test_util.h"

using namespace skiff::apis;
using nlohmann::json;

namespace {
json Meta(const char* name = "x") {
  return {{"name", name}, {"namespace", "default"}, {"resourceVersion", "1"}};
}
json ClusterMeta(const char* name = "x") { return {{"name", name}, {"resourceVersion", "1"}}; }
}  // namespace

TEST_CASE("RBAC rules, role refs, subjects and roleRef immutability") {
  json role = {{"metadata", Meta()}, {"rules", {{{"apiGroups", {""}}, {"resources", {"pods"}}}}}};
  REQUIRE_ERROR(ValidateCreate("rbac.authorization.k8s.io", "Role", role),
                "rules[0].verbs: Required value: verbs must contain at least one value");
  json urls = {{"metadata", Meta()},
               {"rules", {{{"verbs", {"get"}}, {"nonResourceURLs", {"/healthz"}}}}}};
  REQUIRE_ERROR(ValidateCreate("rbac.authorization.k8s.io", "Role", urls),
                "rules[0].nonResourceURLs: Invalid value: [\"/healthz\"]: namespaced rules cannot "
                "apply to non-resource URLs");
  urls["metadata"].erase("namespace");
  REQUIRE_NO_ERRORS(ValidateCreate("rbac.authorization.k8s.io", "ClusterRole", urls));

  json rb = {{"metadata", Meta()},
             {"roleRef", {{"kind", "Group"}, {"name", "r"}}},
             {"subjects", {{{"kind", "Robot"}, {"name", "r2"}}}}};
  ApplyDefaults("rbac.authorization.k8s.io", "RoleBinding", rb);
  auto errs = ValidateCreate("rbac.authorization.k8s.io", "RoleBinding", rb);
  REQUIRE_ERROR(errs,
                "roleRef.kind: Unsupported value: \"Group\": supported values: \"Role\", "
                "\"ClusterRole\"");
  REQUIRE_ERROR(errs,
                "subjects[0].kind: Unsupported value: \"Robot\": supported values: "
                "\"ServiceAccount\", \"User\", \"Group\"");
  json good = {
      {"metadata", Meta()},
      {"roleRef", {{"kind", "ClusterRole"}, {"name", "view"}}},
      {"subjects", {{{"kind", "ServiceAccount"}, {"name", "default"}, {"namespace", "default"}}}}};
  ApplyDefaults("rbac.authorization.k8s.io", "RoleBinding", good);
  REQUIRE_NO_ERRORS(ValidateCreate("rbac.authorization.k8s.io", "RoleBinding", good));
  json changed = good;
  changed["roleRef"]["name"] = "edit";
  auto upd = ValidateUpdate("rbac.authorization.k8s.io", "RoleBinding", changed, good);
  REQUIRE(testing::MessagesFor(upd, "roleRef").size() == 1);
  CHECK(upd[0].detail == "cannot change roleRef");
}

TEST_CASE("StorageClass rules and immutable fields") {
  json sc = {{"metadata", ClusterMeta("local")}, {"provisioner", "rancher.io/local-path"}};
  ApplyDefaults("storage.k8s.io", "StorageClass", sc);
  REQUIRE_NO_ERRORS(ValidateCreate("storage.k8s.io", "StorageClass", sc));
  json bad = sc;
  bad["volumeBindingMode"] = "Later";
  REQUIRE_ERROR(ValidateCreate("storage.k8s.io", "StorageClass", bad),
                "volumeBindingMode: Unsupported value: \"Later\": supported values: \"Immediate\", "
                "\"WaitForFirstConsumer\"");
  json no_prov = sc;
  no_prov.erase("provisioner");
  REQUIRE_ERROR(ValidateCreate("storage.k8s.io", "StorageClass", no_prov),
                "provisioner: Required value");
  json changed = sc;
  changed["parameters"] = {{"a", "b"}};
  changed["reclaimPolicy"] = "Retain";
  auto errs = ValidateUpdate("storage.k8s.io", "StorageClass", changed, sc);
  REQUIRE_ERROR(errs, "parameters: Forbidden: updates to parameters are forbidden.");
  REQUIRE_ERROR(errs, "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.");
}

TEST_CASE("Ingress, NetworkPolicy and EndpointSlice rules") {
  json ing = {{"metadata", Meta()}, {"spec", json::object()}};
  REQUIRE_ERROR(ValidateCreate("networking.k8s.io", "Ingress", ing),
                "spec: Invalid value: []: either `defaultBackend` or `rules` must be specified");
  ing["spec"] = json::parse(R"({"rules": [{"host": "*.example.com", "http": {"paths": [
      {"path": "api", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"number": 80}}}},
      {"path": "/", "backend": {"service": {"name": "web"}}}]}}]})");
  auto errs = ValidateCreate("networking.k8s.io", "Ingress", ing);
  REQUIRE_ERROR(
      errs, "spec.rules[0].http.paths[0].path: Invalid value: \"api\": must be an absolute path");
  REQUIRE_ERROR(errs,
                "spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified");
  REQUIRE_ERROR(errs,
                "spec.rules[0].http.paths[1].backend.service.port: Required value: port name "
                "or number is required");

  json np = {{"metadata", Meta()},
             {"spec",
              {{"podSelector", json::object()},
               {"ingress", {{{"from", {{{"ipBlock", {{"cidr", "10.0.0.0"}}}}}}}}}}}};
  ApplyDefaults("networking.k8s.io", "NetworkPolicy", np);
  REQUIRE_ERROR(ValidateCreate("networking.k8s.io", "NetworkPolicy", np),
                "spec.ingress[0].from[0].ipBlock.cidr: Invalid value: \"10.0.0.0\": must be a "
                "valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");

  json slice = {{"metadata", Meta()},
                {"addressType", "IPv4"},
                {"endpoints", {{{"addresses", {"2001:db8::1"}}}}},
                {"ports", {{{"port", 80}}}}};
  ApplyDefaults("discovery.k8s.io", "EndpointSlice", slice);
  REQUIRE_ERROR(
      ValidateCreate("discovery.k8s.io", "EndpointSlice", slice),
      "endpoints[0].addresses[0]: Invalid value: \"2001:db8::1\": must be an IPv4 address");
  slice["addressType"] = "IPX";
  REQUIRE_ERROR(
      ValidateCreate("discovery.k8s.io", "EndpointSlice", slice),
      "addressType: Unsupported value: \"IPX\": supported values: \"FQDN\", \"IPv4\", \"IPv6\"");
}

TEST_CASE("PDB, PriorityClass, HPA, Lease and events.k8s.io Event rules") {
  json pdb = {{"metadata", Meta()}, {"spec", {{"minAvailable", 1}, {"maxUnavailable", "50%"}}}};
  auto errs = ValidateCreate("policy", "PodDisruptionBudget", pdb);
  REQUIRE(testing::MessagesFor(errs, "spec").size() == 1);
  CHECK(testing::MessagesFor(errs, "spec")[0].find(
            "minAvailable and maxUnavailable cannot be both set") != std::string::npos);

  json pc = {{"metadata", ClusterMeta("high")}, {"value", 2000000000}};
  ApplyDefaults("scheduling.k8s.io", "PriorityClass", pc);
  REQUIRE_ERROR(ValidateCreate("scheduling.k8s.io", "PriorityClass", pc),
                "value: Forbidden: maximum allowed value of a user defined priority is 1000000000");
  json sys = {{"metadata", ClusterMeta("system-mine")}, {"value", 10}};
  REQUIRE(testing::HasField(ValidateCreate("scheduling.k8s.io", "PriorityClass", sys),
                            "metadata.name"));
  json ok = {{"metadata", ClusterMeta("high")}, {"value", 1000}};
  json raised = ok;
  raised["value"] = 2000;
  REQUIRE_ERROR(ValidateUpdate("scheduling.k8s.io", "PriorityClass", raised, ok),
                "value: Forbidden: may not be changed in an update.");

  json hpa = {
      {"apiVersion", "autoscaling/v2"},
      {"metadata", Meta()},
      {"spec",
       {{"minReplicas", 3}, {"maxReplicas", 2}, {"scaleTargetRef", {{"kind", "Deployment"}}}}}};
  ApplyDefaults("autoscaling", "HorizontalPodAutoscaler", hpa);
  errs = ValidateCreate("autoscaling", "HorizontalPodAutoscaler", hpa);
  REQUIRE_ERROR(
      errs, "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`");
  REQUIRE_ERROR(errs, "spec.scaleTargetRef.name: Required value");

  json lease = {{"metadata", Meta()}, {"spec", {{"leaseDurationSeconds", 0}}}};
  REQUIRE_ERROR(ValidateCreate("coordination.k8s.io", "Lease", lease),
                "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0");

  // events.k8s.io Events are validated in the stored (core) shape. Without an eventTime only
  // the legacy namespace rule applies besides the strict eventTime requirement.
  json ev = {{"metadata", Meta()}, {"type", "Normal"}};
  errs = ValidateCreate("events.k8s.io", "Event", ev);
  REQUIRE_ERROR(errs, "eventTime: Required value");
  CHECK(errs.size() == 1);
  ev["eventTime"] = "2024-01-02T03:04:05.000000Z";
  errs = ValidateCreate("events.k8s.io", "Event", ev);
  REQUIRE_ERROR(errs, "reportingController: Required value");
  REQUIRE_ERROR(errs, "reportingInstance: Required value");
  REQUIRE_ERROR(errs, "action: Required value");
  REQUIRE_ERROR(errs, "reason: Required value");
}

TEST_CASE("events.k8s.io Event: the strict rules of a write through events.k8s.io/v1") {
  json ev = {{"metadata", Meta()},
             {"involvedObject", {{"kind", "Pod"}, {"name", "web"}, {"namespace", "default"}}},
             {"eventTime", "2024-01-02T03:04:05.000000Z"},
             {"reportingComponent", "skiff.io/controller"},
             {"reportingInstance", "edge-1"},
             {"action", "Sync"},
             {"reason", "Synced"},
             {"type", "Normal"},
             {"message", "ok"}};
  REQUIRE_NO_ERRORS(ValidateCreate("events.k8s.io", "Event", ev));
  // The same object is a valid core Event too.
  REQUIRE_NO_ERRORS(ValidateCreate("", "Event", ev));

  json bad = ev;
  bad["type"] = "Info";
  bad["count"] = 2;
  bad["firstTimestamp"] = "2024-01-02T03:04:05Z";
  bad["source"] = {{"component", "kubelet"}};
  bad["series"] = {{"count", 1}};
  bad["reportingComponent"] = "not a name!";
  bad["message"] = std::string(1025, 'x');
  auto errs = ValidateCreate("events.k8s.io", "Event", bad);
  REQUIRE_ERROR(errs, "type: Invalid value: \"\": has invalid value: Info");
  REQUIRE_ERROR(errs, "count: Invalid value: \"\": needs to be unset");
  REQUIRE_ERROR(errs, "firstTimestamp: Invalid value: \"\": needs to be unset");
  REQUIRE_ERROR(errs, "source: Invalid value: \"\": needs to be unset");
  REQUIRE_ERROR(errs, "series.count: Invalid value: \"\": should be at least 2");
  REQUIRE_ERROR(errs, "series.lastObservedTime: Required value");
  REQUIRE_ERROR(errs, "message: Invalid value: \"\": can have at most 1024 characters");
  REQUIRE(testing::HasField(errs, "reportingController"));
  // A core client may set all of these.
  bad["type"] = "Normal";
  bad["reportingComponent"] = "kubelet";
  bad.erase("series");
  bad["message"] = "short";
  REQUIRE_NO_ERRORS(ValidateCreate("", "Event", bad));

  json other_ns = ev;
  other_ns["involvedObject"].erase("namespace");
  other_ns["metadata"]["namespace"] = "apps";
  REQUIRE_ERROR(ValidateCreate("events.k8s.io", "Event", other_ns),
                "involvedObject.namespace: Invalid value: \"\": does not match event.namespace");

  // On update everything but the series is immutable.
  json changed = ev;
  changed["message"] = "changed";
  changed["reportingComponent"] = "skiff.io/other";
  changed["series"] = {{"count", 2}, {"lastObservedTime", "2024-01-02T03:05:05.000000Z"}};
  errs = ValidateUpdate("events.k8s.io", "Event", changed, ev);
  REQUIRE_ERROR(errs, "message: Invalid value: \"changed\": field is immutable");
  REQUIRE_ERROR(errs, "reportingController: Invalid value: \"skiff.io/other\": field is immutable");
  CHECK(errs.size() == 2);
  json series_only = ev;
  series_only["series"] = changed["series"];
  REQUIRE_NO_ERRORS(ValidateUpdate("events.k8s.io", "Event", series_only, ev));
}
