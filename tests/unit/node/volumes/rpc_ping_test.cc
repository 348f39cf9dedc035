// The ONC RPC NULL ping against a tiny in-test RPC server, a closed port and a silent server;
// CheckNfsServerAnswers' version fallback and messages.
#include <chrono>

#include <catch2/catch.hpp>

#include "fake_rpc_server.h"
#include "node/volumes/nfs_volume.h"
#include "node/volumes/rpc_ping.h"

using namespace skiff::node::internal;
using skiff::Code;
using skiff::node::testing::AcceptedReply;
using skiff::node::testing::ClosedPort;
using skiff::node::testing::FakeRpcServer;
using namespace std::chrono_literals;

TEST_CASE("rpc ping: the call is a record-marked NULL call with AUTH_NONE") {
  const std::string call = EncodeNullCall(0x01020304, 100003, 4);
  REQUIRE(call.size() == 44);
  CHECK(static_cast<unsigned char>(call[0]) == 0x80);
  CHECK(static_cast<unsigned char>(call[3]) == 40);
  CHECK(call.substr(4, 4) == std::string("\x01\x02\x03\x04", 4));
}

TEST_CASE("rpc ping: a server that serves the version is accepted") {
  FakeRpcServer server([](uint32_t xid, uint32_t) { return AcceptedReply(xid, 0); });
  auto reply = RpcNullCall("127.0.0.1", server.port(), kNfsProgram, 4, 2s);
  REQUIRE(reply.ok());
  CHECK(reply->kind == RpcReply::Kind::kAccepted);
  auto calls = server.calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].program == 100003);
  CHECK(calls[0].version == 4);
  CHECK(calls[0].procedure == 0);
}

TEST_CASE("rpc ping: PROG_MISMATCH carries the versions served") {
  FakeRpcServer server([](uint32_t xid, uint32_t) { return AcceptedReply(xid, 2, {2, 3}); });
  auto reply = RpcNullCall("127.0.0.1", server.port(), kNfsProgram, 4, 2s);
  REQUIRE(reply.ok());
  CHECK(reply->kind == RpcReply::Kind::kProgramMismatch);
  CHECK(reply->low == 2);
  CHECK(reply->high == 3);
}

TEST_CASE("rpc ping: a reply for another xid is malformed") {
  FakeRpcServer server([](uint32_t xid, uint32_t) { return AcceptedReply(xid + 1, 0); });
  auto reply = RpcNullCall("127.0.0.1", server.port(), kNfsProgram, 4, 2s);
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.status().code() == Code::kUnavailable);
  CHECK(reply.status().message() == "a malformed reply (for another call)");
}

TEST_CASE("rpc ping: a closed port is refused at once") {
  const auto start = std::chrono::steady_clock::now();
  auto reply = RpcNullCall("127.0.0.1", ClosedPort(), kNfsProgram, 4, 3s);
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.status().code() == Code::kUnavailable);
  CHECK(reply.status().message() == "connection refused");
  CHECK(std::chrono::steady_clock::now() - start < 1s);
}

TEST_CASE("rpc ping: a server that never replies times out within the bound") {
  FakeRpcServer server([](uint32_t, uint32_t) { return std::string(); });
  const auto start = std::chrono::steady_clock::now();
  auto reply = RpcNullCall("127.0.0.1", server.port(), kNfsProgram, 4, 300ms);
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.status().message() == "no reply within 300 ms");
  CHECK(took >= 250ms);
  CHECK(took < 2s);
}

TEST_CASE("nfs server check: version 4 then 3, and what each failure says") {
  SECTION("v4 mismatched, v3 served: answers") {
    FakeRpcServer server([](uint32_t xid, uint32_t v) {
      return v == 4 ? AcceptedReply(xid, 2, {3, 3}) : AcceptedReply(xid, 0);
    });
    CHECK(CheckNfsServerAnswers("127.0.0.1", server.port(), {4, 3}, 2s).ok());
    auto calls = server.calls();
    REQUIRE(calls.size() == 2);
    CHECK(calls[0].version == 4);
    CHECK(calls[1].version == 3);
  }
  SECTION("v4 served: v3 is not asked") {
    FakeRpcServer server([](uint32_t xid, uint32_t) { return AcceptedReply(xid, 0); });
    CHECK(CheckNfsServerAnswers("127.0.0.1", server.port(), {4, 3}, 2s).ok());
    CHECK(server.calls().size() == 1);
  }
  SECTION("only version 2 served") {
    FakeRpcServer server([](uint32_t xid, uint32_t) { return AcceptedReply(xid, 2, {2, 2}); });
    auto s = CheckNfsServerAnswers("127.0.0.1", server.port(), {4, 3}, 2s);
    CHECK(s.code() == Code::kUnavailable);
    CHECK(s.message() == "NFS server 127.0.0.1:" + std::to_string(server.port()) +
                             " serves NFS version 2 only, not 4 or 3");
  }
  SECTION("another RPC program") {
    FakeRpcServer server([](uint32_t xid, uint32_t) { return AcceptedReply(xid, 1); });
    auto s = CheckNfsServerAnswers("127.0.0.1", server.port(), {4, 3}, 2s);
    CHECK(s.message() == "NFS server 127.0.0.1:" + std::to_string(server.port()) +
                             " is not answering: an RPC server answers there, but does not "
                             "serve NFS (program 100003)");
  }
  SECTION("nothing listens: refused, once") {
    const int port = ClosedPort();
    auto s = CheckNfsServerAnswers("127.0.0.1", port, {4, 3}, 2s);
    CHECK(s.code() == Code::kUnavailable);
    CHECK(s.message() ==
          "NFS server 127.0.0.1:" + std::to_string(port) + " is not answering: connection refused");
  }
  SECTION("an IPv6 server is named in brackets") {
    auto s = CheckNfsServerAnswers("::1", ClosedPort(), {4}, 2s);
    CHECK(s.message().rfind("NFS server [::1]:", 0) == 0);
    CHECK(s.message().find(" is not answering: ") != std::string::npos);
  }
}
