// Forwards queries for names outside the cluster to the upstream resolvers (UpstreamList), as
// CoreDNS's forward plugin does for k3s: each upstream in turn, over UDP from a fresh socket
// (a random source port) with a random query id; a truncated (TC) reply is asked again over
// TCP of the same upstream; no reply within the timeout, an ICMP refusal, a reply that does
// not match the query (id, QR, question) or a SERVFAIL/REFUSED/NOTIMP answer moves on to the
// next upstream.
//
// Thread-safety: a DnsForwarder belongs to one io_context and is used from the thread(s)
// running it; callbacks run there too. It must be destroyed after that io_context stopped
// running (pending attempts are then dropped without calling back).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "net/dns/upstreams.h"

namespace boost::asio {
class io_context;
}

namespace skiff::net::dns {

struct ForwarderOptions {
  std::chrono::milliseconds timeout{2000};  // per upstream and transport
};

class DnsForwarder {
 public:
  // The reply, its id set back to the query's; or nullopt when no upstream answered usefully
  // (when some answered SERVFAIL/REFUSED/NOTIMP, the last such reply is passed on instead).
  using Callback = std::function<void(std::optional<std::string> reply)>;

  // `io` and `upstreams` must outlive the forwarder.
  DnsForwarder(boost::asio::io_context& io, UpstreamList& upstreams, ForwarderOptions options = {});
  DnsForwarder(const DnsForwarder&) = delete;
  DnsForwarder& operator=(const DnsForwarder&) = delete;

  // Forwards `query` (a complete query message with one question). `done` runs exactly once,
  // on the io_context's thread, never before Forward returns.
  void Forward(std::string query, Callback done);

  struct Attempt;

 private:
  boost::asio::io_context& io_;
  UpstreamList& upstreams_;
  const ForwarderOptions options_;
  std::mt19937 random_;  // query ids on the wire (io_context thread only)
};

}  // namespace skiff::net::dns
