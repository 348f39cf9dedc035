#include <catch2/catch.hpp>

#include "api/api_handler.h"
#include "api/continue_token.h"
#include "api/request_info.h"

using skiff::api::HttpRequest;
using skiff::api::ParseRequestInfo;

namespace {

HttpRequest Req(const std::string& method, const std::string& target) {
  HttpRequest r;
  r.method = method;
  r.target = target;
  skiff::api::ParseTarget(target, &r.path, &r.query);
  return r;
}

}  // namespace

TEST_CASE("request paths resolve to resources as kube-apiserver resolves them", "[api]") {
  auto i = ParseRequestInfo(Req("GET", "/api/v1/namespaces/default/pods?limit=500"));
  CHECK(i.is_resource);
  CHECK(i.group.empty());
  CHECK(i.version == "v1");
  CHECK(i.ns == "default");
  CHECK(i.resource == "pods");
  CHECK(i.verb == "list");

  i = ParseRequestInfo(Req("GET", "/apis/apps/v1/namespaces/x/deployments/web/scale"));
  CHECK(i.group == "apps");
  CHECK(i.name == "web");
  CHECK(i.subresource == "scale");
  CHECK(i.verb == "get");

  i = ParseRequestInfo(Req("GET", "/api/v1/namespaces/demo"));
  CHECK(i.resource == "namespaces");
  CHECK(i.name == "demo");
  CHECK(i.ns.empty());

  i = ParseRequestInfo(Req("PUT", "/api/v1/namespaces/demo/finalize"));
  CHECK(i.resource == "namespaces");
  CHECK(i.name == "demo");
  CHECK(i.subresource == "finalize");
  CHECK(i.verb == "update");

  CHECK(ParseRequestInfo(Req("GET", "/api/v1/pods?watch=True")).verb == "watch");
  CHECK(ParseRequestInfo(Req("GET", "/api/v1/watch/namespaces/a/pods")).verb == "watch");
  CHECK(ParseRequestInfo(Req("DELETE", "/api/v1/namespaces/a/pods")).verb == "deletecollection");
  CHECK(ParseRequestInfo(Req("DELETE", "/api/v1/namespaces/a/pods/p")).verb == "delete");
  CHECK_FALSE(ParseRequestInfo(Req("GET", "/apis/apps/v1")).is_resource);
  CHECK_FALSE(ParseRequestInfo(Req("GET", "/version")).is_resource);
}

TEST_CASE("query values are percent-decoded", "[api]") {
  auto r = Req("GET", "/api/v1/events?fieldSelector=involvedObject.name%3Dweb%2Ctype%3DNormal&x=a+b");
  CHECK(r.Query("fieldSelector") == "involvedObject.name=web,type=Normal");
  CHECK(r.Query("x") == "a b");
  CHECK_FALSE(r.HasQuery("y"));
}

TEST_CASE("boolean parameters parse like Go's ParseBool", "[api]") {
  bool v = false;
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    CHECK(skiff::api::ParseBool(t, &v));
    CHECK(v);
  }
  CHECK_FALSE(skiff::api::ParseBool("yes", &v));
}

TEST_CASE("continue tokens round-trip and foreign ones are refused", "[api]") {
  std::string t = skiff::api::EncodeContinue({42, "ns/name"});
  auto back = skiff::api::DecodeContinue(t);
  REQUIRE(back.ok());
  CHECK(back->revision == 42);
  CHECK(back->start_after == "ns/name");
  auto bad = skiff::api::DecodeContinue("bm90IGEgdG9rZW4=");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == 400);
}

TEST_CASE("until RBAC is enforced only system:masters is authorized", "[api]") {
  skiff::api::RequestInfo info;
  info.verb = "list";
  CHECK_FALSE(skiff::api::MastersOnly({"system:admin", "", {"system:masters"}}, info).has_value());
  auto denied = skiff::api::MastersOnly({"jane", "", {"developers"}}, info);
  REQUIRE(denied.has_value());
  CHECK_THAT(*denied, Catch::Contains("system:masters"));
}
