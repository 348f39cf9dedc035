// RFC 6902 JSON patch as kube-apiserver (evanphx/json-patch v4) applies it.
#include <catch2/catch.hpp>

#include "skiff/apis/patch.h"

using nlohmann::json;
using skiff::Code;
using skiff::apis::ApplyJsonPatch;

namespace {

json Apply(const json& doc, const json& patch) {
  auto r = ApplyJsonPatch(doc, patch);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return *r;
}

std::string Fail(const json& doc, const json& patch) {
  auto r = ApplyJsonPatch(doc, patch);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  return r.status().message();
}

json Deployment() {
  return json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default",
                 "annotations": {"deployment.kubernetes.io/revision": "2"},
                 "labels": {"app": "web"}},
    "spec": {"replicas": 3,
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "app", "image": "nginx:1.26"}]}}}
  })");
}

}  // namespace

TEST_CASE("json patch: add, remove, replace on objects and arrays", "[patch][json]") {
  json doc = Deployment();
  json out = Apply(doc, json::parse(R"([
    {"op": "add", "path": "/metadata/labels/tier", "value": "frontend"},
    {"op": "replace", "path": "/spec/replicas", "value": 5},
    {"op": "add", "path": "/spec/template/spec/containers/-",
     "value": {"name": "sidecar", "image": "busybox"}},
    {"op": "add", "path": "/spec/template/spec/containers/0/args", "value": ["-v"]},
    {"op": "remove", "path": "/metadata/annotations/deployment.kubernetes.io~1revision"}
  ])"));
  CHECK(out["metadata"]["labels"] == json({{"app", "web"}, {"tier", "frontend"}}));
  CHECK(out["spec"]["replicas"] == 5);
  CHECK(out["metadata"]["annotations"] == json::object());
  const json& containers = out["spec"]["template"]["spec"]["containers"];
  REQUIRE(containers.size() == 2);
  CHECK(containers[0] == json({{"name", "app"}, {"image", "nginx:1.26"}, {"args", {"-v"}}}));
  CHECK(containers[1]["name"] == "sidecar");
  // The input is untouched.
  CHECK(doc == Deployment());
}

TEST_CASE("json patch: array insertion, negative indexes and bounds", "[patch][json]") {
  json doc = {{"a", {1, 2, 3}}};
  CHECK(Apply(doc, json::parse(R"([{"op":"add","path":"/a/0","value":0}])"))["a"] ==
        json({0, 1, 2, 3}));
  CHECK(Apply(doc, json::parse(R"([{"op":"add","path":"/a/3","value":4}])"))["a"] ==
        json({1, 2, 3, 4}));
  // -1 in add means "before the end of the array after insertion": an append.
  CHECK(Apply(doc, json::parse(R"([{"op":"add","path":"/a/-1","value":9}])"))["a"] ==
        json({1, 2, 3, 9}));
  CHECK(Apply(doc, json::parse(R"([{"op":"remove","path":"/a/-1"}])"))["a"] == json({1, 2}));
  CHECK(Apply(doc, json::parse(R"([{"op":"replace","path":"/a/-3","value":7}])"))["a"] ==
        json({7, 2, 3}));
  CHECK(Fail(doc, json::parse(R"([{"op":"add","path":"/a/5","value":0}])")) ==
        "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index "
        "referenced");
  CHECK(Fail(doc, json::parse(R"([{"op":"add","path":"/a/x","value":0}])")) ==
        "error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: "
        "parsing \"x\": invalid syntax");
  CHECK(Fail(doc, json::parse(R"([{"op":"remove","path":"/a/3"}])")) ==
        "error in remove for path: '/a/3': Unable to access invalid index: 3: invalid index "
        "referenced");
  CHECK(Fail(doc, json::parse(R"([{"op":"remove","path":"/a/-4"}])")) ==
        "error in remove for path: '/a/-4': Unable to access invalid index: -4: invalid index "
        "referenced");
  CHECK(Fail(doc, json::parse(R"([{"op":"replace","path":"/a/3","value":1}])")) ==
        "replace operation does not apply: doc is missing key: /a/3: missing value");
}

TEST_CASE("json patch: missing paths fail like evanphx/json-patch v4", "[patch][json]") {
  json doc = Deployment();
  // add never creates a missing parent.
  CHECK(Fail(doc, json::parse(R"([{"op":"add","path":"/spec/foo/bar","value":1}])")) ==
        "add operation does not apply: doc is missing path: \"/spec/foo/bar\": missing value");
  CHECK(Fail(doc, json::parse(R"([{"op":"remove","path":"/spec/foo"}])")) ==
        "error in remove for path: '/spec/foo': Unable to remove nonexistent key: foo: missing "
        "value");
  CHECK(Fail(doc, json::parse(R"([{"op":"remove","path":"/spec/foo/bar"}])")) ==
        "remove operation does not apply: doc is missing path: \"/spec/foo/bar\": missing value");
  CHECK(Fail(doc, json::parse(R"([{"op":"replace","path":"/spec/foo/bar","value":1}])")) ==
        "replace operation does not apply: doc is missing path: /spec/foo/bar: missing value");
  // A scalar is not a parent either.
  CHECK(Fail(doc, json::parse(R"([{"op":"add","path":"/spec/replicas/x","value":1}])")) ==
        "add operation does not apply: doc is missing path: \"/spec/replicas/x\": missing value");
  // v4 quirk kube-apiserver keeps: replace of a missing object member adds it.
  json out = Apply(doc, json::parse(R"([{"op":"replace","path":"/spec/paused","value":true}])"));
  CHECK(out["spec"]["paused"] == true);
}

TEST_CASE("json patch: test operation", "[patch][json]") {
  json doc = Deployment();
  json ok = Apply(doc, json::parse(R"([
    {"op":"test","path":"/spec/replicas","value":3},
    {"op":"test","path":"/metadata/labels","value":{"app":"web"}},
    {"op":"test","path":"/spec/paused","value":null},
    {"op":"replace","path":"/spec/replicas","value":4}
  ])"));
  CHECK(ok["spec"]["replicas"] == 4);
  CHECK(Fail(doc, json::parse(R"([{"op":"test","path":"/spec/replicas","value":4},
                                  {"op":"replace","path":"/spec/replicas","value":9}])")) ==
        "testing value /spec/replicas failed: test failed");
  CHECK(Fail(doc, json::parse(R"([{"op":"test","path":"/spec/paused","value":false}])")) ==
        "testing value /spec/paused failed: test failed");
  CHECK(Fail(doc, json::parse(R"([{"op":"test","path":"/nope/x","value":1}])")) ==
        "test operation does not apply: is missing path: /nope/x: missing value");
  CHECK(Fail(doc, json::parse(R"([{"op":"test","path":"/spec/template/spec/containers/3",
                                   "value":1}])")) ==
        "error in test for path: '/spec/template/spec/containers/3': Unable to access invalid "
        "index: 3: invalid index referenced");
}

TEST_CASE("json patch: move and copy", "[patch][json]") {
  json doc = {{"a", {{"b", 1}}}, {"list", {"x", "y", "z"}}};
  json moved = Apply(doc, json::parse(R"([{"op":"move","from":"/a/b","path":"/c"}])"));
  CHECK(moved == json({{"a", json::object()}, {"c", 1}, {"list", {"x", "y", "z"}}}));
  json reordered = Apply(doc, json::parse(R"([{"op":"move","from":"/list/0","path":"/list/-"}])"));
  CHECK(reordered["list"] == json({"y", "z", "x"}));
  json copied = Apply(doc, json::parse(R"([{"op":"copy","from":"/a","path":"/d"}])"));
  CHECK(copied["d"] == json({{"b", 1}}));
  CHECK(copied["a"] == json({{"b", 1}}));
  CHECK(Fail(doc, json::parse(R"([{"op":"move","from":"/q/r","path":"/c"}])")) ==
        "move operation does not apply: doc is missing from path: /q/r: missing value");
  CHECK(Fail(doc, json::parse(R"([{"op":"move","from":"/a/zz","path":"/c"}])")) ==
        "error in move for path: 'zz': Unable to remove nonexistent key: zz: missing value");
  CHECK(Fail(doc, json::parse(R"([{"op":"move","from":"/a/b","path":"/q/r"}])")) ==
        "move operation does not apply: doc is missing destination path: /q/r: missing value");
  CHECK(Fail(doc, json::parse(R"([{"op":"copy","from":"/a/b","path":"/q/r"}])")) ==
        "copy operation does not apply: doc is missing destination path: /q/r: missing value");
  CHECK(Fail(doc, json::parse(R"([{"op":"copy","path":"/q"}])")) ==
        "copy operation failed to decode from: operation, missing from field: missing value");
}

TEST_CASE("json patch: pointer escaping and odd keys", "[patch][json]") {
  json doc = {{"a/b", 1}, {"m~n", 2}, {"", 3}};
  json out = Apply(doc, json::parse(R"([
    {"op":"replace","path":"/a~1b","value":10},
    {"op":"replace","path":"/m~0n","value":20},
    {"op":"replace","path":"/","value":30},
    {"op":"add","path":"/~01","value":"tilde-one"}
  ])"));
  CHECK(out == json({{"a/b", 10}, {"m~n", 20}, {"", 30}, {"~1", "tilde-one"}}));
}

TEST_CASE("json patch: malformed operations", "[patch][json]") {
  json doc = {{"a", 1}};
  CHECK(Fail(doc, json::parse(R"([{"op":"frobnicate","path":"/a"}])")) ==
        "Unexpected kind: frobnicate");
  CHECK(Fail(doc, json::parse(R"([{"path":"/a"}])")) == "Unexpected kind: unknown");
  CHECK(Fail(doc, json::parse(R"([{"op":"add","value":1}])")) ==
        "add operation failed to decode path: missing value");
  CHECK(Fail(doc, json::parse(R"([{"op":"replace","value":1}])")) ==
        "replace operation failed to decode path: operation missing path field: missing value");
  CHECK(Fail(doc, json::parse(R"([{"op":"add","path":"","value":1}])")) ==
        "add operation does not apply: doc is missing path: \"\": missing value");
  CHECK(Fail(doc, json::parse(R"({"op":"add"})")) ==
        "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  // Operations apply in order; a failure leaves nothing applied.
  CHECK(Fail(doc, json::parse(R"([{"op":"replace","path":"/a","value":2},
                                  {"op":"remove","path":"/b"}])")) ==
        "error in remove for path: '/b': Unable to remove nonexistent key: b: missing value");
  // A missing value is null, and replacing the root needs an object or array.
  CHECK(Apply(doc, json::parse(R"([{"op":"add","path":"/n"}])"))["n"].is_null());
  CHECK(Apply(doc, json::parse(R"([{"op":"replace","path":"","value":{"z":1}}])")) ==
        json({{"z", 1}}));
  CHECK(Fail(doc, json::parse(R"([{"op":"replace","path":"","value":1}])")) ==
        "replace operation value must be object or array");
  CHECK(Apply(doc, json(nullptr)) == doc);
  CHECK(Apply(doc, json::array()) == doc);
}

TEST_CASE("json patch: kubectl rollout undo and python list patches", "[patch][json]") {
  json doc = Deployment();
  doc["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27";
  // What kubectl rollout undo sends: the old ReplicaSet's template and annotations.
  json undo = json::parse(R"([
    {"op":"replace","path":"/spec/template",
     "value":{"metadata":{"labels":{"app":"web","pod-template-hash":"x"}},
              "spec":{"containers":[{"name":"app","image":"nginx:1.26"}]}}},
    {"op":"replace","path":"/metadata/annotations",
     "value":{"deployment.kubernetes.io/revision":"1"}}
  ])");
  json out = Apply(doc, undo);
  CHECK(out["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.26");
  CHECK(out["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] == "x");
  CHECK(out["metadata"]["annotations"] == json({{"deployment.kubernetes.io/revision", "1"}}));
  CHECK(out["metadata"]["labels"] == json({{"app", "web"}}));

  // The Python client sends list bodies as JSON patch, e.g. on the scale subresource.
  json scale = {{"kind", "Scale"}, {"spec", {{"replicas", 3}}}, {"status", {{"replicas", 3}}}};
  json scaled =
      Apply(scale, json::parse(R"([{"op":"replace","path":"/spec/replicas","value":1}])"));
  CHECK(scaled["spec"]["replicas"] == 1);
}
