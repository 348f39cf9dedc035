// Probe actions and the prober against real sockets on loopback: a tiny HTTP server whose
// answer the test sets, and closed ports.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "node/agent/probe_actions.h"
#include "node/agent/prober.h"

using nlohmann::json;
using namespace std::chrono_literals;
using skiff::node::ContainerRecord;
using skiff::node::PodRecord;
using skiff::node::Prober;
using skiff::node::ProbeKind;

namespace {

// Answers every request with `status` (0: accepts and never answers), on 127.0.0.1:port().
class HttpServer {
 public:
  HttpServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~HttpServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
  void set_status(int status) { status_ = status; }
  int requests() const { return requests_; }
  std::string last_request() {
    std::lock_guard lock(mu_);
    return last_;
  }

 private:
  void Serve() {
    std::vector<int> held;
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) != 1) continue;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      ++requests_;
      char buf[4096];
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      {
        std::lock_guard lock(mu_);
        last_.assign(buf, n > 0 ? static_cast<size_t>(n) : 0);
      }
      const int status = status_;
      if (status == 0) {
        held.push_back(c);  // never answered
        continue;
      }
      std::string reply = "HTTP/1.1 " + std::to_string(status) +
                          " X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
      ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(c);
    }
    for (int c : held) ::close(c);
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> status_{200};
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::string last_;
  std::thread thread_;
};

// A port nothing listens on.
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

template <class F>
bool Eventually(F done, std::chrono::milliseconds limit = 8000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

std::string Now() {
  char buf[64];
  std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// A pod with one running container "main" (id "c1") on 127.0.0.1 and the given probes.
struct Subject {
  json pod;
  PodRecord record;
  explicit Subject(json probes) {
    json container = {{"name", "main"}, {"image", "busybox"},
                      {"ports", json::array({{{"name", "http"}, {"containerPort", 8080}}})}};
    container.update(probes);
    pod = {{"metadata", {{"name", "p"}, {"namespace", "default"}, {"uid", "u1"}}},
           {"spec", {{"containers", json::array({container})}}}};
    record.uid = "u1";
    record.pod_ips = {"127.0.0.1"};
    ContainerRecord c;
    c.name = "main";
    c.id = "c1";
    c.state = ContainerRecord::State::kRunning;
    c.started_at = Now();
    record.containers = {c};
  }
};

json Http(int port, int failure_threshold = 1, int period = 1) {
  return {{"httpGet", {{"path", "/healthz"}, {"port", port}}},
          {"periodSeconds", period},
          {"failureThreshold", failure_threshold}};
}

}  // namespace

TEST_CASE("probe actions: TCP connect succeeds on a listener, fails in Go's words otherwise") {
  HttpServer server;
  CHECK(skiff::node::RunTcpConnect("127.0.0.1", server.port(), 1s).success);
  const int closed = ClosedPort();
  auto refused = skiff::node::RunTcpConnect("127.0.0.1", closed, 1s);
  CHECK_FALSE(refused.success);
  CHECK(refused.message == "dial tcp 127.0.0.1:" + std::to_string(closed) +
                               ": connect: connection refused");
}

TEST_CASE("probe actions: HTTP GET counts 200-399 as success and names the failure") {
  HttpServer server;
  skiff::node::HttpGetAction a;
  a.host = "127.0.0.1";
  a.port = server.port();
  a.path = "/healthz";
  a.headers = {{"X-Probe", "yes"}};
  CHECK(skiff::node::RunHttpGet(a, 1s).success);
  const std::string request = server.last_request();
  CHECK(request.rfind("GET /healthz HTTP/1.1\r\n", 0) == 0);
  CHECK(request.find("User-Agent: kube-probe/1.32\r\n") != std::string::npos);
  CHECK(request.find("X-Probe: yes\r\n") != std::string::npos);
  server.set_status(302);  // no Location: a 3xx is still success
  CHECK(skiff::node::RunHttpGet(a, 1s).success);
  server.set_status(503);
  auto failed = skiff::node::RunHttpGet(a, 1s);
  CHECK_FALSE(failed.success);
  CHECK(failed.message == "HTTP probe failed with statuscode: 503");

  server.set_status(0);  // never answers
  const auto started = std::chrono::steady_clock::now();
  auto slow = skiff::node::RunHttpGet(a, 300ms);
  CHECK_FALSE(slow.success);
  CHECK(slow.message == "Get \"http://127.0.0.1:" + std::to_string(server.port()) +
                            "/healthz\": context deadline exceeded (Client.Timeout exceeded "
                            "while awaiting headers)");
  CHECK(std::chrono::steady_clock::now() - started < 2s);

  a.port = ClosedPort();
  auto refused = skiff::node::RunHttpGet(a, 1s);
  CHECK(refused.message == "Get \"http://127.0.0.1:" + std::to_string(a.port) +
                               "/healthz\": dial tcp 127.0.0.1:" + std::to_string(a.port) +
                               ": connect: connection refused");
}

TEST_CASE("probe actions: ports by number or by the container's port name") {
  json container = {{"ports", json::array({{{"name", "http"}, {"containerPort", 8080}}})}};
  CHECK(skiff::node::ResolvePort(json(81), container) == 81);
  CHECK(skiff::node::ResolvePort(json("http"), container) == 8080);
  CHECK(skiff::node::ResolvePort(json("9090"), container) == 9090);
  CHECK_FALSE(skiff::node::ResolvePort(json("admin"), container).has_value());
  CHECK_FALSE(skiff::node::ResolvePort(json(70000), container).has_value());
  std::string error;
  CHECK_FALSE(skiff::node::HttpGetFrom({{"port", "admin"}}, container, "10.0.0.1", &error));
  CHECK(error == "unable to resolve port \"admin\"");
  auto a = skiff::node::HttpGetFrom({{"port", "http"}, {"scheme", "HTTPS"}}, container, "10.0.0.1",
                                    &error);
  REQUIRE(a);
  CHECK(a->host == "10.0.0.1");
  CHECK(a->port == 8080);
  CHECK(a->scheme == "HTTPS");
}

TEST_CASE("prober: readiness starts false, follows the probe, and pokes on changes") {
  HttpServer server;
  std::atomic<int> pokes{0};
  Prober prober({{}, [&](const std::string& uid) { pokes += uid == "u1"; }, nullptr});
  json probe = Http(server.port());
  probe["initialDelaySeconds"] = 2;  // startedAt has whole seconds: at least 1 s from now
  Subject s(json{{"readinessProbe", probe}});
  prober.Sync(s.pod, s.record);
  CHECK(prober.Started("c1"));
  CHECK_FALSE(prober.Ready("c1"));  // not before the first success
  std::this_thread::sleep_for(500ms);
  CHECK(server.requests() == 0);  // initialDelaySeconds
  CHECK(Eventually([&] { return prober.Ready("c1"); }, 4000ms));
  CHECK(pokes.load() >= 1);
  server.set_status(500);
  CHECK(Eventually([&] { return !prober.Ready("c1"); }, 3000ms));
  CHECK_FALSE(prober.Failed("c1").has_value());  // readiness never restarts anything
  // An id the prober does not follow (no probes): started and ready.
  CHECK(prober.Ready("other"));
  prober.Forget("u1");
  CHECK(prober.Ready("c1"));
}

TEST_CASE("prober: liveness fails only after failureThreshold failures in a row") {
  HttpServer server;
  server.set_status(500);
  std::atomic<int> pokes{0};
  Prober prober({{}, [&](const std::string&) { ++pokes; }, nullptr});
  Subject s(json{{"livenessProbe", Http(server.port(), /*failure_threshold=*/2)}});
  const auto started = std::chrono::steady_clock::now();
  prober.Sync(s.pod, s.record);
  REQUIRE(Eventually([&] { return prober.Failed("c1").has_value(); }, 5000ms));
  // Probes at 0 s and 1 s: the second failure reaches the threshold.
  CHECK(std::chrono::steady_clock::now() - started >= 900ms);
  CHECK(server.requests() == 2);
  CHECK(prober.Failed("c1")->kind == ProbeKind::kLiveness);
  CHECK(prober.Failed("c1")->message == "HTTP probe failed with statuscode: 500");
  CHECK(pokes.load() == 1);
  // On hold: no more probes for this attempt.
  std::this_thread::sleep_for(1500ms);
  CHECK(server.requests() == 2);
  // The restarted attempt (a new id) is probed afresh; the old one is dropped.
  server.set_status(200);
  s.record.containers[0].id = "c2";
  prober.Sync(s.pod, s.record);
  CHECK_FALSE(prober.Failed("c1").has_value());
  std::this_thread::sleep_for(300ms);
  CHECK_FALSE(prober.Failed("c2").has_value());
  CHECK(server.requests() == 3);
}

TEST_CASE("prober: a startup probe holds liveness and readiness back until it succeeds") {
  HttpServer startup_server, other_server;
  startup_server.set_status(500);
  Prober prober({{}, {}, nullptr});
  Subject s(json{{"startupProbe", Http(startup_server.port(), /*failure_threshold=*/30)},
             {"livenessProbe", Http(other_server.port())},
             {"readinessProbe", {{"tcpSocket", {{"port", other_server.port()}}}, {"periodSeconds", 1}}}});
  prober.Sync(s.pod, s.record);
  std::this_thread::sleep_for(1300ms);
  CHECK_FALSE(prober.Started("c1"));
  CHECK_FALSE(prober.Ready("c1"));
  CHECK(other_server.requests() == 0);  // liveness waits (readiness is a bare TCP connect)
  startup_server.set_status(200);
  CHECK(Eventually([&] { return prober.Started("c1"); }, 3000ms));
  CHECK(Eventually([&] { return prober.Ready("c1"); }, 3000ms));
  CHECK(Eventually([&] { return other_server.requests() >= 2; }, 3000ms));
  CHECK_FALSE(prober.Failed("c1").has_value());
}

TEST_CASE("prober: a startup probe that keeps failing fails the attempt, grpc ones too") {
  Prober prober({{}, {}, nullptr});
  Subject s(json{{"startupProbe", {{"tcpSocket", {{"port", ClosedPort()}}}, {"periodSeconds", 1},
                               {"failureThreshold", 1}}}});
  prober.Sync(s.pod, s.record);
  REQUIRE(Eventually([&] { return prober.Failed("c1").has_value(); }, 3000ms));
  CHECK(prober.Failed("c1")->kind == ProbeKind::kStartup);
  CHECK(prober.Failed("c1")->message.find(": connect: connection refused") != std::string::npos);

  const int closed = ClosedPort();
  Subject g(json{{"livenessProbe", {{"grpc", {{"port", closed}}}, {"failureThreshold", 1}}}});
  g.record.containers[0].id = "g1";
  prober.Sync(g.pod, g.record);
  REQUIRE(Eventually([&] { return prober.Failed("g1").has_value(); }, 3000ms));
  CHECK(prober.Failed("g1")->kind == ProbeKind::kLiveness);
  CHECK_THAT(prober.Failed("g1")->message,
             Catch::EndsWith(":" + std::to_string(closed) +
                             "\" within 1s: context deadline exceeded"));
}
