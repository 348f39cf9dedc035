// Kubeconfig rendering and writing, checked with yaml-cpp, and with real kubectl and the Python
// client (when installed) talking TLS to an `openssl s_server` loaded with the PKI's files.
#include "skiff/auth/kubeconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>

#include "skiff/common/base64.h"
#include <filesystem>
#include <thread>

#include "auth_test_util.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace skiff::testing {
namespace {

using auth::KubeconfigOptions;

const char kOpenssl[] = "/usr/bin/openssl";
const char kPython[] = "/usr/bin/python3";
const char kKubectlDir[] = "/usr/lib/google-cloud-sdk/bin/";

std::string Decode(const YAML::Node& node) {
  auto out = skiff::Base64Decode(node.as<std::string>());
  REQUIRE(out.has_value());
  return *out;
}

KubeconfigOptions AdminKubeconfig(const auth::ServingMaterial& m) {
  KubeconfigOptions k;
  k.ca_pem = m.ca_cert_pem;
  k.client_cert_pem = m.clients.at("client-admin").cert_pem;
  k.client_key_pem = m.clients.at("client-admin").key_pem;
  return k;
}

TEST_CASE("the kubeconfig has k3s's shape and the PEMs as base64 data") {
  TempDir dir;
  auth::PkiOptions o;
  o.tls_dir = dir / "tls";
  auth::ServingMaterial m = MustEnsure(o);
  KubeconfigOptions k = AdminKubeconfig(m);
  auto text = auth::RenderKubeconfig(k);
  INFO(text.status().ToString());
  REQUIRE(text.ok());
  YAML::Node doc = YAML::Load(*text);
  CHECK(doc["apiVersion"].as<std::string>() == "v1");
  CHECK(doc["kind"].as<std::string>() == "Config");
  CHECK(doc["current-context"].as<std::string>() == "default");
  REQUIRE(doc["clusters"].size() == 1);
  CHECK(doc["clusters"][0]["name"].as<std::string>() == "default");
  CHECK(doc["clusters"][0]["cluster"]["server"].as<std::string>() == "https://127.0.0.1:6443");
  CHECK(Decode(doc["clusters"][0]["cluster"]["certificate-authority-data"]) == m.ca_cert_pem);
  REQUIRE(doc["users"].size() == 1);
  CHECK(doc["users"][0]["name"].as<std::string>() == "default");
  YAML::Node user = doc["users"][0]["user"];
  CHECK(Decode(user["client-certificate-data"]) == m.clients.at("client-admin").cert_pem);
  CHECK(Decode(user["client-key-data"]) == m.clients.at("client-admin").key_pem);
  CHECK_FALSE(user["token"]);
  REQUIRE(doc["contexts"].size() == 1);
  CHECK(doc["contexts"][0]["name"].as<std::string>() == "default");
  CHECK(doc["contexts"][0]["context"]["cluster"].as<std::string>() == "default");
  CHECK(doc["contexts"][0]["context"]["user"].as<std::string>() == "default");
  CHECK(doc["preferences"].IsMap());
}

TEST_CASE("a token kubeconfig and custom names") {
  KubeconfigOptions k;
  k.server = "https://[fd00::1]:7443";
  k.ca_pem = "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n";
  k.token = "0123abcd";
  k.name = "edge";
  auto text = auth::RenderKubeconfig(k);
  REQUIRE(text.ok());
  YAML::Node doc = YAML::Load(*text);
  CHECK(doc["clusters"][0]["cluster"]["server"].as<std::string>() == "https://[fd00::1]:7443");
  CHECK(doc["users"][0]["user"]["token"].as<std::string>() == "0123abcd");
  CHECK_FALSE(doc["users"][0]["user"]["client-certificate-data"]);
  CHECK(doc["current-context"].as<std::string>() == "edge");
  CHECK(doc["contexts"][0]["context"]["cluster"].as<std::string>() == "edge");
}

TEST_CASE("bad kubeconfig options are rejected naming the field") {
  KubeconfigOptions k;
  k.ca_pem = "ca";
  k.token = "t";
  std::string expect;
  SECTION("plain http") {
    k.server = "http://127.0.0.1:6443";
    expect = "kubeconfig: server \"http://127.0.0.1:6443\" is not an https:// URL";
  }
  SECTION("no CA") {
    k.ca_pem.clear();
    expect = "kubeconfig: the CA certificate is empty";
  }
  SECTION("half a certificate") {
    k.client_cert_pem = "cert";
    expect = "kubeconfig: a client certificate needs both the certificate and the key";
  }
  SECTION("no credentials") {
    k.token.clear();
    expect = "kubeconfig: no credentials (client certificate or token)";
  }
  auto text = auth::RenderKubeconfig(k);
  REQUIRE_FALSE(text.ok());
  CHECK(text.status().code() == Code::kInvalidArgument);
  CHECK(text.status().message() == expect);
  TempDir dir;
  Status s = auth::WriteKubeconfig(dir / "k.yaml", 0600, k);
  CHECK(s.message() == expect);
  CHECK_FALSE(Exists(dir / "k.yaml"));
}

TEST_CASE("the kubeconfig is written atomically with the requested mode") {
  TempDir dir;
  auth::PkiOptions o;
  o.tls_dir = dir / "tls";
  auth::ServingMaterial m = MustEnsure(o);
  const std::string path = dir / "etc/skiff/skiff.yaml";
  mode_t old = ::umask(022);  // a service's usual umask; the file mode must not depend on it
  Status s = auth::WriteKubeconfig(path, 0664, AdminKubeconfig(m));
  ::umask(old);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(FileMode(path) == 0664);
  CHECK(FileMode(dir / "etc/skiff") == 0755);
  CHECK(ReadOrEmpty(path) == *auth::RenderKubeconfig(AdminKubeconfig(m)));
  REQUIRE(auth::WriteKubeconfig(path, 0600, AdminKubeconfig(m)).ok());
  CHECK(FileMode(path) == 0600);
  // Nothing but the file itself is left in the directory.
  int entries = 0;
  for (auto& e : std::filesystem::directory_iterator(dir / "etc/skiff")) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 1);
}

TEST_CASE("kubectl reads the kubeconfig") {
  std::string kubectl = std::string(kKubectlDir) + "kubectl.1.33";
  if (!Exists(kubectl)) {
    FAIL("no " << kubectl << ": scripts/install-deps.sh installs it");
  }
  TempDir dir;
  auth::PkiOptions o;
  o.tls_dir = dir / "tls";
  auth::ServingMaterial m = MustEnsure(o);
  REQUIRE(auth::WriteKubeconfig(dir / "kubeconfig", 0600, AdminKubeconfig(m)).ok());
  RunResult ctx = Run({kubectl, "--kubeconfig", dir / "kubeconfig", "config", "current-context"});
  INFO(ctx.err);
  CHECK(ctx.exit_code == 0);
  CHECK(ctx.out == "default\n");
  RunResult server = Run({kubectl, "--kubeconfig", dir / "kubeconfig", "config", "view", "--raw",
                          "-o", "jsonpath={.clusters[0].cluster.server}"});
  CHECK(server.out == "https://127.0.0.1:6443");
  RunResult cert = Run({kubectl, "--kubeconfig", dir / "kubeconfig", "config", "view", "--raw",
                        "-o", "jsonpath={.users[0].user.client-certificate-data}"});
  auto pem = skiff::Base64Decode(cert.out);
  REQUIRE(pem.has_value());
  CHECK(*pem == m.clients.at("client-admin").cert_pem);
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool WaitListening(int port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// kubectl and the Python client connect over TLS to a server holding the serving certificate
// that demands a client certificate from the cluster CA (openssl s_server -Verify), using only
// the kubeconfig. The -www page reports the server's verification of the client certificate.
TEST_CASE("kubectl and the Python client complete mutual TLS with the kubeconfig") {
  if (!Exists(kOpenssl)) {
    FAIL("no " << kOpenssl << ": scripts/install-deps.sh installs it");
  }
  TempDir dir;
  auth::PkiOptions o;
  o.tls_dir = dir / "tls";
  auth::ServingMaterial m = MustEnsure(o);
  int port = FreePort();
  KubeconfigOptions k = AdminKubeconfig(m);
  k.server = "https://127.0.0.1:" + std::to_string(port);
  REQUIRE(auth::WriteKubeconfig(dir / "kubeconfig", 0600, k).ok());

  Process server({kOpenssl, "s_server", "-quiet", "-accept", "127.0.0.1:" + std::to_string(port),
                  "-cert", m.serving.cert_path, "-key", m.serving.key_path, "-CAfile",
                  m.ca_cert_path, "-Verify", "1", "-verify_return_error", "-www"});
  REQUIRE(WaitListening(port, std::chrono::seconds(10)));
  int clients = 0;

  for (const char* version : {"kubectl.1.27", "kubectl.1.33"}) {
    std::string kubectl = std::string(kKubectlDir) + version;
    if (!Exists(kubectl)) continue;
    ++clients;
    INFO(version);
    RunResult r = Run({kubectl, "--kubeconfig", dir / "kubeconfig", "get", "--raw", "/"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Verify return code: 0 (ok)"));
  }

  const char* script =
      "import sys\n"
      "from kubernetes import client, config\n"
      "config.load_kube_config(config_file=sys.argv[1])\n"
      "api = client.ApiClient()\n"
      "r = api.rest_client.pool_manager.request('GET', api.configuration.host + '/')\n"
      "print(r.status, 'Verify return code: 0 (ok)' in r.data.decode())\n";
  if (Exists(kPython) && Run({kPython, "-c", "import kubernetes"}).exit_code == 0) {
    ++clients;
    RunResult r = Run({kPython, "-c", script, dir / "kubeconfig"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "200 True\n");
  }
  CHECK(clients == 3);  // kubectl 1.27 and 1.33 come with the machine; python3-kubernetes from install-deps

  // A kubeconfig whose certificate the server's CA did not issue is refused.
  TempDir other_dir;
  auth::PkiOptions other = o;
  other.tls_dir = other_dir / "tls";
  auth::ServingMaterial foreign = MustEnsure(other);
  KubeconfigOptions intruder = AdminKubeconfig(foreign);
  intruder.ca_pem = m.ca_cert_pem;  // trusts the server, but holds a foreign client certificate
  intruder.server = k.server;
  REQUIRE(auth::WriteKubeconfig(dir / "intruder", 0600, intruder).ok());
  std::string kubectl = std::string(kKubectlDir) + "kubectl.1.33";
  if (Exists(kubectl)) {
    RunResult r = Run({kubectl, "--kubeconfig", dir / "intruder", "get", "--raw", "/"});
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.out, !Catch::Contains("Verify return code: 0 (ok)"));
  }
  server.Signal(SIGTERM);
  server.WaitExit(std::chrono::seconds(5));
}

}  // namespace
}  // namespace skiff::testing
