// A tiny ONC RPC server over TCP for the NFS ping tests: listens on 127.0.0.1 (a free port),
// reads one record-marked call per connection, records (program, version, procedure) and
// answers with what the test's responder returns for that version (an empty string: no
// answer, the connection is held open until the server stops). Stopped and joined on
// destruction.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace skiff::node::testing {

struct RpcCall {
  uint32_t program = 0, version = 0, procedure = 0;
};

inline void PutWord(std::string* out, uint32_t v) {
  const uint32_t be = htonl(v);
  out->append(reinterpret_cast<const char*>(&be), 4);
}

// An accepted reply body: xid, REPLY, MSG_ACCEPTED, AUTH_NONE verifier, accept_stat, extra.
inline std::string AcceptedReply(uint32_t xid, uint32_t accept_stat,
                                 std::vector<uint32_t> extra = {}) {
  std::string b;
  for (uint32_t w : {xid, 1u, 0u, 0u, 0u, accept_stat}) PutWord(&b, w);
  for (uint32_t w : extra) PutWord(&b, w);
  return b;
}

class FakeRpcServer {
 public:
  // version -> reply body for `xid` ("" = never answer).
  using Responder = std::function<std::string(uint32_t xid, uint32_t version)>;

  explicit FakeRpcServer(Responder responder) : responder_(std::move(responder)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeRpcServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
    for (int fd : held_) ::close(fd);
  }
  FakeRpcServer(const FakeRpcServer&) = delete;
  FakeRpcServer& operator=(const FakeRpcServer&) = delete;

  int port() const { return port_; }
  std::vector<RpcCall> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  static bool ReadN(int fd, size_t n, std::string* out) {
    out->resize(n);
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::read(fd, out->data() + got, n - got);
      if (r <= 0) return false;
      got += static_cast<size_t>(r);
    }
    return true;
  }
  static uint32_t Word(const std::string& s, size_t at) {
    uint32_t be;
    std::memcpy(&be, s.data() + at, 4);
    return ntohl(be);
  }

  void Serve() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::string mark, body;
      if (!ReadN(fd, 4, &mark) || !ReadN(fd, Word(mark, 0) & 0x7fffffffu, &body) ||
          body.size() < 24) {
        ::close(fd);
        continue;
      }
      const uint32_t xid = Word(body, 0);
      RpcCall call{Word(body, 12), Word(body, 16), Word(body, 20)};
      {
        std::lock_guard lock(mu_);
        calls_.push_back(call);
      }
      const std::string reply = responder_(xid, call.version);
      if (reply.empty()) {
        held_.push_back(fd);  // silent: the client times out
        continue;
      }
      std::string out;
      PutWord(&out, 0x80000000u | static_cast<uint32_t>(reply.size()));
      out += reply;
      (void)!::write(fd, out.data(), out.size());
      ::close(fd);
    }
  }

  Responder responder_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<RpcCall> calls_;
  std::vector<int> held_;  // only touched by the server thread until it is joined
};

// A loopback port nothing listens on (bound, then closed).
inline int ClosedPort() {
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

}  // namespace skiff::node::testing
