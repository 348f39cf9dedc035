// RFC 7386 JSON merge patch.
#include <catch2/catch.hpp>

#include "skiff/apis/patch.h"

using nlohmann::json;
using skiff::apis::ApplyMergePatch;

namespace {

json Merge(const json& doc, const json& patch) {
  auto r = ApplyMergePatch(doc, patch);
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("merge patch: the RFC 7386 appendix A examples", "[patch][merge]") {
  struct Case {
    const char* original;
    const char* patch;
    const char* result;
  };
  const Case cases[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {R"({"a":"foo"})", R"(null)", R"(null)"},
      {R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const Case& c : cases) {
    INFO(c.original << " + " << c.patch);
    CHECK(Merge(json::parse(c.original), json::parse(c.patch)) == json::parse(c.result));
  }
}

TEST_CASE("merge patch: kubectl scale and --type=merge on a Deployment", "[patch][merge]") {
  json doc = json::parse(R"({
    "metadata": {"name": "web", "labels": {"app": "web", "tier": "fe"}},
    "spec": {"replicas": 3,
             "template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.26"},
                                                  {"name": "log", "image": "busybox"}]}}}
  })");
  json scaled = Merge(doc, json::parse(R"({"spec":{"replicas":5}})"));
  CHECK(scaled["spec"]["replicas"] == 5);
  CHECK(scaled["spec"]["template"] == doc["spec"]["template"]);

  // Lists are replaced whole: the "log" container disappears; a null label is removed.
  json out = Merge(doc, json::parse(R"({
    "metadata": {"labels": {"tier": null}},
    "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}
  })"));
  CHECK(out["metadata"]["labels"] == json({{"app", "web"}}));
  CHECK(out["spec"]["template"]["spec"]["containers"] ==
        json::parse(R"([{"name":"app","image":"nginx:1.27"}])"));
  // Nulls inside a replaced array are kept verbatim.
  CHECK(Merge(doc, json::parse(R"({"x":[{"a":null}]})"))["x"] == json::parse(R"([{"a":null}])"));
}
