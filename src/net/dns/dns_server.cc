// The DNS server: start/stop, the UDP listeners and the dispatch shared with TCP (dns_tcp.cc).
#include "net/dns/dns_server.h"
#include "net/dns/close_on_exec.h"

#include <future>

#include "net/dns/dns_server_impl.h"
#include "skiff/common/log.h"

namespace skiff::net::dns {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
using FreeBind = asio::detail::socket_option::boolean<IPPROTO_IP, IP_FREEBIND>;

constexpr char kComponent[] = "dns";

}  // namespace

// Receives datagrams on one socket and answers each from the same socket.
class UdpReceiver {
 public:
  UdpReceiver(DnsServer::Impl& impl, Shard& shard, udp::socket socket)
      : impl_(impl), shard_(shard), socket_(std::move(socket)) {}

  void Start() { Receive(); }
  void Close() {
    boost::system::error_code ec;
    socket_.close(ec);
  }

 private:
  void Receive() {
    socket_.async_receive_from(asio::buffer(buf_), from_,
                               [this](boost::system::error_code ec, size_t n) {
                                 if (ec == asio::error::operation_aborted) return;
                                 if (!ec) Handle(n);
                                 if (socket_.is_open()) Receive();
                               });
  }

  void Handle(size_t n) {
    impl_.counters.udp_queries.fetch_add(1, std::memory_order_relaxed);
    Dispatch(impl_, shard_, std::string_view(buf_.data(), n), false,
             [this, to = from_](std::string reply) {
               impl_.counters.CountReply(reply, true);
               boost::system::error_code ec;
               // Non-blocking: a full send buffer drops the answer (the client retries).
               socket_.send_to(asio::buffer(reply), to, 0, ec);
             });
  }

  DnsServer::Impl& impl_;
  Shard& shard_;
  udp::socket socket_;
  std::array<char, 65536> buf_{};
  udp::endpoint from_;
};

void ServerCounters::CountReply(std::string_view reply, bool udp) {
  if (reply.size() < kHeaderSize) return;
  switch (static_cast<uint8_t>(reply[3]) & 0xF) {
    case rcode::kNoError:
      noerror.fetch_add(1, std::memory_order_relaxed);
      break;
    case rcode::kNxDomain:
      nxdomain.fetch_add(1, std::memory_order_relaxed);
      break;
    case rcode::kServFail:
      servfail.fetch_add(1, std::memory_order_relaxed);
      break;
    case rcode::kFormErr:
      formerr.fetch_add(1, std::memory_order_relaxed);
      break;
    case rcode::kNotImp:
      notimp.fetch_add(1, std::memory_order_relaxed);
      break;
    case rcode::kRefused:
      refused.fetch_add(1, std::memory_order_relaxed);
      break;
    default:
      other_rcode.fetch_add(1, std::memory_order_relaxed);
      break;
  }
  if (udp && (static_cast<uint8_t>(reply[2]) & 0x02)) {
    truncated.fetch_add(1, std::memory_order_relaxed);
  }
}

void ServerCounters::CountDecision(const Decision& d) {
  if (d.action == Decision::Action::kDrop) dropped.fetch_add(1, std::memory_order_relaxed);
  if (d.zone) cluster.fetch_add(1, std::memory_order_relaxed);
  if (d.action == Decision::Action::kForward || d.action == Decision::Action::kChase) {
    forwarded.fetch_add(1, std::memory_order_relaxed);
  }
}

DnsServerStats ServerCounters::Snapshot() const {
  DnsServerStats s;
  s.udp_queries = udp_queries.load();
  s.tcp_queries = tcp_queries.load();
  s.dropped = dropped.load();
  s.cluster = cluster.load();
  s.forwarded = forwarded.load();
  s.noerror = noerror.load();
  s.nxdomain = nxdomain.load();
  s.servfail = servfail.load();
  s.formerr = formerr.load();
  s.notimp = notimp.load();
  s.refused = refused.load();
  s.other_rcode = other_rcode.load();
  s.truncated = truncated.load();
  s.tcp_connections = tcp_connections.load();
  s.tcp_rejected = tcp_rejected.load();
  return s;
}

bool Dispatch(DnsServer::Impl& impl, Shard& shard, std::string_view packet, bool tcp,
              std::function<void(std::string)> send) {
  auto d = std::make_shared<Decision>(impl.handler.Handle(packet, tcp));
  impl.counters.CountDecision(*d);
  switch (d->action) {
    case Decision::Action::kDrop:
      return false;
    case Decision::Action::kReply:
      send(std::move(d->reply));
      return true;
    case Decision::Action::kForward:
    case Decision::Action::kChase: {
      std::string upstream = std::move(d->upstream);
      shard.forwarder->Forward(std::move(upstream), [&impl, d, send = std::move(send)](
                                                        std::optional<std::string> reply) {
        send(d->action == Decision::Action::kForward ? impl.handler.FinishForward(*d, reply)
                                                     : impl.handler.FinishChase(*d, reply));
      });
      return true;
    }
  }
  return false;
}

DnsServer::Impl::Impl(ClusterRecords& records, DnsServerOptions opts)
    : options(std::move(opts)), handler(records, options.handler), upstreams(options.upstreams) {}

namespace {

Status BindError(const ListenAddress& l, const std::string& proto,
                 const boost::system::error_code& ec) {
  return UnavailableError("cannot listen for DNS on " + proto + " " + l.address + ":" +
                          std::to_string(l.port) + ": " + ec.message());
}

// Binds the UDP sockets (one per shard) and the TCP acceptor of one listen address.
Status Bind(DnsServer::Impl& impl, const ListenAddress& l, const asio::ip::address& addr,
            uint16_t* bound_port) {
  const bool reuse_port = impl.shards.size() > 1;
  for (int attempt = 0; attempt < 20; ++attempt) {
    boost::system::error_code ec;
    uint16_t port = l.port;
    std::vector<udp::socket> udps;
    for (auto& shard : impl.shards) {
      udp::socket s(shard->io);
      s.open(addr.is_v4() ? udp::v4() : udp::v6(), ec);
      if (!ec) CloseOnExec(s.native_handle());
      if (!ec && reuse_port) s.set_option(ReusePort(true), ec);
      if (!ec && l.freebind) s.set_option(FreeBind(true), ec);
      if (!ec) s.bind(udp::endpoint(addr, port), ec);
      if (!ec) s.non_blocking(true, ec);
      if (ec) break;
      port = s.local_endpoint().port();
      udps.push_back(std::move(s));
    }
    if (ec) {
      if (l.port == 0 && ec == asio::error::address_in_use) continue;
      return BindError(l, "UDP", ec);
    }
    tcp::acceptor acceptor(impl.shards[0]->io);
    acceptor.open(addr.is_v4() ? tcp::v4() : tcp::v6(), ec);
    if (!ec) CloseOnExec(acceptor.native_handle());
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && l.freebind) acceptor.set_option(FreeBind(true), ec);
    if (!ec) acceptor.bind(tcp::endpoint(addr, port), ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      if (l.port == 0 && ec == asio::error::address_in_use) continue;  // UDP port's TCP taken
      return BindError(l, "TCP", ec);
    }
    for (size_t i = 0; i < udps.size(); ++i) {
      Shard& shard = *impl.shards[i];
      shard.udp.push_back(std::make_unique<UdpReceiver>(impl, shard, std::move(udps[i])));
    }
    impl.shards[0]->tcp.push_back(StartTcpListener(impl, *impl.shards[0], std::move(acceptor)));
    *bound_port = port;
    return Status::Ok();
  }
  return UnavailableError("no free port for DNS on " + l.address);
}

}  // namespace

Result<std::unique_ptr<DnsServer>> DnsServer::Start(ClusterRecords& records,
                                                    DnsServerOptions options) {
  if (options.listen.empty()) return InvalidArgumentError("the DNS server needs an address");
  std::vector<asio::ip::address> addrs;
  for (const ListenAddress& l : options.listen) {
    boost::system::error_code ec;
    addrs.push_back(asio::ip::make_address(l.address, ec));
    if (ec) return InvalidArgumentError("DNS listen address \"" + l.address + "\" is not an IP");
    auto ip = cli::ParseIpAddress(l.address);
    if (!ip.ok()) continue;
    // Never forward to ourselves; a wildcard listener also answers on loopback.
    options.upstreams.exclude.push_back({*ip, l.port});
    if (addrs.back().is_unspecified()) {
      const char* lo = addrs.back().is_v4() ? "127.0.0.1" : "::1";
      options.upstreams.exclude.push_back({cli::ParseIpAddress(lo).value(), l.port});
    }
  }
  auto impl = std::make_unique<Impl>(records, options);
  const int threads = std::max(1, options.threads);
  for (int i = 0; i < threads; ++i) {
    auto shard = std::make_unique<Shard>();
    shard->forwarder =
        std::make_unique<DnsForwarder>(shard->io, impl->upstreams, options.forwarder);
    impl->shards.push_back(std::move(shard));
  }
  for (size_t i = 0; i < options.listen.size(); ++i) {
    uint16_t port = 0;
    if (Status s = Bind(*impl, options.listen[i], addrs[i], &port); !s.ok()) return s;
    if (i == 0) impl->port = port;
  }
  for (auto& shard : impl->shards) {
    for (auto& u : shard->udp) u->Start();
    shard->thread = std::thread([io = &shard->io] {
      auto guard = asio::make_work_guard(*io);
      io->run();
    });
  }
  std::string where;
  for (const ListenAddress& l : options.listen) {
    where += (where.empty() ? "" : ",") + l.address + ":" +
             std::to_string(l.port == 0 ? impl->port : l.port);
  }
  log::Info(kComponent, "serving DNS", {{"listen", where}, {"threads", std::to_string(threads)}});
  return std::unique_ptr<DnsServer>(new DnsServer(std::move(impl)));
}

DnsServer::DnsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DnsServer::~DnsServer() { Stop(); }

void DnsServer::Stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  // Close every socket on its own thread, then stop the loops: what is still pending (a
  // forwarded query, a TCP write) is dropped with its io_context.
  for (auto& shard : impl_->shards) {
    std::promise<void> closed;
    asio::post(shard->io, [&] {
      for (auto& u : shard->udp) u->Close();
      for (auto& t : shard->tcp) CloseTcpListener(*t);
      closed.set_value();
    });
    closed.get_future().wait();
    shard->io.stop();
  }
  for (auto& shard : impl_->shards) {
    if (shard->thread.joinable()) shard->thread.join();
  }
  for (auto& shard : impl_->shards) {
    shard->tcp.clear();
    shard->udp.clear();
    shard->forwarder.reset();
  }
  impl_->shards.clear();  // each io_context drops its pending handlers here
}

uint16_t DnsServer::port() const { return impl_->port; }

DnsServerStats DnsServer::stats() const { return impl_->counters.Snapshot(); }

}  // namespace skiff::net::dns
