// The upstream resolvers names outside the cluster go to: the nameserver lines of a
// resolv.conf (default /etc/resolv.conf), re-read when the file changes.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/cli/ip.h"

namespace skiff::net::dns {

struct Upstream {
  cli::IpAddress address;
  uint16_t port = 53;
  std::string ToString() const;  // "10.0.0.1:53", "[fd00::1]:53"
  friend bool operator==(const Upstream&, const Upstream&) = default;
};

// The addresses of the "nameserver" lines of resolv.conf text, in order. Lines that are not
// an IPv4 or IPv6 address (or carry a "%zone", which needs an interface we do not track) are
// skipped; so are comments ('#' or ';').
std::vector<cli::IpAddress> ParseResolvConfNameservers(std::string_view text);

struct UpstreamListOptions {
  std::string resolv_conf = "/etc/resolv.conf";
  uint16_t port = 53;  // resolv.conf has no ports; tests point it elsewhere
  // Never forward to these (our own listeners: forwarding to ourselves would loop).
  std::vector<Upstream> exclude;
  // How often at most the file's modification time and size are looked at.
  std::chrono::milliseconds recheck{2000};
};

// Thread-safe.
class UpstreamList {
 public:
  explicit UpstreamList(UpstreamListOptions options);

  // The current upstreams. The file is read on first use and again when its modification
  // time or size changed. A file without nameserver lines means 127.0.0.1 (as glibc reads it);
  // an unreadable file keeps the last list (empty if there never was one).
  std::shared_ptr<const std::vector<Upstream>> Get();

 private:
  void Reload();  // mu_ held

  const UpstreamListOptions options_;
  std::mutex mu_;  // guards everything below
  std::shared_ptr<const std::vector<Upstream>> current_;
  std::chrono::steady_clock::time_point next_check_{};
  int64_t mtime_ns_ = -1;
  int64_t size_ = -1;
};

}  // namespace skiff::net::dns
