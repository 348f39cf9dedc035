// Ownership recorded for ordinary writes (create, update, patch, subresources) and the helpers
// the API layer uses to name managers and validate managedFields.
#include <catch2/catch.hpp>

#include "skiff/apis/managed_fields.h"
#include "ssa_test_util.h"

namespace skiff::apis {
namespace {

using nlohmann::json;
using testing::At;
using testing::DeploymentType;

// `kubectl create deployment nginx --image=nginx` after defaulting.
json CreatedNginx() {
  return json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "nginx", "namespace": "default", "labels": {"app": "nginx"}},
    "spec": {
      "progressDeadlineSeconds": 600, "replicas": 1, "revisionHistoryLimit": 10,
      "selector": {"matchLabels": {"app": "nginx"}},
      "strategy": {"type": "RollingUpdate",
                   "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
      "template": {
        "metadata": {"creationTimestamp": null, "labels": {"app": "nginx"}},
        "spec": {
          "containers": [{"name": "nginx", "image": "nginx", "imagePullPolicy": "Always",
                          "resources": {}, "terminationMessagePath": "/dev/termination-log",
                          "terminationMessagePolicy": "File"}],
          "dnsPolicy": "ClusterFirst", "restartPolicy": "Always",
          "schedulerName": "default-scheduler", "securityContext": {},
          "terminationGracePeriodSeconds": 30}}}})");
}

// What kube-apiserver 1.32 records for that create (manager kubectl-create): a node that did
// not exist in Go's zero value (a labels map, a pointer struct, a list item) is itself a
// member; always-present structs (spec, strategy, template) are not.
const char* kCreateFields = R"({
  "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
  "f:spec": {
    "f:progressDeadlineSeconds": {}, "f:replicas": {}, "f:revisionHistoryLimit": {},
    "f:selector": {},
    "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}},
                   "f:type": {}},
    "f:template": {
      "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
      "f:spec": {
        "f:containers": {"k:{\"name\":\"nginx\"}": {
          ".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {}, "f:resources": {},
          "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {}}},
        "f:dnsPolicy": {}, "f:restartPolicy": {}, "f:schedulerName": {},
        "f:securityContext": {}, "f:terminationGracePeriodSeconds": {}}}}})";

json Created() {
  json obj = CreatedNginx();
  TrackUpdate(obj, nullptr, DeploymentType(), "kubectl-create", At(0));
  obj["metadata"]["uid"] = "0b5c2f56-3c1d-4a43-9b59-2d1c0a6e7f10";
  obj["metadata"]["resourceVersion"] = "101";
  return obj;
}

TEST_CASE("a create is owned by its manager with operation Update") {
  json obj = Created();
  REQUIRE(obj["metadata"]["managedFields"].size() == 1);
  CHECK(obj["metadata"]["managedFields"][0] == json{{"manager", "kubectl-create"},
                                                    {"operation", "Update"},
                                                    {"apiVersion", "apps/v1"},
                                                    {"time", "2024-05-01T10:00:00Z"},
                                                    {"fieldsType", "FieldsV1"},
                                                    {"fieldsV1", json::parse(kCreateFields)}});
  // The never-tracked fields (name, namespace, uid, ...) are in no set.
  auto set = FieldSet::FromFieldsV1(obj["metadata"]["managedFields"][0]["fieldsV1"]);
  REQUIRE(set.ok());
  CHECK_FALSE(set->Has({PathElement::Field("metadata"), PathElement::Field("name")}));
  CHECK_FALSE(set->Has({PathElement::Field("apiVersion")}));
}

TEST_CASE("an update moves the changed fields to its manager") {
  json old = Created();
  json next = old;
  next["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27";
  TrackUpdate(next, old, DeploymentType(), "kubectl-set", At(3));
  json mf = next["metadata"]["managedFields"];
  REQUIRE(mf.size() == 2);
  CHECK(mf[0]["manager"] == "kubectl-create");
  CHECK(mf[0]["time"] == "2024-05-01T10:00:00Z");
  CHECK_FALSE(
      mf[0]["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"nginx\"}"]
          .contains("f:image"));
  CHECK(mf[1] == json{{"manager", "kubectl-set"},
                      {"operation", "Update"},
                      {"apiVersion", "apps/v1"},
                      {"time", "2024-05-01T10:03:00Z"},
                      {"fieldsType", "FieldsV1"},
                      {"fieldsV1", json::parse(R"({"f:spec":{"f:template":{"f:spec":{
                          "f:containers":{"k:{\"name\":\"nginx\"}":{"f:image":{}}}}}}})")}});

  // A field that disappears leaves every set; a second change by the same manager joins its
  // entry and refreshes its time.
  json later = next;
  later["spec"]["template"]["spec"].erase("securityContext");
  later["spec"]["paused"] = true;
  TrackUpdate(later, next, DeploymentType(), "kubectl-set", At(4));
  mf = later["metadata"]["managedFields"];
  REQUIRE(mf.size() == 2);
  CHECK_FALSE(mf[0]["fieldsV1"]["f:spec"]["f:template"]["f:spec"].contains("f:securityContext"));
  CHECK(mf[1]["time"] == "2024-05-01T10:04:00Z");
  CHECK(mf[1]["fieldsV1"]["f:spec"].contains("f:paused"));
  CHECK(mf[1]["fieldsV1"]["f:spec"].contains("f:template"));
}

TEST_CASE("an update that changes nothing keeps managedFields and times") {
  json old = Created();
  json same = old;
  TrackUpdate(same, old, DeploymentType(), "kubectl-edit", At(9));
  CHECK(same == old);
  // Changing only never-tracked metadata does not touch the entries either.
  json relabel = old;
  relabel["metadata"]["resourceVersion"] = "102";
  TrackUpdate(relabel, old, DeploymentType(), "kubectl-edit", At(9));
  CHECK(relabel["metadata"]["managedFields"] == old["metadata"]["managedFields"]);
}

TEST_CASE("managedFields set explicitly by the client are honoured") {
  json old = Created();
  SECTION("an empty list or [{}] stops tracking") {
    for (json reset : {json::array(), json::parse("[{}]")}) {
      json next = old;
      next["metadata"]["managedFields"] = reset;
      next["spec"]["replicas"] = 2;
      TrackUpdate(next, old, DeploymentType(), "kubectl-edit", At(1));
      CHECK_FALSE(next["metadata"].contains("managedFields"));
      CHECK(next["spec"]["replicas"] == 2);
      // The object stays untracked by later updates.
      json later = next;
      later["spec"]["replicas"] = 3;
      TrackUpdate(later, next, DeploymentType(), "kubectl-scale", At(2));
      CHECK_FALSE(later["metadata"].contains("managedFields"));
    }
  }
  SECTION("a new list replaces the stored one (kubectl's client-side apply upgrade)") {
    json next = old;
    json entry = old["metadata"]["managedFields"][0];
    entry["manager"] = "kubectl";
    entry["operation"] = "Apply";
    next["metadata"]["managedFields"] = json::array({entry});
    TrackUpdate(next, old, DeploymentType(), "kubectl-client-side-apply", At(1));
    CHECK(next["metadata"]["managedFields"] == json::array({entry}));
  }
  SECTION("entry times are stored as metav1.Time writes them") {
    json next = old;
    json entry = old["metadata"]["managedFields"][0];
    entry["time"] = "2024-05-01T12:00:00+02:00";  // as some clients serialize datetimes
    next["metadata"]["managedFields"] = json::array({entry});
    TrackUpdate(next, old, DeploymentType(), "kubectl-replace", At(1));
    CHECK(next["metadata"]["managedFields"][0]["time"] == "2024-05-01T10:00:00Z");
  }
  SECTION("absent or null keeps the stored list") {
    json next = old;
    next["metadata"]["managedFields"] = nullptr;
    TrackUpdate(next, old, DeploymentType(), "kubectl-edit", At(1));
    CHECK(next == old);
  }
  SECTION("through a subresource the request's list is ignored") {
    json next = old;
    next["metadata"]["managedFields"] = json::array();
    next["status"] = {{"replicas", 1}, {"observedGeneration", 1}};
    FieldManagerOptions status;
    status.subresource = "status";
    status.reset_fields = *FieldSet::FromFieldsV1(json::parse(R"({"f:spec":{}})"));
    TrackUpdate(next, old, DeploymentType(), "kube-controller-manager", At(2), status);
    json mf = next["metadata"]["managedFields"];
    REQUIRE(mf.size() == 2);
    CHECK(mf[1] ==
          json{{"manager", "kube-controller-manager"},
               {"operation", "Update"},
               {"apiVersion", "apps/v1"},
               {"time", "2024-05-01T10:02:00Z"},
               {"fieldsType", "FieldsV1"},
               {"fieldsV1",
                json::parse(R"({"f:status":{"f:observedGeneration":{},"f:replicas":{}}})")},
               {"subresource", "status"}});
  }
}

TEST_CASE("an existing object without managedFields stays untracked, a new one is tracked") {
  json old = testing::Stored(testing::WebDeployment());
  json next = old;
  next["spec"]["replicas"] = 4;
  TrackUpdate(next, old, DeploymentType(), "kubectl-edit", At(1));
  CHECK_FALSE(next["metadata"].contains("managedFields"));

  json cm = {{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata", {{"name", "settings"}}},
             {"data", {{"mode", "edge"}}}};
  TrackUpdate(cm, nullptr, testing::ConfigMapType(), "OpenAPI-Generator", At(1));
  CHECK(cm["metadata"]["managedFields"] ==
        json::parse(R"([{"manager":"OpenAPI-Generator","operation":"Update","apiVersion":"v1",
                        "time":"2024-05-01T10:01:00Z","fieldsType":"FieldsV1",
                        "fieldsV1":{"f:data":{".":{},"f:mode":{}}}}])"));
}

TEST_CASE("more than ten Update entries fold the oldest into ancient-changes") {
  json obj = Created();  // kubectl-create at 10:00
  for (int i = 1; i <= 10; ++i) {
    json next = obj;
    next["metadata"]["labels"]["k" + std::to_string(i)] = "v";
    TrackUpdate(next, obj, DeploymentType(), "manager-" + std::to_string(100 + i), At(i));
    obj = next;
  }
  json mf = obj["metadata"]["managedFields"];
  REQUIRE(mf.size() == 10);
  // Sorted by time: the bucket carries the newer time of the two it absorbed.
  CHECK(mf[0]["manager"] == "ancient-changes");
  CHECK(mf[0]["time"] == "2024-05-01T10:01:00Z");
  CHECK(mf[0]["fieldsV1"]["f:metadata"]["f:labels"].contains("f:k1"));
  CHECK(mf[0]["fieldsV1"]["f:spec"].contains("f:replicas"));
  CHECK(mf[1]["manager"] == "manager-102");
  CHECK(mf[9]["manager"] == "manager-110");
}

TEST_CASE("the manager name comes from fieldManager or the User-Agent") {
  CHECK(FieldManagerName("", "kubectl/v1.32.2 (linux/amd64) kubernetes/67a30c0") == "kubectl");
  CHECK(FieldManagerName("kubectl-edit", "kubectl/v1.32.2 (linux/amd64)") == "kubectl-edit");
  CHECK(FieldManagerName("", "OpenAPI-Generator/22.6.0/python") == "OpenAPI-Generator");
  CHECK(FieldManagerName("", "curl/8.1.2") == "curl");
  CHECK(FieldManagerName("", "my\tagent\x01") == "myagent");
  CHECK(FieldManagerName("", std::string(200, 'a')) == std::string(128, 'a'));
  CHECK(FieldManagerName("", "") == "");
}

TEST_CASE("field managers and managedFields are validated") {
  CHECK(ValidateFieldManager("kubectl", "fieldManager").empty());
  FieldErrors errs = ValidateFieldManager(std::string(129, 'x'), "fieldManager");
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].reason == "FieldValueTooLong");
  errs = ValidateFieldManager("bad\x07", "fieldManager");
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].Message() ==
        "fieldManager: Invalid value: \"bad\\u0007\": invalid character U+0007 (at position 3)");

  json mf = json::parse(R"([
    {"manager": "ok", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1"},
    {"manager": "x", "operation": "Patch", "fieldsType": "FieldsV2"}])");
  errs = ValidateManagedFields(mf, "metadata.managedFields");
  REQUIRE(errs.size() == 2);
  CHECK(errs[0].Message() ==
        "metadata.managedFields[1].operation: Invalid value: \"Patch\": must be `Apply` or "
        "`Update`");
  CHECK(errs[1].Message() ==
        "metadata.managedFields[1].fieldsType: Invalid value: \"FieldsV2\": must be `FieldsV1`");
}

}  // namespace
}  // namespace skiff::apis
