// skiff's embedded cluster DNS server: what k3s runs as CoreDNS pods, in-process.
//
// Listens on UDP and TCP at each given address and port; answers names under the cluster
// domain (and the service range's reverse zone) from ClusterRecords and forwards every other
// name to the host's resolvers (DnsForwarder, UpstreamList). QueryHandler says what happens to
// each message (FORMERR, NOTIMP, REFUSED, truncation).
//
// Threads: `threads` I/O threads (boost::asio), each with its own io_context, its own UDP
// socket per address (SO_REUSEPORT, so the kernel spreads queries over them) and its own
// forwarder. TCP (RFC 7766: 2-octet length framing, several queries per connection, answered
// as they complete) is served by the first thread; a connection is closed after `tcp_idle`
// without a query, and connections beyond `max_tcp_connections` are closed at once.
//
// Thread-safety: Start and Stop from one owner thread; stats() from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/dns/cluster_records.h"
#include "net/dns/dns_forwarder.h"
#include "net/dns/query_handler.h"
#include "net/dns/upstreams.h"
#include "skiff/common/status.h"

namespace skiff::net::dns {

struct ListenAddress {
  std::string address;  // "127.0.0.1", "10.43.0.10", "::1", "0.0.0.0"
  uint16_t port = 53;   // 0: a free port (the same for UDP and TCP; see DnsServer::port)
  // Bind even while the address is on no interface yet (IP_FREEBIND): the pod bridge's
  // gateway address appears only when the first pod is networked.
  bool freebind = false;
};

struct DnsServerOptions {
  std::vector<ListenAddress> listen;
  int threads = 1;
  size_t max_tcp_connections = 256;
  std::chrono::milliseconds tcp_idle{10000};
  size_t max_tcp_queries_in_flight = 16;  // per connection; reading pauses beyond it
  QueryHandlerOptions handler;
  UpstreamListOptions upstreams;  // our listeners are added to its `exclude` list
  ForwarderOptions forwarder;
};

// Counters since start. Each query counts once in udp/tcp and once in the outcome that ended
// it; responses count by their rcode.
struct DnsServerStats {
  uint64_t udp_queries = 0;
  uint64_t tcp_queries = 0;
  uint64_t dropped = 0;    // unparseable headers and responses
  uint64_t cluster = 0;    // answered from the cluster zone
  uint64_t forwarded = 0;  // sent to the upstreams (ExternalName chases included)
  uint64_t noerror = 0, nxdomain = 0, servfail = 0, formerr = 0, notimp = 0, refused = 0;
  uint64_t other_rcode = 0;
  uint64_t truncated = 0;        // UDP responses with TC set
  uint64_t tcp_connections = 0;  // accepted
  uint64_t tcp_rejected = 0;     // closed at once: over max_tcp_connections
};

class DnsServer {
 public:
  // Binds every listener and starts serving. kInvalidArgument for a bad address or no
  // listener; kUnavailable naming the address when a socket cannot be bound. `records` must
  // outlive the server.
  static Result<std::unique_ptr<DnsServer>> Start(ClusterRecords& records,
                                                  DnsServerOptions options);
  ~DnsServer();  // Stop()
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  // Closes the listeners and connections, abandons forwarded queries and joins the threads.
  // Idempotent.
  void Stop();
  // The port of the first listener (useful with port 0).
  uint16_t port() const;
  DnsServerStats stats() const;

  struct Impl;

 private:
  explicit DnsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::net::dns
