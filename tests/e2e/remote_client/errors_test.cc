// RemoteClient's errors against a real server: API errors with Kubernetes' messages, TLS and
// credential failures, a server that is gone.
#include <catch2/catch.hpp>

#include "skiff/auth/pki.h"
#include "skiff_server.h"

using namespace skiff;
using namespace skiff::client;
using namespace std::chrono_literals;
using skiff::testing::NewNamespace;
using skiff::testing::SharedServer;
using skiff::testing::SkiffServer;

namespace {

json ConfigMap(const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}};
}

// The CA of another cluster: a real CA that did not sign the server's certificate.
std::string OtherClustersCa() {
  skiff::testing::TempDir dir;
  auth::PkiOptions o;
  o.tls_dir = dir / "tls";
  o.node_ips = {"127.0.0.1"};
  auto pki = auth::EnsurePki(o);
  REQUIRE(pki.ok());
  return pki->ca_cert_pem;
}

}  // namespace

TEST_CASE("API errors keep Kubernetes' codes and messages", "[e2e]") {
  auto c = SharedServer().NewClient();
  Client& client = *c;
  const std::string ns = NewNamespace(client, "err");

  auto missing = client.Get(ConfigMaps(), ns, "nope");
  CHECK(missing.status().code() == Code::kNotFound);
  CHECK(missing.status().message() == "configmaps \"nope\" not found");

  auto first = client.Create(ConfigMaps(), ns, ConfigMap("dup"));
  REQUIRE(first.ok());
  auto dup = client.Create(ConfigMaps(), ns, ConfigMap("dup"));
  CHECK(dup.status().code() == Code::kAlreadyExists);
  CHECK(dup.status().message() == "configmaps \"dup\" already exists");

  json stale = *first;
  stale["data"] = {{"a", "1"}};
  REQUIRE(client.Update(ConfigMaps(), ns, stale).ok());
  stale["data"] = {{"a", "2"}};  // still the first resourceVersion
  auto conflict = client.Update(ConfigMaps(), ns, stale);
  CHECK(conflict.status().code() == Code::kConflict);
  CHECK(conflict.status().message() ==
        "Operation cannot be fulfilled on configmaps \"dup\": the object has been modified; "
        "please apply your changes to the latest version and try again");

  auto invalid = client.Create(ConfigMaps(), ns, ConfigMap("Bad_Name"));
  CHECK(invalid.status().code() == Code::kInvalidArgument);
  CHECK(
      invalid.status().message() ==
      "ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a "
      "lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
      "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
      "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");

  auto bad_selector = client.List(ConfigMaps(), ns, {"app in (", ""});
  CHECK(bad_selector.status().code() == Code::kInvalidArgument);

  auto unknown = client.List({"", "v1", "widgets"}, ns, {});
  CHECK(unknown.status().code() == Code::kNotFound);
  CHECK(unknown.status().message() ==
        "the server could not find the requested resource (/api/v1/namespaces/" + ns + "/widgets)");
  auto unknown_group = client.Get({"example.com", "v1", "gadgets"}, "", "x");
  CHECK(unknown_group.status().code() == Code::kNotFound);
}

TEST_CASE("A server that is not there is kUnavailable at once", "[e2e]") {
  SkiffServer server;
  auto c = server.NewClient();
  Client& client = *c;
  REQUIRE(client.Get(Namespaces(), "", "default").ok());  // a pooled, kept-alive connection
  server.Kill();
  const auto start = std::chrono::steady_clock::now();
  auto gone = client.Get(Namespaces(), "", "default");
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(gone.status().code() == Code::kUnavailable);
  CHECK_THAT(gone.status().message(),
             Catch::StartsWith("GET " + server.url() + "/api/v1/namespaces/default: "));
  CHECK(took < 2s);
  auto watch = client.Watch(
      ConfigMaps(), "", "", [](std::vector<WatchEvent>&) {}, [](Status) {});
  CHECK(watch.status().code() == Code::kUnavailable);
  auto sub = client.Subscribe(ConfigMaps(), "", [] {});
  CHECK(sub.status().code() == Code::kUnavailable);
}

TEST_CASE("A CA that did not sign the server's certificate fails the handshake", "[e2e]") {
  RemoteClientConfig config = SharedServer().Config();
  config.ca_pem = OtherClustersCa();
  auto c = RemoteClient::Create(config);
  REQUIRE(c.ok());
  auto got = (*c)->Get(Namespaces(), "", "default");
  CHECK(got.status().code() == Code::kUnavailable);
  CHECK_THAT(got.status().message(), Catch::Contains("SSL certificate problem"));
}

TEST_CASE("The server's name is verified, not only its chain", "[e2e]") {
  // Listening on every address: 127.0.0.2 reaches it too, but its certificate names 127.0.0.1
  // (and localhost, the node name, ...), never 127.0.0.2.
  SkiffServer server({}, "0.0.0.0");
  RemoteClientConfig config = server.Config();
  REQUIRE(config.server == server.url());
  auto good = RemoteClient::Create(config);
  REQUIRE(good.ok());
  REQUIRE((*good)->Get(Namespaces(), "", "default").ok());
  config.server = "https://127.0.0.2:" + std::to_string(server.port());
  auto c = RemoteClient::Create(config);
  REQUIRE(c.ok());
  auto got = (*c)->Get(Namespaces(), "", "default");
  CHECK(got.status().code() == Code::kUnavailable);
  CHECK_THAT(got.status().message(),
             Catch::Contains("no alternative certificate subject name matches target host name "
                             "'127.0.0.2'"));
}

TEST_CASE("A bad bearer token gets 401, which maps to kInternal as in LocalClient", "[e2e]") {
  RemoteClientConfig config = SharedServer().Config();
  config.client_cert_pem.clear();
  config.client_key_pem.clear();
  config.token = "not-the-token";
  auto c = RemoteClient::Create(config);
  REQUIRE(c.ok());
  auto got = (*c)->Get(Namespaces(), "", "default");
  CHECK(got.status().code() == Code::kInternal);
  CHECK(got.status().message() == "Unauthorized");
}

TEST_CASE("RemoteClient::Create refuses configurations that cannot work", "[e2e]") {
  RemoteClientConfig config = SharedServer().Config();
  config.server = "http://127.0.0.1:1";
  CHECK(RemoteClient::Create(config).status().code() == Code::kInvalidArgument);
  config = SharedServer().Config();
  config.ca_pem.clear();
  CHECK(RemoteClient::Create(config).status().message() ==
        "ca: no PEM certificate to verify the server with");
}
