// RemoteClient's pure parts: REST paths, query strings, API Status to skiff Code.
#include "client/api_paths.h"

#include <catch2/catch.hpp>

#include "client/api_status.h"

using namespace skiff;
using namespace skiff::client;

TEST_CASE("PercentEncode keeps unreserved characters and escapes the rest", "[remote]") {
  CHECK(PercentEncode("abc-XYZ_0.9~") == "abc-XYZ_0.9~");
  CHECK(PercentEncode("app=web,tier!=db") == "app%3Dweb%2Ctier%21%3Ddb");
  CHECK(PercentEncode("a b/c?d&e#f") == "a%20b%2Fc%3Fd%26e%23f");
  CHECK(PercentEncode("env in (prod, dev)") == "env%20in%20%28prod%2C%20dev%29");
  CHECK(PercentEncode("\xc3\xa9") == "%C3%A9");
  CHECK(PercentEncode("") == "");
}

TEST_CASE("ResourcePath builds core, group, namespaced and cluster paths", "[remote]") {
  CHECK(ResourcePath(Pods(), "default") == "/api/v1/namespaces/default/pods");
  CHECK(ResourcePath(Pods(), "") == "/api/v1/pods");
  CHECK(ResourcePath(Pods(), "ns1", "web-0") == "/api/v1/namespaces/ns1/pods/web-0");
  CHECK(ResourcePath(Pods(), "ns1", "web-0", "status") ==
        "/api/v1/namespaces/ns1/pods/web-0/status");
  CHECK(ResourcePath(Pods(), "ns1", "web-0", "binding") ==
        "/api/v1/namespaces/ns1/pods/web-0/binding");
  CHECK(ResourcePath(Nodes(), "", "edge-1") == "/api/v1/nodes/edge-1");
  CHECK(ResourcePath(Nodes(), "", "edge-1", "status") == "/api/v1/nodes/edge-1/status");
  CHECK(ResourcePath(Namespaces(), "", "kube-system") == "/api/v1/namespaces/kube-system");
  CHECK(ResourcePath(Deployments(), "prod") == "/apis/apps/v1/namespaces/prod/deployments");
  CHECK(ResourcePath(Deployments(), "") == "/apis/apps/v1/deployments");
  CHECK(ResourcePath(Leases(), "kube-node-lease", "edge-1") ==
        "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/edge-1");
  // A subresource without a name is meaningless and left out.
  CHECK(ResourcePath(Pods(), "a", "", "status") == "/api/v1/namespaces/a/pods");
  // Segments are escaped, so a hostile name cannot climb the path.
  CHECK(ResourcePath(ConfigMaps(), "a", "../x") == "/api/v1/namespaces/a/configmaps/..%2Fx");
}

TEST_CASE("QueryString escapes values and drops empty ones", "[remote]") {
  CHECK(QueryString({}) == "");
  CHECK(QueryString({{"labelSelector", ""}, {"fieldSelector", ""}}) == "");
  CHECK(QueryString({{"labelSelector", "app=web"}, {"fieldSelector", ""}}) ==
        "?labelSelector=app%3Dweb");
  CHECK(QueryString(
            {{"watch", "true"}, {"resourceVersion", "42"}, {"allowWatchBookmarks", "true"}}) ==
        "?watch=true&resourceVersion=42&allowWatchBookmarks=true");
  CHECK(QueryString({{"fieldSelector", "spec.nodeName=,status.phase!=Failed"}}) ==
        "?fieldSelector=spec.nodeName%3D%2Cstatus.phase%21%3DFailed");
}

TEST_CASE("API reasons map to the codes LocalClient gives", "[remote]") {
  struct Case {
    long http;
    const char* reason;
    Code want;
  };
  const Case cases[] = {
      {404, "NotFound", Code::kNotFound},
      {409, "AlreadyExists", Code::kAlreadyExists},
      {409, "Conflict", Code::kConflict},
      {410, "Gone", Code::kGone},
      {410, "Expired", Code::kGone},
      {422, "Invalid", Code::kInvalidArgument},
      {400, "BadRequest", Code::kInvalidArgument},
      {413, "RequestEntityTooLarge", Code::kTooLarge},
      {429, "TooManyRequests", Code::kUnavailable},
      {503, "ServiceUnavailable", Code::kUnavailable},
      {504, "Timeout", Code::kUnavailable},
      {500, "ServerTimeout", Code::kUnavailable},
      {500, "InternalError", Code::kInternal},
      {401, "Unauthorized", Code::kInternal},
      {403, "Forbidden", Code::kInternal},
      {405, "MethodNotAllowed", Code::kInternal},
      {415, "UnsupportedMediaType", Code::kInternal},
      // Reason first: the code only decides when the reason says nothing known.
      {500, "NotFound", Code::kNotFound},
      {404, "", Code::kNotFound},
      {409, "", Code::kConflict},
      {410, "", Code::kGone},
      {400, "", Code::kInvalidArgument},
      {422, "SomethingNew", Code::kInvalidArgument},
      {413, "", Code::kTooLarge},
      {429, "", Code::kUnavailable},
      {500, "", Code::kInternal},
      {502, "", Code::kUnavailable},
      {503, "", Code::kUnavailable},
      {401, "", Code::kInternal},
      {418, "", Code::kInternal},
  };
  for (const Case& c : cases) {
    INFO(c.http << " " << c.reason);
    Status s = StatusFromApiStatus(c.http, c.reason, "the message");
    CHECK(s.code() == c.want);
    CHECK(s.message() == "the message");
  }
  CHECK(StatusFromApiStatus(503, "", "").message() == "the server responded with HTTP 503");
  CHECK(StatusFromApiStatus(403, "Forbidden", "").message() ==
        "the server responded with HTTP 403 (Forbidden)");
}

TEST_CASE("HTTP responses give the body's Status, or the code alone", "[remote]") {
  const std::string not_found =
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
      R"("message":"configmaps \"x\" not found","reason":"NotFound",)"
      R"("details":{"name":"x","kind":"configmaps"},"code":404})";
  Status s = StatusFromHttpResponse(404, not_found);
  CHECK(s.code() == Code::kNotFound);
  CHECK(s.message() == "configmaps \"x\" not found");

  const std::string invalid =
      R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Invalid",)"
      R"("message":"ConfigMap \"A\" is invalid: metadata.name: Invalid value","code":422})";
  CHECK(StatusFromHttpResponse(422, invalid).code() == Code::kInvalidArgument);

  Status proxy = StatusFromHttpResponse(502, "<html>Bad Gateway</html>\n");
  CHECK(proxy.code() == Code::kUnavailable);
  CHECK(proxy.message() == "the server responded with HTTP 502: <html>Bad Gateway</html>");

  Status empty = StatusFromHttpResponse(404, "");
  CHECK(empty.code() == Code::kNotFound);
  CHECK(empty.message() == "the server responded with HTTP 404");

  // A watch ERROR event's object.
  Status gone = StatusFromStatusObject(
      {{"kind", "Status"}, {"code", 410}, {"reason", "Expired"}, {"message", "too old"}});
  CHECK(gone.code() == Code::kGone);
  CHECK(gone.message() == "too old");
  CHECK(StatusFromStatusObject(nlohmann::json("x")).code() == Code::kInternal);
}
