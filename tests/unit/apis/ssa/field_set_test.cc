// FieldSet: the fieldsV1 encoding, set algebra and path spelling.
#include <catch2/catch.hpp>

#include "skiff/apis/managed_fields.h"
#include "ssa_test_util.h"

namespace skiff::apis {
namespace {

using nlohmann::json;

PathElement F(const char* n) { return PathElement::Field(n); }

FieldSet Parse(const char* text) {
  auto s = FieldSet::FromFieldsV1(json::parse(text));
  REQUIRE(s.ok());
  return *s;
}

TEST_CASE("fieldsV1 round-trips, in structured-merge-diff's order") {
  // Taken apart and put back together: "." first, ports ordered numerically (80 < 443).
  const char* text =
      R"({"f:metadata":{"f:annotations":{".":{},"f:note":{}},"f:finalizers":{"v:\"a/b\"":{}}},)"
      R"("f:spec":{"f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{".":{},"f:port":{}},)"
      R"("k:{\"port\":443,\"protocol\":\"TCP\"}":{".":{},"f:name":{},"f:port":{}}},)"
      R"("f:selector":{}}})";
  FieldSet s = Parse(text);
  CHECK(s.ToFieldsV1String() == text);
  CHECK(s.ToFieldsV1() == json::parse(text));
  auto again = FieldSet::FromFieldsV1(s.ToFieldsV1());
  REQUIRE(again.ok());
  CHECK(*again == s);
  CHECK(FieldSet().ToFieldsV1() == json::object());
  CHECK(FieldSet().ToFieldsV1String() == "{}");

  // A "." alone is the same as an empty object.
  CHECK(Parse(R"({"f:a":{".":{}}})") == Parse(R"({"f:a":{}})"));
}

TEST_CASE("paths, membership and their spelling") {
  FieldSet s = Parse(R"({"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{)"
                     R"("k:{\"name\":\"web\"}":{".":{},"f:image":{}}}}}}})");
  FieldPath image = {
      F("spec"), F("template"), F("spec"), F("containers"), PathElement::Key({{"name", "web"}}),
      F("image")};
  CHECK(s.Has(image));
  CHECK(s.Has({F("spec"), F("replicas")}));
  CHECK_FALSE(s.Has({F("spec")}));  // only through its leaves
  CHECK(s.Has(
      {F("spec"), F("template"), F("spec"), F("containers"), PathElement::Key({{"name", "web"}})}));
  CHECK(FieldPathString(image) == ".spec.template.spec.containers[name=\"web\"].image");

  std::vector<std::string> order;
  s.ForEach([&](const FieldPath& p) { order.push_back(FieldPathString(p)); });
  CHECK(order == std::vector<std::string>{
                     ".spec.replicas",
                     ".spec.template.spec.containers[name=\"web\"]",
                     ".spec.template.spec.containers[name=\"web\"].image",
                 });

  CHECK(PathElement::Key({{"protocol", "TCP"}, {"containerPort", 80}}).String() ==
        "[containerPort=80,protocol=\"TCP\"]");
  CHECK(PathElement::Key({{"protocol", "TCP"}, {"containerPort", 80}}).FieldsV1Key() ==
        R"(k:{"containerPort":80,"protocol":"TCP"})");
  CHECK(PathElement::Value("example.com/x").String() == "[=\"example.com/x\"]");
  CHECK(PathElement::Value("<&>").FieldsV1Key() == R"(v:"\u003c\u0026\u003e")");
  CHECK(PathElement::Index(3).FieldsV1Key() == "i:3");
  CHECK(PathElement::Index(3).String() == "[3]");
  CHECK(PathElement::Value(2.5).String() == "[=2.5]");
  CHECK(PathElement::Value(1e6).String() == "[=1e+06]");
}

TEST_CASE("set algebra follows structured-merge-diff") {
  FieldSet a = Parse(R"({"f:a":{".":{},"f:b":{},"f:c":{}},"f:d":{}})");
  FieldSet b = Parse(R"({"f:a":{},"f:e":{}})");
  CHECK(a.Union(b) == Parse(R"({"f:a":{".":{},"f:b":{},"f:c":{}},"f:d":{},"f:e":{}})"));
  // Difference removes members only; RecursiveDifference removes what is below them too.
  CHECK(a.Difference(b) == Parse(R"({"f:a":{"f:b":{},"f:c":{}},"f:d":{}})"));
  CHECK(a.RecursiveDifference(b) == Parse(R"({"f:d":{}})"));
  CHECK(a.Intersection(b) == Parse(R"({"f:a":{}})"));
  CHECK(a.Intersection(Parse(R"({"f:a":{"f:c":{}}})")) == Parse(R"({"f:a":{"f:c":{}}})"));
  CHECK(a.WithPrefix(F("a")) == Parse(R"({"f:b":{},"f:c":{}})"));
  CHECK(a.Difference(a).empty());

  FieldSet s;
  s.Insert({F("x"), PathElement::Value(1)});
  CHECK(s.ToFieldsV1() == json::parse(R"({"f:x":{"v:1":{}}})"));
  CHECK_FALSE(s.empty());
}

TEST_CASE("malformed fieldsV1 is refused") {
  CHECK(FieldSet::FromFieldsV1(json::parse(R"({"x:a":{}})")).status().message() ==
        "invalid fieldsV1: unknown path element \"x:a\"");
  CHECK_FALSE(FieldSet::FromFieldsV1(json::parse(R"({"k:notjson":{}})")).ok());
  CHECK_FALSE(FieldSet::FromFieldsV1(json::parse(R"({"f:a":1})")).ok());
  CHECK_FALSE(FieldSet::FromFieldsV1(json::parse("[]")).ok());
  CHECK(FieldSet::FromFieldsV1(nullptr)->empty());
}

TEST_CASE("FieldsOf lists what an object sets, without the never-tracked fields") {
  json cm = {{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata",
              {{"name", "settings"},
               {"namespace", "default"},
               {"uid", "u"},
               {"resourceVersion", "5"},
               {"labels", {{"app", "x"}}},
               {"finalizers", {"a/b"}},
               {"ownerReferences",
                {{{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", "p"}, {"uid", "1"}}}}}},
             {"data", {{"mode", "edge"}}},
             {"immutable", false}};
  FieldSet s = FieldsOf(cm, testing::ConfigMapType());
  CHECK(s.ToFieldsV1() == json::parse(R"({
    "f:data": {"f:mode": {}},
    "f:immutable": {},
    "f:metadata": {"f:finalizers": {"v:\"a/b\"": {}}, "f:labels": {"f:app": {}},
                   "f:ownerReferences": {"k:{\"uid\":\"1\"}": {}}}})"));
}

}  // namespace
}  // namespace skiff::apis
