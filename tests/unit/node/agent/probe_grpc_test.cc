// gRPC probes against a real gRPC server (python3-grpcio, tests/e2e/lib/grpc_health_server.py)
// on loopback.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "node/agent/probe_actions.h"

using skiff::node::RunGrpcHealthCheck;
using namespace std::chrono_literals;

namespace {

const std::string kServer = std::string(SKIFF_SOURCE_DIR) + "/tests/e2e/lib/grpc_health_server.py";

// The server as a child process, on a port of its choosing; killed at the end.
class GrpcServer {
 public:
  explicit GrpcServer(std::vector<std::string> extra) {
    std::vector<std::string> args = {"/usr/bin/python3", kServer};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2], in[2];
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    REQUIRE(::posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    ::close(in[0]);
    stdin_ = in[1];
    FILE* f = ::fdopen(out[0], "r");
    char line[128] = {};
    REQUIRE(std::fgets(line, sizeof line, f) != nullptr);
    std::fclose(f);
    REQUIRE(std::sscanf(line, "listening %d", &port_) == 1);
  }
  ~GrpcServer() {
    ::close(stdin_);
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE("a SERVING answer passes, other statuses fail in kubelet's words") {
  char dir[] = "/tmp/skiff-grpc-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  const std::string status_file = std::string(dir) + "/status";
  GrpcServer server({"--status-file", status_file, "--service", "db"});

  auto ok = RunGrpcHealthCheck("127.0.0.1", server.port(), "", 1s);
  CHECK(ok.success);
  CHECK(ok.message == "");
  CHECK(RunGrpcHealthCheck("127.0.0.1", server.port(), "db", 1s).success);

  std::ofstream(status_file) << "NOT_SERVING";
  auto down = RunGrpcHealthCheck("127.0.0.1", server.port(), "db", 1s);
  CHECK_FALSE(down.success);
  CHECK(down.message == "service unhealthy (responded with \"NOT_SERVING\")");
  std::ofstream(status_file) << "UNKNOWN";
  CHECK(RunGrpcHealthCheck("127.0.0.1", server.port(), "", 1s).message ==
        "service unhealthy (responded with \"UNKNOWN\")");

  auto unknown = RunGrpcHealthCheck("127.0.0.1", server.port(), "nosuch", 1s);
  CHECK_FALSE(unknown.success);
  CHECK(unknown.message == "error: health rpc probe failed: rpc error: code = NotFound desc = unknown service");
  ::unlink(status_file.c_str());
  ::rmdir(dir);
}

TEST_CASE("a server without the health service, and no server at all") {
  GrpcServer server({"--no-health"});
  // Under a loaded machine (ASan, both cores busy) grpcio has been seen to reset the stream
  // before its UNIMPLEMENTED answer reached curl: a transport hiccup, not what this checks.
  auto none = RunGrpcHealthCheck("127.0.0.1", server.port(), "", 1s);
  for (int i = 0; i < 3 && none.message.find("Stream error in the HTTP/2 framing layer") !=
                               std::string::npos; ++i) {
    none = RunGrpcHealthCheck("127.0.0.1", server.port(), "", 1s);
  }
  CHECK_FALSE(none.success);
  CHECK_THAT(none.message, Catch::StartsWith("error: this server does not implement the grpc "
                                             "health protocol (grpc.health.v1.Health): "));

  // A port nobody listens on (the server's, once it is gone, would race: use port 1).
  auto refused = RunGrpcHealthCheck("127.0.0.1", 1, "", 2s);
  CHECK_FALSE(refused.success);
  CHECK(refused.message == "timeout: failed to connect service \"127.0.0.1:1\" within 2s: "
                           "context deadline exceeded");
}
