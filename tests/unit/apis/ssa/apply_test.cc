// Server-side apply flows on the built-in Deployment schema, as kubectl and controllers drive
// them against kube-apiserver 1.32.
#include <catch2/catch.hpp>

#include "skiff/apis/managed_fields.h"
#include "ssa_test_util.h"

namespace skiff::apis {
namespace {

using nlohmann::json;
using testing::At;
using testing::DeploymentType;
using testing::Stored;
using testing::WebDeployment;

// The managedFields entry of (manager, operation), or null.
json EntryOf(const json& obj, const std::string& manager, const std::string& operation) {
  for (const json& e : obj["metadata"]["managedFields"]) {
    if (e.value("manager", "") == manager && e.value("operation", "") == operation) return e;
  }
  return nullptr;
}

// What kube-apiserver records for `kubectl apply --server-side` of WebDeployment(), written by
// hand from the fieldsV1 encoding: struct fields only through their leaves, the atomic
// LabelSelector as one leaf, list items keyed (ports with the defaulted protocol) and marked
// with ".".
const char* kWebApplyFields =
    R"({"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},)"
    R"("f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{)"
    R"("k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{)"
    R"("k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}})";

json ApplyOk(const json& live, const json& config, const std::string& manager, int minute,
             bool force = false, const FieldManagerOptions& opts = {}) {
  auto r = Apply(live, config, DeploymentType(), manager, force, At(minute), opts);
  REQUIRE(r.ok());
  REQUIRE(r->conflicts.empty());
  return r->object;
}

TEST_CASE("first apply creates the object with one Apply entry for kubectl") {
  auto r = Apply(nullptr, WebDeployment(), DeploymentType(), "kubectl", false, At(0));
  REQUIRE(r.ok());
  REQUIRE(r->conflicts.empty());
  json obj = r->object;
  json mf = obj["metadata"]["managedFields"];
  obj["metadata"].erase("managedFields");
  CHECK(obj == WebDeployment());
  REQUIRE(mf.size() == 1);
  CHECK(mf[0] == json{{"manager", "kubectl"},
                      {"operation", "Apply"},
                      {"apiVersion", "apps/v1"},
                      {"time", "2024-05-01T10:00:00Z"},
                      {"fieldsType", "FieldsV1"},
                      {"fieldsV1", json::parse(kWebApplyFields)}});
  // Byte for byte what kube-apiserver writes.
  auto set = FieldSet::FromFieldsV1(mf[0]["fieldsV1"]);
  REQUIRE(set.ok());
  CHECK(set->ToFieldsV1String() == kWebApplyFields);
}

TEST_CASE("re-applying a changed image updates the object and keeps ownership") {
  json live = Stored(ApplyOk(nullptr, WebDeployment(), "kubectl", 0));
  json next = ApplyOk(live, WebDeployment("nginx:1.26"), "kubectl", 5);
  CHECK(next["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.26");
  CHECK(next["metadata"]["uid"] == live["metadata"]["uid"]);
  CHECK(next["metadata"]["namespace"] == "default");
  json e = EntryOf(next, "kubectl", "Apply");
  CHECK(e["fieldsV1"] == json::parse(kWebApplyFields));
  CHECK(e["time"] == "2024-05-01T10:05:00Z");
  CHECK(next["metadata"]["managedFields"].size() == 1);
}

TEST_CASE("re-applying the same configuration is a no-op that keeps the timestamp") {
  json live = Stored(ApplyOk(nullptr, WebDeployment(), "kubectl", 0));
  json again = ApplyOk(live, WebDeployment(), "kubectl", 30);
  CHECK(again == live);
  CHECK(EntryOf(again, "kubectl", "Apply")["time"] == "2024-05-01T10:00:00Z");
}

TEST_CASE("removing a container from the applied configuration removes it") {
  json two = WebDeployment();
  two["spec"]["template"]["spec"]["containers"].push_back(
      {{"name", "sidecar"}, {"image", "busybox:1.36"}, {"args", {"sleep", "3600"}}});
  json live = Stored(ApplyOk(nullptr, two, "kubectl", 0));
  REQUIRE(live["spec"]["template"]["spec"]["containers"].size() == 2);
  CHECK(EntryOf(live, "kubectl", "Apply")["fieldsV1"]["f:spec"]["f:template"]["f:spec"]
                                         ["f:containers"]["k:{\"name\":\"sidecar\"}"] ==
        json::parse(R"({".":{},"f:args":{},"f:image":{},"f:name":{}})"));

  json next = ApplyOk(live, WebDeployment(), "kubectl", 1);
  json containers = next["spec"]["template"]["spec"]["containers"];
  REQUIRE(containers.size() == 1);
  CHECK(containers[0]["name"] == "web");
  CHECK(EntryOf(next, "kubectl", "Apply")["fieldsV1"] == json::parse(kWebApplyFields));
}

TEST_CASE("fields nobody applied survive re-applies: defaults and other writers' additions") {
  json live = Stored(ApplyOk(nullptr, WebDeployment(), "kubectl", 0));
  // The API layer defaults what the manifest left out; nobody owns those values.
  live["spec"]["revisionHistoryLimit"] = 10;
  live["spec"]["strategy"] = {{"type", "RollingUpdate"},
                              {"rollingUpdate", {{"maxSurge", "25%"}, {"maxUnavailable", "25%"}}}};
  live["spec"]["template"]["spec"]["containers"][0]["terminationMessagePath"] =
      "/dev/termination-log";
  // `kubectl set env` adds a variable (an Update).
  json edited = live;
  edited["spec"]["template"]["spec"]["containers"][0]["env"] = {
      {{"name", "MODE"}, {"value", "edge"}}};
  TrackUpdate(edited, live, DeploymentType(), "kubectl-set", At(1));

  json next = ApplyOk(edited, WebDeployment("nginx:1.26"), "kubectl", 2);
  json c = next["spec"]["template"]["spec"]["containers"][0];
  CHECK(c["image"] == "nginx:1.26");
  CHECK(c["terminationMessagePath"] == "/dev/termination-log");
  CHECK(c["env"] == json::parse(R"([{"name":"MODE","value":"edge"}])"));
  CHECK(next["spec"]["revisionHistoryLimit"] == 10);
  CHECK(next["spec"]["strategy"] == live["spec"]["strategy"]);
  CHECK(EntryOf(next, "kubectl-set", "Update")["fieldsV1"] ==
        json::parse(
            R"({"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{)"
            R"("f:env":{".":{},"k:{\"name\":\"MODE\"}":{".":{},"f:name":{},"f:value":{}}}}}}}}})"));

  // Dropping replicas from the manifest removes it (only kubectl owned it); the API layer's
  // defaulting then sets it again.
  json config = WebDeployment("nginx:1.26");
  config["spec"].erase("replicas");
  json dropped = ApplyOk(Stored(next), config, "kubectl", 3);
  CHECK_FALSE(dropped["spec"].contains("replicas"));
  CHECK(dropped["spec"]["revisionHistoryLimit"] == 10);
}

TEST_CASE("a field another manager set conflicts, force moves it") {
  // kubectl apply (client-side) created the object with 3 replicas.
  json created = WebDeployment("nginx:1.25", 3);
  TrackUpdate(created, nullptr, DeploymentType(), "kubectl-client-side-apply", At(0));
  json live = Stored(created);

  auto r = Apply(live, WebDeployment(), DeploymentType(), "ci-deployer", false, At(1));
  REQUIRE(r.ok());
  CHECK(r->object.is_null());
  REQUIRE(r->conflicts.size() == 1);
  CHECK(r->conflicts[0].manager == "kubectl-client-side-apply");
  CHECK(r->conflicts[0].field == ".spec.replicas");
  CHECK(r->conflicts[0].message == "conflict with \"kubectl-client-side-apply\" using apps/v1");
  CHECK(r->conflict_message ==
        "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using "
        "apps/v1: .spec.replicas");
  CHECK(ConflictStatus(*r) == json::parse(R"({
    "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
    "message": "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas",
    "reason": "Conflict",
    "details": {"causes": [{"reason": "FieldManagerConflict",
                            "message": "conflict with \"kubectl-client-side-apply\" using apps/v1",
                            "field": ".spec.replicas"}]},
    "code": 409})"));

  json forced = ApplyOk(live, WebDeployment(), "ci-deployer", 2, /*force=*/true);
  CHECK(forced["spec"]["replicas"] == 2);
  json mf = forced["metadata"]["managedFields"];
  REQUIRE(mf.size() == 2);
  CHECK(mf[0]["manager"] == "ci-deployer");  // Apply entries sort first
  CHECK(mf[0]["fieldsV1"] == json::parse(kWebApplyFields));
  CHECK(mf[1]["manager"] == "kubectl-client-side-apply");
  CHECK(mf[1]["operation"] == "Update");
  CHECK(mf[1]["time"] == "2024-05-01T10:00:00Z");
  CHECK_FALSE(mf[1]["fieldsV1"]["f:spec"].contains("f:replicas"));
  CHECK(mf[1]["fieldsV1"]["f:spec"].contains("f:selector"));  // same value: still shared
}

TEST_CASE("a scale through the scale subresource conflicts with the applier") {
  json live = Stored(ApplyOk(nullptr, WebDeployment(), "kubectl", 0));
  json scaled = live;
  scaled["spec"]["replicas"] = 5;
  FieldManagerOptions scale;
  scale.subresource = "scale";
  TrackUpdate(scaled, live, DeploymentType(), "kubectl", At(1), scale);
  json e = EntryOf(scaled, "kubectl", "Update");
  CHECK(e == json{{"manager", "kubectl"},
                  {"operation", "Update"},
                  {"apiVersion", "apps/v1"},
                  {"time", "2024-05-01T10:01:00Z"},
                  {"fieldsType", "FieldsV1"},
                  {"fieldsV1", {{"f:spec", {{"f:replicas", json::object()}}}}},
                  {"subresource", "scale"}});
  CHECK_FALSE(EntryOf(scaled, "kubectl", "Apply")["fieldsV1"]["f:spec"].contains("f:replicas"));

  auto r = Apply(scaled, WebDeployment(), DeploymentType(), "kubectl", false, At(2));
  REQUIRE(r.ok());
  CHECK(r->conflict_message ==
        "Apply failed with 1 conflict: conflict with \"kubectl\" with subresource \"scale\" "
        "using apps/v1: .spec.replicas");

  // Leaving replicas out of the configuration avoids the conflict and keeps the scale.
  json config = WebDeployment();
  config["spec"].erase("replicas");
  json next = ApplyOk(scaled, config, "kubectl", 3);
  CHECK(next["spec"]["replicas"] == 5);
}

TEST_CASE("two appliers share a field they apply with the same value") {
  json live = Stored(ApplyOk(nullptr, WebDeployment(), "team-a", 0));
  json b_config = {{"apiVersion", "apps/v1"},
                   {"kind", "Deployment"},
                   {"metadata", {{"name", "web"}}},
                   {"spec", {{"replicas", 2}}}};
  json shared = Stored(ApplyOk(live, b_config, "team-b", 1));
  json b = EntryOf(shared, "team-b", "Apply");
  CHECK(b["fieldsV1"] == json::parse(R"({"f:spec":{"f:replicas":{}}})"));
  // The object did not change, so kube-apiserver records no time for the new entry.
  CHECK_FALSE(b.contains("time"));
  CHECK(EntryOf(shared, "team-a", "Apply")["fieldsV1"] == json::parse(kWebApplyFields));

  // Now neither may change it alone.
  auto r = Apply(shared, WebDeployment("nginx:1.25", 3), DeploymentType(), "team-a", false, At(2));
  REQUIRE(r.ok());
  CHECK(r->conflict_message ==
        "Apply failed with 1 conflict: conflict with \"team-b\": .spec.replicas");
  CHECK(r->conflicts[0].message == "conflict with \"team-b\"");

  // team-b gives the field up: its entry goes away, the value stays (team-a owns it).
  json released = ApplyOk(
      shared, {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"metadata", {{"name", "web"}}}},
      "team-b", 3);
  CHECK(released["spec"]["replicas"] == 2);
  CHECK(EntryOf(released, "team-b", "Apply").is_null());
  CHECK(released["metadata"]["managedFields"].size() == 1);
}

TEST_CASE("labels are owned per key") {
  json live = Stored(ApplyOk(nullptr, WebDeployment(), "team-a", 0));
  json tier = {{"apiVersion", "apps/v1"},
               {"kind", "Deployment"},
               {"metadata", {{"name", "web"}, {"labels", {{"tier", "frontend"}}}}}};
  json both = Stored(ApplyOk(live, tier, "team-b", 1));
  CHECK(both["metadata"]["labels"] == json{{"app", "web"}, {"tier", "frontend"}});
  CHECK(EntryOf(both, "team-b", "Apply")["fieldsV1"] ==
        json::parse(R"({"f:metadata":{"f:labels":{"f:tier":{}}}})"));
  CHECK(EntryOf(both, "team-b", "Apply")["time"] == "2024-05-01T10:01:00Z");

  // team-a drops its label: only that key goes.
  json config = WebDeployment();
  config["metadata"].erase("labels");
  json next = ApplyOk(both, config, "team-a", 2);
  CHECK(next["metadata"]["labels"] == json{{"tier", "frontend"}});
  CHECK_FALSE(EntryOf(next, "team-a", "Apply")["fieldsV1"].contains("f:metadata"));
}

TEST_CASE("kubectl upgrades from client-side apply without conflicts on its own fields") {
  json config = WebDeployment();
  json created = config;
  created["metadata"]["annotations"] = {
      {"kubectl.kubernetes.io/last-applied-configuration", config.dump() + "\n"}};
  TrackUpdate(created, nullptr, DeploymentType(), "kubectl-client-side-apply", At(0));
  json live = Stored(created);

  // replicas is the client-side apply manager's, but the annotation says kubectl applied it.
  json next = ApplyOk(live, WebDeployment("nginx:1.25", 4), "kubectl", 1);
  CHECK(next["spec"]["replicas"] == 4);
  CHECK(next["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] ==
        R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"web"},)"
        R"("name":"web"},"spec":{"replicas":4,"selector":{"matchLabels":{"app":"web"}},)"
        R"("template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":)"
        R"("nginx:1.25","name":"web","ports":[{"containerPort":80}]}]}}}})"
        "\n");
  json csa = EntryOf(next, "kubectl-client-side-apply", "Update");
  CHECK_FALSE(csa["fieldsV1"]["f:spec"].contains("f:replicas"));
  CHECK(csa["fieldsV1"]["f:metadata"]["f:annotations"].contains(
      "f:kubectl.kubernetes.io/last-applied-configuration"));

  // Another manager's later change is still a conflict.
  json edited = live;
  edited["spec"]["replicas"] = 3;
  TrackUpdate(edited, live, DeploymentType(), "kubectl-edit", At(2));
  auto r = Apply(edited, WebDeployment("nginx:1.25", 4), DeploymentType(), "kubectl", false, At(3));
  REQUIRE(r.ok());
  CHECK(
      r->conflict_message ==
      "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using apps/v1: .spec.replicas");
}

TEST_CASE("an object without managedFields is owned by before-first-apply") {
  json live = Stored(WebDeployment("nginx:1.25", 3));  // stored before tracking began
  auto r = Apply(live, WebDeployment(), DeploymentType(), "ci", false, At(1));
  REQUIRE(r.ok());
  CHECK(r->conflict_message ==
        "Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: "
        ".spec.replicas");

  json forced = ApplyOk(live, WebDeployment(), "ci", 2, true);
  json before = EntryOf(forced, "before-first-apply", "Update");
  CHECK(before["apiVersion"] == "apps/v1");
  CHECK(before["time"] == "2024-05-01T10:02:00Z");
  CHECK(before["fieldsV1"]["f:metadata"]["f:labels"] == json::parse(R"({".":{},"f:app":{}})"));
  CHECK_FALSE(before["fieldsV1"]["f:spec"].contains("f:replicas"));
  CHECK(EntryOf(forced, "ci", "Apply")["fieldsV1"] == json::parse(kWebApplyFields));
}

TEST_CASE("several conflicts are listed per manager") {
  json live = Stored(ApplyOk(nullptr, WebDeployment(), "kubectl", 0));
  json scaled = live;
  scaled["spec"]["replicas"] = 5;
  FieldManagerOptions scale;
  scale.subresource = "scale";
  TrackUpdate(scaled, live, DeploymentType(), "kubectl", At(1), scale);
  json edited = scaled;
  edited["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27";
  TrackUpdate(edited, scaled, DeploymentType(), "kubectl-edit", At(2));

  auto r = Apply(edited, WebDeployment(), DeploymentType(), "kubectl", false, At(3));
  REQUIRE(r.ok());
  REQUIRE(r->conflicts.size() == 2);
  CHECK(r->conflicts[1].field == ".spec.template.spec.containers[name=\"web\"].image");
  CHECK(r->conflict_message ==
        "Apply failed with 2 conflicts: conflicts with \"kubectl\" with subresource \"scale\" "
        "using apps/v1:\n- .spec.replicas\nconflicts with \"kubectl-edit\" using apps/v1:\n- "
        ".spec.template.spec.containers[name=\"web\"].image");
}

TEST_CASE("lists merge by their schema: atomic replaced, sets unioned, keyed items ordered") {
  json config = WebDeployment();
  config["metadata"]["finalizers"] = {"example.com/a"};
  config["spec"]["template"]["spec"]["containers"][0]["args"] = {"--a", "--b"};
  json live = Stored(ApplyOk(nullptr, config, "team-a", 0));

  // Another applier's finalizer joins the set; the atomic args list is replaced whole.
  json other = {{"apiVersion", "apps/v1"},
                {"kind", "Deployment"},
                {"metadata", {{"name", "web"}, {"finalizers", {"example.com/b"}}}}};
  json next = Stored(ApplyOk(live, other, "team-b", 1));
  CHECK(next["metadata"]["finalizers"] == json{"example.com/a", "example.com/b"});
  CHECK(EntryOf(next, "team-b", "Apply")["fieldsV1"] ==
        json::parse(R"({"f:metadata":{"f:finalizers":{"v:\"example.com/b\"":{}}}})"));

  config["spec"]["template"]["spec"]["containers"][0]["args"] = {"--c"};
  json replaced = Stored(ApplyOk(next, config, "team-a", 2));
  CHECK(replaced["spec"]["template"]["spec"]["containers"][0]["args"] == json{"--c"});
  CHECK(EntryOf(replaced, "team-a", "Apply")["fieldsV1"]["f:spec"]["f:template"]["f:spec"]
                                            ["f:containers"]["k:{\"name\":\"web\"}"]["f:args"] ==
        json::object());

  // Items the configuration names follow its order; the others keep their place.
  json more = {{"apiVersion", "apps/v1"},
               {"kind", "Deployment"},
               {"metadata", {{"name", "web"}}},
               {"spec",
                {{"template",
                  {{"spec",
                    {{"containers",
                      {{{"name", "log"}, {"image", "fluent-bit:3"}}, {{"name", "web"}}}}}}}}}}};
  json merged = ApplyOk(replaced, more, "team-c", 3);
  json names = json::array();
  for (const json& c : merged["spec"]["template"]["spec"]["containers"]) names.push_back(c["name"]);
  CHECK(names == json{"log", "web"});
  CHECK(merged["spec"]["template"]["spec"]["containers"][1]["image"] == "nginx:1.25");
}

TEST_CASE("a null in the configuration removes the field but keeps it owned") {
  json live = Stored(ApplyOk(nullptr, WebDeployment(), "kubectl", 0));
  json config = WebDeployment();
  config["spec"]["replicas"] = nullptr;
  json next = ApplyOk(live, config, "kubectl", 1);
  CHECK_FALSE(next["spec"].contains("replicas"));
  CHECK(EntryOf(next, "kubectl", "Apply")["fieldsV1"] == json::parse(kWebApplyFields));
}

TEST_CASE("reset fields are never owned by the applier") {
  json config = WebDeployment();
  config["status"] = {{"replicas", 7}};
  FieldManagerOptions opts;
  opts.reset_fields = *FieldSet::FromFieldsV1(json::parse(R"({"f:status":{}})"));
  json obj = ApplyOk(nullptr, config, "kubectl", 0, false, opts);
  CHECK(EntryOf(obj, "kubectl", "Apply")["fieldsV1"] == json::parse(kWebApplyFields));
}

TEST_CASE("apply bodies are validated as kube-apiserver does") {
  const TypeDef& t = DeploymentType();
  json body = WebDeployment();

  auto missing_manager = Apply(nullptr, body, t, "", false, At(0));
  CHECK(missing_manager.status().code() == Code::kInvalidArgument);
  CHECK(missing_manager.status().message() ==
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required "
        "for apply patch");

  json no_kind = body;
  no_kind.erase("kind");
  auto r = Apply(nullptr, no_kind, t, "kubectl", false, At(0));
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK(r.status().message() == "invalid object type: apps/v1, Kind=");

  json no_version = body;
  no_version.erase("apiVersion");
  CHECK(Apply(nullptr, no_version, t, "kubectl", false, At(0)).status().message() ==
        "invalid object type: /, Kind=Deployment");

  json wrong_version = body;
  wrong_version["apiVersion"] = "apps/v1beta2";
  CHECK(Apply(nullptr, wrong_version, t, "kubectl", false, At(0)).status().message() ==
        "invalid object type: apps/v1beta2, Kind=Deployment");

  json with_mf = body;
  with_mf["metadata"]["managedFields"] = json::array();
  CHECK(Apply(nullptr, with_mf, t, "kubectl", false, At(0)).status().message() ==
        "metadata.managedFields must be nil");
  with_mf["metadata"]["managedFields"] = nullptr;  // null is fine
  CHECK(Apply(nullptr, with_mf, t, "kubectl", false, At(0)).ok());

  json unknown = body;
  unknown["metadata"]["namespace"] = "default";
  unknown["spec"]["replica"] = 2;
  r = Apply(nullptr, unknown, t, "kubectl", false, At(0));
  CHECK(r.status().code() == Code::kInternal);
  CHECK(r.status().message() ==
        "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): "
        ".spec.replica: field not declared in schema");

  json unnamed = body;
  unnamed["spec"]["template"]["spec"]["containers"][0].erase("name");
  CHECK(Apply(nullptr, unnamed, t, "kubectl", false, At(0)).status().message() ==
        "failed to create typed patch object (/web; apps/v1, Kind=Deployment): "
        ".spec.template.spec.containers: element 0: associative list with keys has an element "
        "that omits key field \"name\" (and doesn't have default value)");

  json dup = body;
  dup["spec"]["template"]["spec"]["containers"].push_back({{"name", "web"}, {"image", "x"}});
  dup["spec"]["replicas"] = "two";
  CHECK(Apply(nullptr, dup, t, "kubectl", false, At(0)).status().message() ==
        "failed to create typed patch object (/web; apps/v1, Kind=Deployment): errors:\n"
        "  .spec.replicas: expected numeric (int or float), got string\n"
        "  .spec.template.spec.containers: duplicate entries for key [name=\"web\"]");

  json bad_live = Stored(body);
  bad_live["metadata"]["managedFields"] = {{{"manager", "x"}, {"operation", "Patch"}}};
  r = Apply(bad_live, body, t, "kubectl", false, At(0));
  CHECK(r.status().code() == Code::kInternal);
  CHECK(r.status().message() ==
        "failed to decode managed fields: operation must be `Apply` or `Update`");
}

}  // namespace
}  // namespace skiff::apis
