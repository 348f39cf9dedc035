#include "registry_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

namespace skiff::testing {
namespace {

using namespace std::chrono_literals;

const char kRegistry[] = "/usr/bin/docker-registry";
const char kUmoci[] = "/usr/bin/umoci";
const char kSkopeo[] = "/usr/bin/skopeo";
const char kPython[] = "/usr/bin/python3";
const char kShell[] = "/bin/sh";

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool PortAnswers(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

void MustRun(const std::vector<std::string>& argv) {
  RunResult r = Run(argv, 60s);
  std::string cmd;
  for (const std::string& a : argv) cmd += a + " ";
  INFO(cmd << "\nstdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
}

nlohmann::json ReadJson(const std::string& path) {
  std::string text = ReadAll(path);
  REQUIRE_FALSE(text.empty());
  return nlohmann::json::parse(text);
}

std::string BlobPath(const std::string& layout, const std::string& digest) {
  return layout + "/blobs/sha256/" + digest.substr(7);
}

// The descriptor tagged `tag` in the layout's index.json.
nlohmann::json TaggedDescriptor(const std::string& layout, const std::string& tag) {
  nlohmann::json index = ReadJson(layout + "/index.json");
  for (const nlohmann::json& m : index["manifests"]) {
    if (m.value("annotations", nlohmann::json::object())
            .value("org.opencontainers.image.ref.name", "") == tag) {
      return m;
    }
  }
  FAIL("tag " << tag << " not in " << layout);
  return {};
}

}  // namespace

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  close(fd);
  return ntohs(addr.sin_port);
}

TestPki MakeTestPki(const std::string& dir) {
  const std::string openssl = "/usr/bin/openssl";
  auto key_and_csr = [&](const std::string& name, const std::string& cn) {
    MustRun({openssl, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", dir + "/" + name + ".key", "-out", dir + "/" + name + ".csr", "-subj",
             "/CN=" + cn});
  };
  auto self_signed = [&](const std::string& name) {
    MustRun({openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", dir + "/" + name + ".key", "-out", dir + "/" + name + ".pem",
             "-days", "1", "-subj", "/CN=" + name});
  };
  auto sign = [&](const std::string& name, const std::string& ext) {
    std::ofstream(dir + "/" + name + ".ext") << ext << "\n";
    MustRun({openssl, "x509", "-req", "-in", dir + "/" + name + ".csr", "-CA", dir + "/ca.pem",
             "-CAkey", dir + "/ca.key", "-CAcreateserial", "-out", dir + "/" + name + ".pem",
             "-days", "1", "-extfile", dir + "/" + name + ".ext"});
  };
  self_signed("ca");
  self_signed("other-ca");
  key_and_csr("server", "127.0.0.1");
  sign("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth");
  key_and_csr("client", "skiff-test-client");
  sign("client", "extendedKeyUsage=clientAuth");

  TestPki pki{dir + "/ca.pem",     dir + "/server.pem",   dir + "/server.key", dir + "/client.pem",
              dir + "/client.key", dir + "/other-ca.pem", dir + "/skopeo"};
  std::filesystem::create_directories(pki.skopeo_cert_dir);
  std::filesystem::copy_file(pki.ca, pki.skopeo_cert_dir + "/ca.crt");
  std::filesystem::copy_file(pki.client_cert, pki.skopeo_cert_dir + "/client.cert");
  std::filesystem::copy_file(pki.client_key, pki.skopeo_cert_dir + "/client.key");
  return pki;
}

LocalRegistry::LocalRegistry(const RegistryTlsFiles* tls) {
  port_ = FreeLoopbackPort();
  std::ofstream config(dir_ / "config.yml");
  config << "version: 0.1\n"
            "log:\n  level: error\n  accesslog:\n    disabled: true\n"
            "storage:\n  filesystem:\n    rootdirectory: "
         << dir_ / "data"
         << "\nhttp:\n  addr: 127.0.0.1:" << port_ << "\n";
  if (tls != nullptr) {
    config << "  tls:\n    certificate: " << tls->cert << "\n    key: " << tls->key << "\n";
    if (!tls->client_ca.empty()) config << "    clientcas:\n      - " << tls->client_ca << "\n";
  }
  config.close();
  // Output goes to a file: nobody drains a pipe while the test runs.
  process_ = std::make_unique<Process>(std::vector<std::string>{
      kShell, "-c",
      "exec " + std::string(kRegistry) + " serve " + ShellQuote(dir_ / "config.yml") + " >" +
          ShellQuote(dir_ / "registry.log") + " 2>&1"});
  for (int i = 0; i < 200 && !PortAnswers(port_); ++i) std::this_thread::sleep_for(50ms);
  INFO(ReadAll(dir_ / "registry.log"));
  REQUIRE(PortAnswers(port_));
}

RegistryFront::RegistryFront(const LocalRegistry& upstream, const FrontOptions& o) {
  std::string cmd =
      "exec " + std::string(kPython) + " " + ShellQuote(SKIFF_REGISTRY_FRONT) + " --upstream " +
      upstream.host() + " --port-file " + ShellQuote(dir_ / "ports") + " --log " +
      ShellQuote(dir_ / "requests.log") + " --auth " + o.auth + " --user " + ShellQuote(o.user) +
      " --password " + ShellQuote(o.password) + " --identity-token " +
      ShellQuote(o.identity_token) + " --corrupt " + ShellQuote(o.corrupt) + " --stall-seconds " +
      std::to_string(o.stall_seconds) + " --token-uses " + std::to_string(o.token_uses);
  if (o.redirect_blobs) cmd += " --redirect-blobs";
  if (o.ignore_range) cmd += " --ignore-range";
  if (o.stall_blobs) cmd += " --stall-blobs";
  cmd += " >" + ShellQuote(dir_ / "front.log") + " 2>&1";
  std::ofstream(dir_ / "requests.log").flush();
  process_ = std::make_unique<Process>(std::vector<std::string>{kShell, "-c", cmd});
  for (int i = 0; i < 200 && ReadAll(dir_ / "ports").empty(); ++i) {
    std::this_thread::sleep_for(50ms);
  }
  std::string ports = ReadAll(dir_ / "ports");
  INFO(ReadAll(dir_ / "front.log"));
  REQUIRE_FALSE(ports.empty());
  port_ = std::stoi(ports);
  REQUIRE(PortAnswers(port_));
}

std::vector<std::string> RegistryFront::Log() const {
  std::vector<std::string> out;
  std::istringstream in(ReadAll(dir_ / "requests.log"));
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

int RegistryFront::Count(const std::vector<std::string>& parts) const {
  int n = 0;
  for (const std::string& line : Log()) {
    bool all = true;
    for (const std::string& p : parts) all = all && line.find(p) != std::string::npos;
    n += all ? 1 : 0;
  }
  return n;
}

BuiltImage BuildImage(const std::string& layout, const std::string& tag, const std::string& hello,
                      const std::string& architecture) {
  // `umoci insert` writes tar streams without padding or end blocks; unpack + repack is sound.
  const std::string bundle = layout + ".bundle";
  if (access((layout + "/index.json").c_str(), F_OK) != 0) {
    // The shared bottom layer: busybox, built once per layout so every image has the same one.
    MustRun({kUmoci, "init", "--layout", layout});
    MustRun({kUmoci, "new", "--image", layout + ":base"});
    MustRun({kUmoci, "unpack", "--image", layout + ":base", bundle});
    std::filesystem::create_directories(bundle + "/rootfs/bin");
    std::filesystem::copy_file("/bin/busybox", bundle + "/rootfs/bin/busybox");
    MustRun({kUmoci, "repack", "--image", layout + ":base", bundle});
    std::filesystem::remove_all(bundle);
  }
  const std::string image = layout + ":" + tag;
  MustRun({kUmoci, "tag", "--image", layout + ":base", tag});
  MustRun({kUmoci, "unpack", "--image", image, bundle});
  std::ofstream(bundle + "/rootfs/hello") << hello;
  MustRun({kUmoci, "repack", "--image", image, bundle});
  std::filesystem::remove_all(bundle);
  MustRun({kUmoci, "config", "--image", image, "--config.cmd", "/bin/busybox", "--os", "linux",
           "--architecture", architecture});

  BuiltImage out;
  nlohmann::json desc = TaggedDescriptor(layout, tag);
  out.manifest_digest = desc["digest"];
  nlohmann::json manifest = ReadJson(BlobPath(layout, out.manifest_digest));
  out.config_digest = manifest["config"]["digest"];
  for (const nlohmann::json& l : manifest["layers"]) {
    out.layers.push_back(l["digest"]);
    out.layer_sizes.push_back(l["size"]);
  }
  REQUIRE(out.layers.size() == 2);
  return out;
}

std::string AddIndex(const std::string& layout, const std::string& tag,
                     const std::vector<std::pair<std::string, std::string>>& entries) {
  nlohmann::json manifests = nlohmann::json::array();
  for (const auto& [entry_tag, arch] : entries) {
    nlohmann::json d = TaggedDescriptor(layout, entry_tag);
    manifests.push_back({{"mediaType", d["mediaType"]},
                         {"digest", d["digest"]},
                         {"size", d["size"]},
                         {"platform", {{"architecture", arch}, {"os", "linux"}}}});
  }
  nlohmann::json index = {{"schemaVersion", 2},
                          {"mediaType", "application/vnd.oci.image.index.v1+json"},
                          {"manifests", manifests}};
  const std::string bytes = index.dump();
  // The digest of the index: written to a temporary file and hashed by sha256sum.
  const std::string tmp = layout + ".index.json";
  std::ofstream(tmp) << bytes;
  RunResult sum = Run({"/usr/bin/sha256sum", tmp});
  REQUIRE(sum.exit_code == 0);
  const std::string digest = "sha256:" + sum.out.substr(0, 64);
  REQUIRE(rename(tmp.c_str(), BlobPath(layout, digest).c_str()) == 0);

  nlohmann::json top = ReadJson(layout + "/index.json");
  top["manifests"].push_back({{"mediaType", "application/vnd.oci.image.index.v1+json"},
                              {"digest", digest},
                              {"size", bytes.size()},
                              {"annotations", {{"org.opencontainers.image.ref.name", tag}}}});
  std::ofstream(layout + "/index.json") << top.dump();
  return digest;
}

std::string Push(const std::string& layout, const std::string& tag, const std::string& dest,
                 const std::vector<std::string>& extra) {
  const std::string digest_file = layout + ".pushed-digest";
  std::vector<std::string> argv = {kSkopeo,        "copy",     "--quiet", "--dest-tls-verify=false",
                                   "--digestfile", digest_file};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back("oci:" + layout + ":" + tag);
  argv.push_back("docker://" + dest);
  MustRun(argv);
  std::string digest = ReadAll(digest_file);
  unlink(digest_file.c_str());
  while (!digest.empty() && (digest.back() == '\n' || digest.back() == ' ')) digest.pop_back();
  REQUIRE(digest.starts_with("sha256:"));
  return digest;
}

}  // namespace skiff::testing
