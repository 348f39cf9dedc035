// Internal to dns_server: the server's state shared by its UDP part (dns_server.cc) and its
// TCP part (dns_tcp.cc).
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include "net/dns/dns_server.h"

namespace skiff::net::dns {

struct ServerCounters {
  std::atomic<uint64_t> udp_queries{0}, tcp_queries{0}, dropped{0}, cluster{0}, forwarded{0};
  std::atomic<uint64_t> noerror{0}, nxdomain{0}, servfail{0}, formerr{0}, notimp{0}, refused{0};
  std::atomic<uint64_t> other_rcode{0}, truncated{0}, tcp_connections{0}, tcp_rejected{0};

  // Counts a response about to be sent by its rcode (and TC, on UDP).
  void CountReply(std::string_view reply, bool udp);
  // Counts how a decision was carried out (dropped / cluster / forwarded).
  void CountDecision(const Decision& d);
  DnsServerStats Snapshot() const;
};

class UdpReceiver;
class TcpListener;
struct TcpListenerDeleter {  // defined with TcpListener in dns_tcp.cc
  void operator()(TcpListener* l) const;
};
using TcpListenerPtr = std::unique_ptr<TcpListener, TcpListenerDeleter>;

// One I/O thread with everything it owns. Destroyed after its io_context stopped.
struct Shard {
  boost::asio::io_context io{1};
  std::unique_ptr<DnsForwarder> forwarder;
  std::vector<std::unique_ptr<UdpReceiver>> udp;
  std::vector<TcpListenerPtr> tcp;  // the first shard only
  std::thread thread;
};

struct DnsServer::Impl {
  Impl(ClusterRecords& records, DnsServerOptions opts);

  DnsServerOptions options;
  QueryHandler handler;
  UpstreamList upstreams;
  ServerCounters counters;
  std::atomic<size_t> tcp_open{0};  // connections alive
  uint16_t port = 0;
  bool stopped = false;
  std::vector<std::unique_ptr<Shard>> shards;  // last: destroyed first
};

// Handles one message that arrived over TCP or UDP: `send` gets the response (now, or later
// on the shard's thread when it was forwarded). Runs on the shard's thread. False when the
// message was dropped (`send` never runs).
bool Dispatch(DnsServer::Impl& impl, Shard& shard, std::string_view packet, bool tcp,
              std::function<void(std::string)> send);

// Accepts TCP connections on `acceptor` (already listening) and serves them on shard's thread.
TcpListenerPtr StartTcpListener(DnsServer::Impl& impl, Shard& shard,
                                boost::asio::ip::tcp::acceptor acceptor);
// Closes the listener and every connection it accepted (on the shard's thread).
void CloseTcpListener(TcpListener& listener);

}  // namespace skiff::net::dns
