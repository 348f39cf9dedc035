#include "net/dns/dns_forwarder.h"
#include "net/dns/close_on_exec.h"

#include <array>
#include <boost/asio.hpp>
#include <memory>
#include <vector>

#include "net/dns/dns_message.h"

namespace skiff::net::dns {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

asio::ip::address ToAsio(const cli::IpAddress& ip) {
  if (ip.family == cli::IpFamily::kV4) {
    asio::ip::address_v4::bytes_type b;
    std::copy_n(ip.bytes.begin(), 4, b.begin());
    return asio::ip::address_v4(b);
  }
  asio::ip::address_v6::bytes_type b;
  std::copy_n(ip.bytes.begin(), 16, b.begin());
  return asio::ip::address_v6(b);
}

uint16_t IdOf(std::string_view m) {
  return static_cast<uint16_t>((static_cast<uint8_t>(m[0]) << 8) | static_cast<uint8_t>(m[1]));
}

void SetId(std::string& m, uint16_t id) {
  m[0] = static_cast<char>(id >> 8);
  m[1] = static_cast<char>(id & 0xFF);
}

// The octets of the question section of a query with one uncompressed question.
size_t QuestionEnd(std::string_view q) {
  size_t p = kHeaderSize;
  while (p < q.size() && q[p] != 0) p += static_cast<uint8_t>(q[p]) + 1;
  return p + 1 + 4;
}

}  // namespace

// One forwarded query, alive while an operation of it is pending.
struct DnsForwarder::Attempt : std::enable_shared_from_this<Attempt> {
  Attempt(asio::io_context& io, std::chrono::milliseconds timeout)
      : udp_socket(io), tcp_socket(io), timer(io), timeout(timeout) {}

  udp::socket udp_socket;
  tcp::socket tcp_socket;
  asio::steady_timer timer;
  const std::chrono::milliseconds timeout;
  std::shared_ptr<const std::vector<Upstream>> upstreams;
  size_t index = 0;
  uint64_t step = 0;  // bumped by every move on, so late completions of the last one are ignored
  std::string query;  // with the wire id
  uint16_t client_id = 0;
  size_t question_end = 0;
  std::optional<std::string> last_failure_reply;
  Callback done;
  std::vector<char> buf = std::vector<char>(65535);
  std::array<uint8_t, 2> len_buf{};

  enum class Verdict { kWrongReply, kGood, kTruncated, kFailure };

  Verdict Judge(std::string_view r) const {
    if (r.size() < question_end || IdOf(r) != IdOf(query)) return Verdict::kWrongReply;
    auto h = ParseHeader(r);
    if (!h.ok() || !h->qr || h->qdcount != 1) return Verdict::kWrongReply;
    std::string_view want = std::string_view(query).substr(kHeaderSize, question_end - kHeaderSize);
    if (!AsciiEqualsIgnoreCase(r.substr(kHeaderSize, want.size()), want)) {
      return Verdict::kWrongReply;
    }
    if (h->tc) return Verdict::kTruncated;
    if (h->rcode == rcode::kServFail || h->rcode == rcode::kRefused || h->rcode == rcode::kNotImp) {
      return Verdict::kFailure;
    }
    return Verdict::kGood;
  }

  void Finish(std::optional<std::string> reply) {
    ++step;
    timer.cancel();
    boost::system::error_code ec;
    udp_socket.close(ec);
    tcp_socket.close(ec);
    if (reply) SetId(*reply, client_id);
    Callback cb = std::move(done);
    done = nullptr;
    if (cb) cb(std::move(reply));
  }

  void Next() {
    ++step;
    boost::system::error_code ec;
    udp_socket.close(ec);
    tcp_socket.close(ec);
    timer.cancel();
    if (index >= upstreams->size()) {
      Finish(std::move(last_failure_reply));
      return;
    }
    const Upstream& u = (*upstreams)[index++];
    Udp(udp::endpoint(ToAsio(u.address), u.port));
  }

  void Arm(uint64_t my_step) {
    timer.expires_after(timeout);
    timer.async_wait([self = shared_from_this(), my_step](boost::system::error_code ec) {
      if (ec || my_step != self->step) return;
      self->Next();  // timed out
    });
  }

  void Udp(const udp::endpoint& to) {
    const uint64_t my_step = step;
    boost::system::error_code ec;
    udp_socket.open(to.protocol(), ec);
    if (!ec) CloseOnExec(udp_socket.native_handle());
    if (!ec) udp_socket.connect(to, ec);  // only replies from `to` get through
    if (!ec) udp_socket.send(asio::buffer(query), 0, ec);
    if (ec) {
      asio::post(udp_socket.get_executor(), [self = shared_from_this(), my_step] {
        if (my_step == self->step) self->Next();
      });
      return;
    }
    Arm(my_step);
    ReceiveUdp(my_step, to);
  }

  void ReceiveUdp(uint64_t my_step, udp::endpoint to) {
    udp_socket.async_receive(asio::buffer(buf), [self = shared_from_this(), my_step, to](
                                                    boost::system::error_code ec, size_t n) {
      if (my_step != self->step) return;
      if (ec) {
        self->Next();  // refused (ICMP), or the socket failed
        return;
      }
      std::string_view r(self->buf.data(), n);
      switch (self->Judge(r)) {
        case Verdict::kWrongReply:
          self->ReceiveUdp(my_step, to);
          return;
        case Verdict::kGood:
          self->Finish(std::string(r));
          return;
        case Verdict::kFailure:
          self->last_failure_reply = std::string(r);
          self->Next();
          return;
        case Verdict::kTruncated:
          self->Tcp(tcp::endpoint(to.address(), to.port()));
          return;
      }
    });
  }

  void Tcp(const tcp::endpoint& to) {
    ++step;
    const uint64_t my_step = step;
    boost::system::error_code ec;
    udp_socket.close(ec);
    timer.cancel();
    Arm(my_step);
    tcp_socket.open(to.protocol(), ec);  // opened here, not by async_connect, to mark it
    if (!ec) CloseOnExec(tcp_socket.native_handle());
    tcp_socket.async_connect(
        to, [self = shared_from_this(), my_step](boost::system::error_code ec) {
          if (my_step != self->step) return;
          if (ec) return self->Next();
          auto framed = std::make_shared<std::string>();
          framed->push_back(static_cast<char>(self->query.size() >> 8));
          framed->push_back(static_cast<char>(self->query.size() & 0xFF));
          *framed += self->query;
          asio::async_write(self->tcp_socket, asio::buffer(*framed),
                            [self, my_step, framed](boost::system::error_code ec, size_t) {
                              if (my_step != self->step) return;
                              if (ec) return self->Next();
                              self->ReadTcpLength(my_step);
                            });
        });
  }

  void ReadTcpLength(uint64_t my_step) {
    asio::async_read(tcp_socket, asio::buffer(len_buf),
                     [self = shared_from_this(), my_step](boost::system::error_code ec, size_t) {
                       if (my_step != self->step) return;
                       if (ec) return self->Next();
                       const size_t len = (size_t{self->len_buf[0]} << 8) | self->len_buf[1];
                       self->ReadTcpBody(my_step, len);
                     });
  }

  void ReadTcpBody(uint64_t my_step, size_t len) {
    asio::async_read(tcp_socket, asio::buffer(buf.data(), len),
                     [self = shared_from_this(), my_step](boost::system::error_code ec, size_t n) {
                       if (my_step != self->step) return;
                       if (ec) return self->Next();
                       std::string_view r(self->buf.data(), n);
                       switch (self->Judge(r)) {
                         case Verdict::kGood:
                         case Verdict::kTruncated:  // over TCP this is all there is
                           self->Finish(std::string(r));
                           return;
                         case Verdict::kFailure:
                           self->last_failure_reply = std::string(r);
                           self->Next();
                           return;
                         case Verdict::kWrongReply:
                           self->ReadTcpLength(my_step);  // not ours: keep listening
                           return;
                       }
                     });
  }
};

DnsForwarder::DnsForwarder(asio::io_context& io, UpstreamList& upstreams, ForwarderOptions options)
    : io_(io), upstreams_(upstreams), options_(options), random_(std::random_device{}()) {}

void DnsForwarder::Forward(std::string query, Callback done) {
  auto a = std::make_shared<Attempt>(io_, options_.timeout);
  a->done = std::move(done);
  a->upstreams = upstreams_.Get();
  if (query.size() < kHeaderSize) {
    asio::post(io_, [a] { a->Finish(std::nullopt); });
    return;
  }
  a->client_id = IdOf(query);
  a->query = std::move(query);
  SetId(a->query, static_cast<uint16_t>(random_() & 0xFFFF));
  a->question_end = QuestionEnd(a->query);
  // Start on the io_context, so `done` never runs inside Forward.
  asio::post(io_, [a] { a->Next(); });
}

}  // namespace skiff::net::dns
