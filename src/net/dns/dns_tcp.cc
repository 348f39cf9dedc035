// DNS over TCP (RFC 1035 4.2.2, RFC 7766): 2-octet length framing, several queries per
// connection answered as they complete, an idle timeout and a cap on connections.
#include <array>
#include <deque>
#include <set>

#include "net/dns/dns_server_impl.h"
#include "net/dns/close_on_exec.h"

namespace skiff::net::dns {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

}  // namespace

class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
 public:
  TcpConnection(DnsServer::Impl& impl, Shard& shard, tcp::socket socket)
      : impl_(impl), shard_(shard), socket_(std::move(socket)), idle_(shard.io) {
    impl_.tcp_open.fetch_add(1);
  }
  ~TcpConnection() { impl_.tcp_open.fetch_sub(1); }

  void Start() {
    ArmIdle();
    ReadLength();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    idle_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  bool closed() const { return closed_; }

 private:
  void ArmIdle() {
    idle_.expires_after(impl_.options.tcp_idle);
    idle_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->closed_) return;
      // Idle: nothing read for tcp_idle. Queries still being answered keep it open.
      if (self->in_flight_ == 0 && self->out_.empty()) {
        self->Close();
      } else {
        self->ArmIdle();
      }
    });
  }

  void ReadLength() {
    if (closed_ || reading_) return;
    if (in_flight_ >= impl_.options.max_tcp_queries_in_flight) return;  // resumed by Send
    reading_ = true;
    asio::async_read(socket_, asio::buffer(len_),
                     [self = shared_from_this()](boost::system::error_code ec, size_t) {
                       if (ec) return self->Close();
                       const size_t n = (size_t{self->len_[0]} << 8) | self->len_[1];
                       if (n < kHeaderSize) return self->Close();  // no header: drop the link
                       self->body_.resize(n);
                       self->ReadBody();
                     });
  }

  void ReadBody() {
    asio::async_read(socket_, asio::buffer(body_),
                     [self = shared_from_this()](boost::system::error_code ec, size_t) {
                       self->reading_ = false;
                       if (ec) return self->Close();
                       self->ArmIdle();
                       self->Query();
                       self->ReadLength();
                     });
  }

  void Query() {
    impl_.counters.tcp_queries.fetch_add(1, std::memory_order_relaxed);
    ++in_flight_;
    std::weak_ptr<TcpConnection> weak = shared_from_this();
    const bool answering = Dispatch(impl_, shard_, std::string_view(body_.data(), body_.size()),
                                    true, [weak](std::string reply) {
                                      if (auto self = weak.lock()) self->Send(std::move(reply));
                                    });
    if (!answering) --in_flight_;  // dropped: no answer will come
  }

 public:
  // Queues one response (framed) and writes the queue in order.
  void Send(std::string reply) {
    if (in_flight_ > 0) --in_flight_;
    if (closed_) return;
    impl_.counters.CountReply(reply, false);
    std::string framed;
    framed.reserve(reply.size() + 2);
    framed.push_back(static_cast<char>(reply.size() >> 8));
    framed.push_back(static_cast<char>(reply.size() & 0xFF));
    framed += reply;
    out_.push_back(std::move(framed));
    if (out_.size() == 1) Write();
    ReadLength();  // in case reading paused at the in-flight cap
  }

 private:
  void Write() {
    asio::async_write(socket_, asio::buffer(out_.front()),
                      [self = shared_from_this()](boost::system::error_code ec, size_t) {
                        if (ec) return self->Close();
                        self->out_.pop_front();
                        if (!self->out_.empty()) self->Write();
                      });
  }

  DnsServer::Impl& impl_;
  Shard& shard_;
  tcp::socket socket_;
  asio::steady_timer idle_;
  std::array<uint8_t, 2> len_{};
  std::vector<char> body_;
  std::deque<std::string> out_;  // framed responses; the front one is being written
  size_t in_flight_ = 0;         // queries read and not answered yet
  bool reading_ = false;
  bool closed_ = false;
};

class TcpListener {
 public:
  TcpListener(DnsServer::Impl& impl, Shard& shard, tcp::acceptor acceptor)
      : impl_(impl), shard_(shard), acceptor_(std::move(acceptor)) {}

  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      if (!ec) {
        CloseOnExec(socket.native_handle());  // (a race with a fork remains: asio has no accept4)
        Serve(std::move(socket));
      }
      Accept();
    });
  }

  void Close() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    for (auto& weak : connections_) {
      if (auto c = weak.lock()) c->Close();
    }
    connections_.clear();
  }

 private:
  void Serve(tcp::socket socket) {
    std::erase_if(connections_, [](const std::weak_ptr<TcpConnection>& w) {
      auto c = w.lock();
      return !c || c->closed();
    });
    if (impl_.tcp_open.load() >= impl_.options.max_tcp_connections) {
      impl_.counters.tcp_rejected.fetch_add(1, std::memory_order_relaxed);
      boost::system::error_code ec;
      socket.close(ec);
      return;
    }
    impl_.counters.tcp_connections.fetch_add(1, std::memory_order_relaxed);
    auto c = std::make_shared<TcpConnection>(impl_, shard_, std::move(socket));
    connections_.push_back(c);
    c->Start();
  }

  DnsServer::Impl& impl_;
  Shard& shard_;
  tcp::acceptor acceptor_;
  std::vector<std::weak_ptr<TcpConnection>> connections_;
};

TcpListenerPtr StartTcpListener(DnsServer::Impl& impl, Shard& shard, tcp::acceptor acceptor) {
  TcpListenerPtr l(new TcpListener(impl, shard, std::move(acceptor)));
  l->Accept();
  return l;
}

void TcpListenerDeleter::operator()(TcpListener* l) const { delete l; }

void CloseTcpListener(TcpListener& listener) { listener.Close(); }

}  // namespace skiff::net::dns
