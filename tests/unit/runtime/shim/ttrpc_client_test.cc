// TtrpcClient's call matching, timeouts and shutdown, against a scripted peer on a socketpair
// (the real shim is driven in shim_e2e_test.cc).
#include "runtime/shim/ttrpc_client.h"

#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <atomic>
#include <future>
#include <string>
#include <thread>

#include "runtime/shim/unix_socket.h"

using namespace std::chrono_literals;
using skiff::Code;
using skiff::UniqueFd;
using namespace skiff::runtime::shim;

namespace {

// The far end of the connection: reads request frames, writes raw bytes back.
class Peer {
 public:
  explicit Peer(UniqueFd fd) : fd_(std::move(fd)) {}

  FrameParser::Frame ReadRequest() {
    FrameParser::Frame frame;
    char buf[4096];
    while (!parser_.Next(&frame)) {
      const ssize_t n = ::read(fd_.get(), buf, sizeof(buf));
      REQUIRE(n > 0);
      parser_.Append(std::string_view(buf, static_cast<size_t>(n)));
    }
    return frame;
  }

  void Reply(uint32_t stream_id, const RpcResponse& response) {
    Send(EncodeFrame(stream_id, FrameType::kResponse, EncodeResponse(response)));
  }
  void Send(std::string_view bytes) { REQUIRE(WriteAll(fd_.get(), bytes, "test peer").ok()); }
  void Close() { fd_.reset(); }

 private:
  UniqueFd fd_;
  FrameParser parser_;
};

struct Pair {
  std::unique_ptr<TtrpcClient> client;
  std::unique_ptr<Peer> peer;
};

Pair MakePair() {
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  Pair p;
  p.client = std::make_unique<TtrpcClient>(UniqueFd(fds[0]), "test-shim");
  p.peer = std::make_unique<Peer>(UniqueFd(fds[1]));
  return p;
}

}  // namespace

TEST_CASE("ttrpc client uses odd stream ids and matches out-of-order replies") {
  Pair p = MakePair();
  auto first =
      std::async(std::launch::async, [&] { return p.client->Call("svc", "Wait", "w", 5s); });
  const auto wait_req = p.peer->ReadRequest();
  auto second =
      std::async(std::launch::async, [&] { return p.client->Call("svc", "State", "s", 5s); });
  const auto state_req = p.peer->ReadRequest();

  CHECK(wait_req.header.stream_id == 1);
  CHECK(state_req.header.stream_id == 3);
  CHECK(wait_req.header.type == 1);
  auto decoded = DecodeRequest(wait_req.payload);
  REQUIRE(decoded.ok());
  CHECK(decoded->service == "svc");
  CHECK(decoded->method == "Wait");
  CHECK(decoded->payload == "w");
  CHECK(decoded->timeout_nano == 5000000000LL);

  // The later call is answered first; the blocked Wait is unaffected.
  p.peer->Reply(3, RpcResponse{{}, "state-reply"});
  auto state = second.get();
  REQUIRE(state.ok());
  CHECK(state->payload == "state-reply");
  CHECK(first.wait_for(50ms) == std::future_status::timeout);

  p.peer->Reply(1, RpcResponse{{5, "process already finished"}, ""});
  auto wait = first.get();
  REQUIRE(wait.ok());
  CHECK(wait->status.code == 5);
  CHECK(wait->status.message == "process already finished");
}

TEST_CASE("ttrpc client call times out, and the late reply is dropped") {
  Pair p = MakePair();
  auto result = p.client->Call("svc", "Slow", "", 100ms);
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == Code::kUnavailable);
  CHECK(result.status().message() == "Slow to test-shim: no reply within 100 ms");
  const auto req = p.peer->ReadRequest();
  p.peer->Reply(req.header.stream_id, RpcResponse{{}, "late"});

  // The connection still works for the next call.
  auto next = std::async(std::launch::async, [&] { return p.client->Call("svc", "Next", "", 5s); });
  const auto next_req = p.peer->ReadRequest();
  CHECK(next_req.header.stream_id == 3);
  p.peer->Reply(3, RpcResponse{{}, "fresh"});
  auto reply = next.get();
  REQUIRE(reply.ok());
  CHECK(reply->payload == "fresh");
}

TEST_CASE("ttrpc client Close wakes every waiting call with kUnavailable") {
  Pair p = MakePair();
  auto a = std::async(std::launch::async, [&] { return p.client->Call("svc", "Wait", "", 60s); });
  auto b = std::async(std::launch::async, [&] { return p.client->Call("svc", "Wait", "", 60s); });
  p.peer->ReadRequest();
  p.peer->ReadRequest();
  const auto start = std::chrono::steady_clock::now();
  p.client->Close();
  for (auto* f : {&a, &b}) {
    auto r = f->get();
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kUnavailable);
    CHECK(r.status().message() == "connection to test-shim closed by the client");
  }
  CHECK(std::chrono::steady_clock::now() - start < 2s);
  CHECK_FALSE(p.client->peer_closed());
  auto after = p.client->Call("svc", "State", "", 1s);
  CHECK(after.status().code() == Code::kUnavailable);
  p.client->Close();  // idempotent
}

TEST_CASE("ttrpc client fails pending calls when the peer closes mid-frame") {
  Pair p = MakePair();
  auto a = std::async(std::launch::async, [&] { return p.client->Call("svc", "Wait", "", 60s); });
  const auto req = p.peer->ReadRequest();
  // Half a reply frame, then EOF: the truncated frame is never delivered.
  const std::string frame = EncodeFrame(req.header.stream_id, FrameType::kResponse,
                                        EncodeResponse(RpcResponse{{}, "payload"}));
  p.peer->Send(std::string_view(frame).substr(0, 12));
  p.peer->Close();
  auto r = a.get();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kUnavailable);
  CHECK(r.status().message() == "connection to test-shim closed by the shim");
  CHECK(p.client->peer_closed());
}

TEST_CASE("ttrpc client answers an oversize reply with kResourceExhausted for that call only") {
  Pair p = MakePair();
  auto a = std::async(std::launch::async, [&] { return p.client->Call("svc", "Big", "", 10s); });
  const auto req = p.peer->ReadRequest();
  const uint32_t big = kMaxFramePayload + 10;
  p.peer->Send(EncodeFrameHeader({big, req.header.stream_id, 2, 0}));
  auto r = a.get();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kResourceExhausted);
  CHECK(r.status().message() ==
        "reply from test-shim is 4194314 bytes, over the 4 MiB ttrpc limit");

  // Its bytes are skipped, and the connection serves the next call.
  auto b = std::async(std::launch::async, [&] { return p.client->Call("svc", "Small", "", 10s); });
  const auto next = p.peer->ReadRequest();
  p.peer->Send(std::string(big, 'x'));
  p.peer->Reply(next.header.stream_id, RpcResponse{{}, "small"});
  auto small = b.get();
  REQUIRE(small.ok());
  CHECK(small->payload == "small");
}

TEST_CASE("ttrpc client Connect names a missing socket and a stale one") {
  auto missing = TtrpcClient::Connect("/nonexistent-skiff-dir/shim.sock", 200ms);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Code::kNotFound);
  CHECK(missing.status().message() ==
        "connecting to /nonexistent-skiff-dir/shim.sock: No such file or directory");

  char dir_template[] = "/tmp/skiff-ttrpc-XXXXXX";
  REQUIRE(::mkdtemp(dir_template) != nullptr);
  const std::string path = std::string(dir_template) + "/stale.sock";
  {
    auto listener = ListenUnixSocket(path);
    REQUIRE(listener.ok());
  }  // closed: the file stays, nobody listens
  auto stale = TtrpcClient::Connect(path, 200ms);
  ::unlink(path.c_str());
  ::rmdir(dir_template);
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.status().code() == Code::kUnavailable);
  CHECK(stale.status().message() ==
        "connecting to " + path + ": Connection refused (nothing listens: stale socket?)");
}

TEST_CASE("ttrpc client reports the peer closing once, and never its own Close") {
  for (bool peer_closes : {true, false}) {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    std::atomic<int> calls{0};
    auto client = std::make_unique<TtrpcClient>(UniqueFd(fds[0]), "test-shim", [&] { ++calls; });
    Peer peer{UniqueFd(fds[1])};
    if (peer_closes) {
      peer.Close();
      for (int i = 0; i < 200 && !client->peer_closed(); ++i) std::this_thread::sleep_for(5ms);
      REQUIRE(client->peer_closed());
    }
    client->Close();
    client.reset();
    CHECK(calls.load() == (peer_closes ? 1 : 0));
  }
}
