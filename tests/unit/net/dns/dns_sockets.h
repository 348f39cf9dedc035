// Plain sockets for the DNS server tests: a UDP exchange, framed TCP, and a fake upstream
// resolver answering a few names on a loopback address.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "net/dns/dns_message.h"

namespace skiff::net::dns::testing {

inline sockaddr_in Addr(const std::string& ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  return a;
}

// Polls `cond` every 2 ms until it holds or `timeout` passes; returns its last value.
template <class F>
bool WaitUntil(F cond, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return cond();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// Waits up to `ms` for `fd` to be readable.
inline bool Readable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, ms) == 1;
}

// Sends `query` over UDP and returns the first reply (nullopt after `ms`).
inline std::optional<std::string> UdpExchange(uint16_t port, const std::string& query,
                                              int ms = 3000) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to = Addr("127.0.0.1", port);
  sendto(fd, query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  std::optional<std::string> out;
  if (Readable(fd, ms)) {
    char buf[65536];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n >= 0) out = std::string(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

inline int TcpConnect(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to = Addr("127.0.0.1", port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

inline std::string Framed(const std::string& m) {
  std::string f;
  f.push_back(static_cast<char>(m.size() >> 8));
  f.push_back(static_cast<char>(m.size() & 0xFF));
  return f + m;
}

// Reads exactly n octets (nullopt on EOF, error or after `ms`).
inline std::optional<std::string> ReadN(int fd, size_t n, int ms) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (out.size() < n) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !Readable(fd, static_cast<int>(left.count()))) return std::nullopt;
    char buf[4096];
    ssize_t r = recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
    if (r <= 0) return std::nullopt;
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

inline std::optional<std::string> ReadFramed(int fd, int ms = 3000) {
  auto len = ReadN(fd, 2, ms);
  if (!len) return std::nullopt;
  const size_t n = (size_t{static_cast<uint8_t>((*len)[0])} << 8) | static_cast<uint8_t>((*len)[1]);
  return ReadN(fd, n, ms);
}

// True when the peer closed the connection within `ms`.
inline bool ClosedByPeer(int fd, int ms) {
  if (!Readable(fd, ms)) return false;
  char c;
  return recv(fd, &c, 1, MSG_PEEK) == 0;
}

// A resolver on ip:port (port 0: any) over UDP and TCP. It answers A queries for the names in
// `names`; "big.example.test" has 60 addresses: over UDP it answers TC without records, over
// TCP the whole set; any other name is NXDOMAIN. A silent one reads and never answers.
class FakeUpstream {
 public:
  FakeUpstream(std::map<std::string, std::string> names, const std::string& ip = "127.0.0.1",
               uint16_t port = 0, bool silent = false)
      : names_(std::move(names)), silent_(silent) {
    udp_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a = Addr(ip, port);
    if (bind(udp_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
    socklen_t len = sizeof a;
    getsockname(udp_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    tcp_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(tcp_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(tcp_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(tcp_, 8) != 0) {
      port_ = 0;
      return;
    }
    thread_ = std::thread([this] { Loop(); });
  }
  ~FakeUpstream() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    close(udp_);
    if (tcp_ >= 0) close(tcp_);
  }

  uint16_t port() const { return port_; }  // 0: could not bind
  int udp_queries() const { return udp_queries_.load(); }
  int tcp_queries() const { return tcp_queries_.load(); }

 private:
  std::string Answer(const std::string& query, bool tcp) {
    auto q = ParseQuery(query);
    if (!q.ok()) return "";
    Message r = MakeResponse(*q, 1232);
    const std::string name = AsciiLower(q->questions[0].name.ToText());
    auto it = names_.find(name);
    if (name == "big.example.test.") {
      if (!tcp) {
        r.header.tc = true;
      } else {
        for (int i = 0; i < 60; ++i) {
          r.answers.push_back({q->questions[0].name, rrtype::kA, kClassIN, 30,
                               AData{{198, 51, 100, static_cast<uint8_t>(i)}}});
        }
      }
    } else if (it != names_.end() && q->questions[0].type == rrtype::kA) {
      auto ip = cli::ParseIpAddress(it->second).value();
      AData a;
      std::copy_n(ip.bytes.begin(), 4, a.address.begin());
      r.answers.push_back({q->questions[0].name, rrtype::kA, kClassIN, 30, a});
    } else if (it == names_.end()) {
      r.header.rcode = rcode::kNxDomain;
    }
    return Encode(r).wire;
  }

  void Loop() {
    while (!stop_) {
      pollfd p[2] = {{udp_, POLLIN, 0}, {tcp_, POLLIN, 0}};
      if (poll(p, 2, 50) <= 0) continue;
      if (p[0].revents & POLLIN) {
        char buf[4096];
        sockaddr_in from{};
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(udp_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n > 0) {
          ++udp_queries_;
          std::string reply =
              silent_ ? "" : Answer(std::string(buf, static_cast<size_t>(n)), false);
          if (!reply.empty()) {
            sendto(udp_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
          }
        }
      }
      if (p[1].revents & POLLIN) {
        int c = accept(tcp_, nullptr, nullptr);
        if (c < 0) continue;
        auto q = ReadFramed(c, 1000);
        if (q) {
          ++tcp_queries_;
          std::string reply = silent_ ? "" : Answer(*q, true);
          if (!reply.empty()) {
            std::string f = Framed(reply);
            (void)!send(c, f.data(), f.size(), MSG_NOSIGNAL);
          }
        }
        close(c);
      }
    }
  }

  std::map<std::string, std::string> names_;  // "name." -> IPv4
  const bool silent_;
  int udp_ = -1, tcp_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> udp_queries_{0}, tcp_queries_{0};
  std::thread thread_;
};

}  // namespace skiff::net::dns::testing
