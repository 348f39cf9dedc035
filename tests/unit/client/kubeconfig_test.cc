// LoadKubeconfig on hand-written files: data and file forms, tokens, contexts, and the errors.
#include "client/kubeconfig.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "skiff/common/base64.h"
#include "support/temp_dir.h"

using namespace skiff;
using namespace skiff::client;
using skiff::testing::TempDir;

namespace {

const std::string kCa = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
const std::string kCert = "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n";
const std::string kKey = "-----BEGIN EC PRIVATE KEY-----\nKEY\n-----END EC PRIVATE KEY-----\n";

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Two clusters, two users, two contexts; current-context "edge" (certificate data).
std::string TwoContexts() {
  return "apiVersion: v1\n"
         "kind: Config\n"
         "clusters:\n"
         "- name: edge-cluster\n"
         "  cluster:\n"
         "    server: https://10.0.0.5:6443\n"
         "    certificate-authority-data: " +
         Base64Encode(kCa) +
         "\n"
         "- name: files-cluster\n"
         "  cluster:\n"
         "    server: https://edge.example:7443/prefix/\n"
         "    certificate-authority: pki/ca.crt\n"
         "users:\n"
         "- name: edge-admin\n"
         "  user:\n"
         "    client-certificate-data: " +
         Base64Encode(kCert) +
         "\n"
         "    client-key-data: " +
         Base64Encode(kKey) +
         "\n"
         "- name: token-user\n"
         "  user:\n"
         "    token: 1234567890\n"
         "contexts:\n"
         "- name: edge\n"
         "  context:\n"
         "    cluster: edge-cluster\n"
         "    user: edge-admin\n"
         "- name: files\n"
         "  context:\n"
         "    cluster: files-cluster\n"
         "    user: token-user\n"
         "current-context: edge\n";
}

}  // namespace

TEST_CASE("kubeconfig: current context with certificate data", "[remote]") {
  TempDir dir;
  Write(dir / "config", TwoContexts());
  auto c = LoadKubeconfig(dir / "config");
  REQUIRE(c.ok());
  CHECK(c->server == "https://10.0.0.5:6443");
  CHECK(c->ca_pem == kCa);
  CHECK(c->client_cert_pem == kCert);
  CHECK(c->client_key_pem == kKey);
  CHECK(c->token.empty());
  CHECK(c->request_timeout == std::chrono::seconds(30));  // defaults stay
}

TEST_CASE("kubeconfig: another context, files relative to the kubeconfig, numeric token",
          "[remote]") {
  TempDir dir;
  Write(dir / "config", TwoContexts());
  std::filesystem::create_directories(dir / "pki");
  Write(dir / "pki/ca.crt", kCa);
  auto c = LoadKubeconfig(dir / "config", "files");
  REQUIRE(c.ok());
  CHECK(c->server == "https://edge.example:7443/prefix/");
  CHECK(c->ca_pem == kCa);
  CHECK(c->client_cert_pem.empty());
  CHECK(c->token == "1234567890");  // YAML reads it as a number; the kubeconfig means text
}

TEST_CASE("kubeconfig: certificate and key files, tokenFile, absolute paths", "[remote]") {
  TempDir dir;
  Write(dir / "ca.pem", kCa);
  Write(dir / "cert.pem", kCert);
  Write(dir / "key.pem", kKey);
  Write(dir / "token", "s3cr3t-token\n");
  Write(dir / "config",
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443', certificate-authority: " +
            (dir / "ca.pem") +
            "}}]\n"
            "users: [{name: u, user: {client-certificate: cert.pem, client-key: key.pem, "
            "tokenFile: token}}]\n"
            "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
            "current-context: x\n");
  auto c = LoadKubeconfig(dir / "config");
  REQUIRE(c.ok());
  CHECK(c->ca_pem == kCa);
  CHECK(c->client_cert_pem == kCert);
  CHECK(c->client_key_pem == kKey);
  CHECK(c->token == "s3cr3t-token");  // the file's trailing newline is not part of it
}

TEST_CASE("kubeconfig: what cannot work is refused, naming the file and field", "[remote]") {
  TempDir dir;
  const std::string path = dir / "config";
  auto load = [&](const std::string& text) {
    Write(path, text);
    return LoadKubeconfig(path);
  };
  const std::string users = "users: [{name: u, user: {token: t}}]\n";
  const std::string contexts = "contexts: [{name: x, context: {cluster: c, user: u}}]\n";
  const std::string ca = Base64Encode(kCa);

  auto missing = LoadKubeconfig(dir / "nope");
  CHECK(missing.status().code() == Code::kNotFound);

  auto no_current = load("clusters: []\n" + users + contexts);
  CHECK(no_current.status().code() == Code::kInvalidArgument);
  CHECK(no_current.status().message() == path + ": current-context is not set");

  auto unknown_context = load("current-context: y\n" + users + contexts);
  CHECK(unknown_context.status().message() == path + ": no context named \"y\" in contexts");

  auto unknown_cluster = load("current-context: x\nclusters: []\n" + users + contexts);
  CHECK(unknown_cluster.status().message() == path + ": no cluster named \"c\" in clusters");

  auto no_ca =
      load("current-context: x\nclusters: [{name: c, cluster: {server: 'https://h:1'}}]\n" + users +
           contexts);
  CHECK(no_ca.status().code() == Code::kInvalidArgument);
  CHECK(no_ca.status().message() == path + ": ca: no PEM certificate to verify the server with");

  auto http = load(
      "current-context: x\nclusters: [{name: c, cluster: {server: 'http://h:1', "
      "certificate-authority-data: " +
      ca + "}}]\n" + users + contexts);
  CHECK(http.status().message() == path + ": server: \"http://h:1\" is not an https:// URL");

  auto bad_base64 = load(
      "current-context: x\nclusters: [{name: c, cluster: {server: "
      "'https://h:1', certificate-authority-data: '!!!'}}]\n" +
      users + contexts);
  CHECK(bad_base64.status().message() ==
        path + ": clusters[c].cluster.certificate-authority-data is not valid base64");

  auto half_pair = load(
      "current-context: x\nclusters: [{name: c, cluster: {server: 'https://h:1', "
      "certificate-authority-data: " +
      ca +
      "}}]\n"
      "users: [{name: u, user: {client-certificate-data: " +
      Base64Encode(kCert) + "}}]\n" + contexts);
  CHECK(half_pair.status().message() ==
        path + ": client certificate: the certificate and its key go together (only one is set)");

  auto missing_file = load(
      "current-context: x\nclusters: [{name: c, cluster: {server: 'https://h:1', "
      "certificate-authority: gone.crt}}]\n" +
      users + contexts);
  CHECK(missing_file.status().code() == Code::kNotFound);
  CHECK_THAT(missing_file.status().message(),
             Catch::StartsWith(path + ": clusters[c].cluster.certificate-authority: ") &&
                 Catch::Contains("gone.crt"));

  auto not_yaml = load("clusters: [\n");
  CHECK(not_yaml.status().code() == Code::kInvalidArgument);
  CHECK_THAT(not_yaml.status().message(), Catch::StartsWith(path + ": error converting YAML"));
}
