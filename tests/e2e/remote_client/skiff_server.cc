#include "skiff_server.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

#include "client/kubeconfig.h"

namespace skiff::testing {
namespace {

using namespace std::chrono_literals;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A port nothing listens on right now (the kernel's choice).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// The binary under test; SKIFF_E2E_BINARY points the tests at another build.
std::string SkiffBinary() {
  const char* other = std::getenv("SKIFF_E2E_BINARY");
  return other && *other ? other : SKIFF_BINARY;
}

}  // namespace

SkiffServer::SkiffServer(std::vector<std::string> extra_args, std::string bind_address)
    : extra_args_(std::move(extra_args)),
      bind_address_(std::move(bind_address)),
      port_(FreePort()) {
  Start();
}

SkiffServer::~SkiffServer() { Kill(); }

void SkiffServer::Start() {
  const std::string log_path = dir_ / "server.log";
  const size_t log_before = Slurp(log_path).size();
  // sh redirects the server's stderr to the log file and execs it (same pid).
  std::vector<std::string> argv = {"/bin/sh",
                                   "-c",
                                   "exec \"$@\" 2>>\"$SKIFF_TEST_LOG\"",
                                   "sh",
                                   SkiffBinary(),
                                   "server",
                                   "--disable-agent",
                                   "--disable-scheduler",
                                   "--disable-controller-manager",
                                   "--data-dir",
                                   data_dir(),
                                   "--https-listen-port",
                                   std::to_string(port_),
                                   "--bind-address",
                                   bind_address_,
                                   "--write-kubeconfig",
                                   kubeconfig(),
                                   "--manifests-dir",
                                   data_dir() + "/manifests"};
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  process_ =
      std::make_unique<Process>(argv, std::vector<std::string>{"SKIFF_TEST_LOG=" + log_path});
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = Slurp(log_path);
    if (text.find("server: running", log_before) != std::string::npos) return;
    if (process_->WaitExit(20ms)) break;
  }
  throw std::runtime_error("skiff server did not start on port " + std::to_string(port_) + ":\n" +
                           Slurp(log_path).substr(log_before));
}

void SkiffServer::Kill() {
  if (!process_) return;
  process_->Signal(SIGKILL);
  process_->WaitExit(10s);
  process_.reset();
}

std::string SkiffServer::token() const {
  std::string t = Slurp(data_dir() + "/server/token");
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  return t;
}

std::string SkiffServer::log() const { return Slurp(dir_ / "server.log"); }

client::RemoteClientConfig SkiffServer::Config() const {
  auto config = client::LoadKubeconfig(kubeconfig());
  REQUIRE(config.ok());
  config->resubscribe_initial_backoff = 50ms;
  config->resubscribe_max_backoff = 500ms;
  config->request_timeout = 10s;
  return *config;
}

std::unique_ptr<client::RemoteClient> SkiffServer::NewClient() const {
  auto c = client::RemoteClient::Create(Config());
  REQUIRE(c.ok());
  return std::move(c).value();
}

SkiffServer& SharedServer() {
  static SkiffServer server;
  return server;
}

std::string NewNamespace(client::Client& c, const std::string& tag) {
  static std::atomic<int> counter{0};
  const std::string name =
      "rc-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
  auto created =
      c.Create(client::Namespaces(), "",
               {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
  INFO(created.status().ToString());
  REQUIRE(created.ok());
  return name;
}

}  // namespace skiff::testing
