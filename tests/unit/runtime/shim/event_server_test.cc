// ShimEventServer driven by the ttrpc client (the real shim's events are in shim_e2e_test.cc).
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/shim/event_codec.h"
#include "runtime/shim/proto_fields.h"
#include "runtime/shim/ttrpc_client.h"
#include "runtime/shim/unix_socket.h"
#include "skiff/common/proto_wire.h"
#include "skiff/runtime/shim_events.h"

using namespace std::chrono_literals;
using skiff::Code;
using skiff::protowire::Writer;
using namespace skiff::runtime;
using namespace skiff::runtime::shim;

namespace {

// A temporary directory removed at scope exit.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/skiff-events-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    ::unlink((path + "/events.sock").c_str());
    ::unlink((path + "/file").c_str());
    ::rmdir(path.c_str());
  }
};

std::string OomForward(const std::string& container) {
  Writer oom;
  oom.String(1, container);
  Writer envelope;
  envelope.String(2, "ns1");
  envelope.String(3, "/tasks/oom");
  envelope.Message(4, EncodeAny("containerd.events.TaskOOM", oom.bytes()));
  Writer forward;
  forward.Message(1, envelope);
  return forward.Take();
}

}  // namespace

TEST_CASE("event server decodes Forward, replies empty, refuses unknown methods and junk") {
  TempDir dir;
  const std::string path = dir.path + "/events.sock";
  std::mutex mu;
  std::vector<ShimEvent> events;  // guarded by mu
  auto server = ShimEventServer::Start(path, [&](const ShimEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(e);
  });
  REQUIRE(server.ok());
  CHECK(server.value()->path() == path);

  auto client = TtrpcClient::Connect(path, 1s);
  REQUIRE(client.ok());
  auto reply = client.value()->Call("containerd.services.events.ttrpc.v1.Events", "Forward",
                                    OomForward("c9"), 5s);
  REQUIRE(reply.ok());
  CHECK(reply->status.code == 0);
  CHECK(reply->payload.empty());
  {
    std::lock_guard<std::mutex> lock(mu);  // the reply is sent after the callback returned
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == ShimEventKind::kTaskOOM);
    CHECK(events[0].ns == "ns1");
    CHECK(events[0].topic == "/tasks/oom");
    CHECK(events[0].container_id == "c9");
  }

  auto unknown =
      client.value()->Call("containerd.services.events.ttrpc.v1.Events", "Publish", "", 5s);
  REQUIRE(unknown.ok());
  CHECK(unknown->status.code == 12);
  CHECK(unknown->status.message ==
        "containerd.services.events.ttrpc.v1.Events/Publish is not served here");

  auto junk =
      client.value()->Call("containerd.services.events.ttrpc.v1.Events", "Forward", "\x0a\x05", 5s);
  REQUIRE(junk.ok());
  CHECK(junk->status.code == 3);
  {
    std::lock_guard<std::mutex> lock(mu);
    CHECK(events.size() == 1);
  }

  // A second publisher on its own connection is served too.
  auto other = TtrpcClient::Connect(path, 1s);
  REQUIRE(other.ok());
  REQUIRE(other.value()
              ->Call("containerd.services.events.ttrpc.v1.Events", "Forward", OomForward("c10"), 5s)
              ->status.code == 0);

  server.value()->Stop();
  server.value()->Stop();  // idempotent
  struct stat st;
  CHECK(::lstat(path.c_str(), &st) != 0);
  auto after = client.value()->Call("containerd.services.events.ttrpc.v1.Events", "Forward",
                                    OomForward("c11"), 2s);
  CHECK(after.status().code() == Code::kUnavailable);
  std::lock_guard<std::mutex> lock(mu);
  REQUIRE(events.size() == 2);
  CHECK(events[1].container_id == "c10");
}

TEST_CASE("event server replaces a stale socket and refuses a path that is not a socket") {
  TempDir dir;
  const std::string path = dir.path + "/events.sock";
  {
    auto stale = ListenUnixSocket(path);
    REQUIRE(stale.ok());
  }  // the socket file stays behind
  auto server = ShimEventServer::Start(path, [](const ShimEvent&) {});
  REQUIRE(server.ok());
  server.value()->Stop();

  const std::string file = dir.path + "/file";
  std::ofstream(file) << "not a socket";
  auto refused = ShimEventServer::Start(file, [](const ShimEvent&) {});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == Code::kAlreadyExists);
  CHECK(refused.status().message() ==
        "cannot listen at " + file + ": a file that is not a socket is there");

  auto no_callback = ShimEventServer::Start(path, nullptr);
  REQUIRE_FALSE(no_callback.ok());
  CHECK(no_callback.status().code() == Code::kInvalidArgument);
}
