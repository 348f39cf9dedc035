#include "https_server.h"

#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "skiff/common/log.h"

namespace skiff::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

constexpr auto kHandshakeTimeout = std::chrono::seconds(30);
constexpr auto kIdleTimeout = std::chrono::minutes(5);
// The largest WebSocket message a client may send (stdin chunks are far smaller).
constexpr size_t kMaxWebSocketMessage = 4 * 1024 * 1024;

std::string StatusBody(int code, const std::string& reason, const std::string& message) {
  // A minimal Kubernetes Status, for the answers the server gives before any handler runs.
  std::string m;
  for (char c : message) {
    if (c == '"' || c == '\\') m += '\\';
    m += c;
  }
  return R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":")" +
         m + R"(","reason":")" + reason + R"(","code":)" + std::to_string(code) + "}";
}

int SelectHttp11(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                 unsigned int inlen, void*) {
  // Offer list: length-prefixed protocol names. Only HTTP/1.1 is spoken here (upgrades for
  // exec and port-forward need it); a client offering only h2 proceeds without ALPN.
  for (unsigned int i = 0; i < inlen;) {
    unsigned int len = in[i];
    if (i + 1 + len > inlen) break;
    if (len == 8 && std::memcmp(in + i + 1, "http/1.1", 8) == 0) {
      *out = in + i + 1;
      *outlen = static_cast<unsigned char>(len);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

Result<std::shared_ptr<ssl::context>> MakeContext(const std::string& cert, const std::string& key,
                                                  const std::string& client_ca) {
  try {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                     ssl::context::single_dh_use);
    ctx->use_certificate_chain(net::buffer(cert));
    ctx->use_private_key(net::buffer(key), ssl::context::pem);
    if (!client_ca.empty()) {
      ctx->add_certificate_authority(net::buffer(client_ca));
      // Ask for a client certificate, but let the request through without one: bearer tokens
      // and anonymous health checks are decided after the handshake.
      ctx->set_verify_mode(ssl::verify_peer);
      ctx->set_verify_callback([](bool, ssl::verify_context&) { return true; });
      BIO* bio = BIO_new_mem_buf(client_ca.data(), static_cast<int>(client_ca.size()));
      if (X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
        SSL_CTX_add_client_CA(ctx->native_handle(), ca);
        X509_free(ca);
      }
      BIO_free(bio);
    }
    SSL_CTX_set_alpn_select_cb(ctx->native_handle(), SelectHttp11, nullptr);
    return ctx;
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string("cannot load the serving certificate: ") + e.what());
  }
}

}  // namespace

class Session;

struct HttpsServer::Impl {
  // Sessions not yet fully destroyed; first, so that it outlives the io_context.
  std::atomic<int> live_sessions{0};
  HttpsServerOptions options;
  Handler handler;
  net::io_context ioc{options.io_threads};
  tcp::acceptor acceptor{ioc};
  net::thread_pool workers{static_cast<size_t>(options.worker_threads)};
  std::vector<std::thread> threads;

  std::mutex ctx_mu;  // guards ctx
  std::shared_ptr<ssl::context> ctx;

  std::mutex sessions_mu;  // guards sessions
  std::set<std::weak_ptr<Session>, std::owner_less<std::weak_ptr<Session>>> sessions;

  Impl(HttpsServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}
  std::shared_ptr<ssl::context> Context() {
    std::lock_guard lock(ctx_mu);
    return ctx;
  }
  void Accept();
};

// One TLS connection: reads requests one at a time and writes each answer, whole or streamed.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<ssl::context> ctx, HttpsServer::Impl* server)
      : live_(server), ctx_(std::move(ctx)), stream_(std::move(socket), *ctx_), server_(server) {}

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Handshake(); });
  }

  // Called from the server's destructor on its own thread: closes the socket on its strand.
  void Shutdown() {
    WsMarkClosed();
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
      beast::get_lowest_layer(self->stream_).close();
    });
  }

  // --- used by the responder and stream (any thread) ---
  void PostResponse(HttpResponse r, bool keep_alive) {
    net::post(stream_.get_executor(), [self = shared_from_this(), r = std::move(r), keep_alive]()
                                          mutable { self->WriteResponse(std::move(r), keep_alive); });
  }
  void PostStreamStart(int status, std::string content_type) {
    net::post(stream_.get_executor(), [self = shared_from_this(), status, content_type] {
      self->StartStream(status, content_type);
    });
  }
  void PostChunk(std::string chunk) {
    pending_ += chunk.size();
    net::post(stream_.get_executor(), [self = shared_from_this(), c = std::move(chunk)]() mutable {
      self->chunks_.push_back(std::move(c));
      self->PumpChunks();
    });
  }
  void PostStreamEnd() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stream_ending_ = true;
      self->PumpChunks();
    });
  }
  size_t pending() const { return pending_.load(); }

  // --- the WebSocket side (any thread), once the request was upgraded ---
  void PostWsAccept(std::string protocol) {
    net::post(stream_.get_executor(),
              [self = shared_from_this(), p = std::move(protocol)] { self->WsAccept(p); });
  }
  // Sends and the close request reach the strand in the order their callers' checks of
  // ws_close_requested_ were made (they post under ws_mu_), so a message accepted before
  // WsClose is always queued before the close frame.
  bool WsSend(std::string data, bool binary) {
    std::lock_guard lock(ws_mu_);
    if (ws_closed_ || ws_close_requested_) return false;
    ws_queued_ += data.size();
    net::post(stream_.get_executor(),
              [self = shared_from_this(), d = std::move(data), binary]() mutable {
                self->ws_out_.emplace_back(std::move(d), binary);
                self->WsPump();
              });
    return true;
  }
  bool WsWaitQueuedAtMost(size_t bytes) {
    std::unique_lock lock(ws_mu_);
    ws_cv_.wait(lock, [&] { return ws_closed_ || ws_queued_ <= bytes; });
    return !ws_closed_;
  }
  std::optional<WebSocketMessage> WsReceive() {
    std::unique_lock lock(ws_mu_);
    while (true) {
      if (!ws_inbox_.empty()) {
        WebSocketMessage m = std::move(ws_inbox_.front());
        ws_inbox_.pop_front();
        return m;
      }
      if (ws_closed_) return std::nullopt;
      if (!ws_read_requested_) {
        ws_read_requested_ = true;
        net::post(stream_.get_executor(), [self = shared_from_this()] { self->WsRead(); });
      }
      ws_cv_.wait(lock);
    }
  }
  void WsClose() {
    std::lock_guard lock(ws_mu_);
    if (ws_close_requested_ || ws_closed_) return;
    ws_close_requested_ = true;
    // The strand learns of the close only through this handler, after the sends posted
    // before it: WsPump must not see the request while earlier messages are still on their
    // way to ws_out_ (it would send the close frame first and they would be lost).
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->ws_close_queued_ = true;
      self->WsPump();
    });
  }
  bool stream_closed() const { return stream_closed_.load(); }
  void OnStreamClose(std::function<void()> fn) {
    bool run_now = false;
    {
      std::lock_guard lock(close_mu_);
      if (stream_closed_) {
        run_now = true;
      } else {
        on_close_.push_back(std::move(fn));
      }
    }
    if (run_now) fn();
  }

 private:
  class SessionResponder final : public Responder {
   public:
    SessionResponder(std::shared_ptr<Session> s, bool keep_alive, bool websocket_upgrade)
        : s_(std::move(s)), keep_alive_(keep_alive), websocket_upgrade_(websocket_upgrade) {}
    ~SessionResponder() override {
      if (!answered_.exchange(true)) {
        s_->PostResponse({500, "application/json",
                          StatusBody(500, "InternalError", "the handler gave no answer"), {}},
                         false);
      }
    }
    void Send(HttpResponse r) override {
      if (answered_.exchange(true)) return;
      s_->PostResponse(std::move(r), keep_alive_);
    }
    std::shared_ptr<ResponseStream> Stream(int status, std::string content_type) override;
    std::shared_ptr<WebSocket> UpgradeWebSocket(const std::string& protocol) override;

   private:
    std::shared_ptr<Session> s_;
    bool keep_alive_;
    bool websocket_upgrade_;
    std::atomic<bool> answered_{false};
  };

  void Handshake() {
    beast::get_lowest_layer(stream_).expires_after(kHandshakeTimeout);
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (!ec) self->Read();
                            });
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(server_->options.max_body_bytes);
    parser_->header_limit(64 * 1024);
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      WriteResponse({413, "application/json",
                     StatusBody(413, "RequestEntityTooLarge",
                                "the request body is larger than the limit of " +
                                    std::to_string(server_->options.max_body_bytes) + " bytes"),
                     {}},
                    false);
      return;
    }
    if (ec) return Close();
    beast::get_lowest_layer(stream_).expires_never();
    auto& msg = parser_->get();
    HttpRequest req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    ParseTarget(req.target, &req.path, &req.query);
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string(field.value());
    }
    req.body = std::move(msg.body());
    keep_alive_ = msg.keep_alive();

    X509* cert = SSL_get1_peer_certificate(stream_.native_handle());
    bool cert_ok = cert && SSL_get_verify_result(stream_.native_handle()) == X509_V_OK;
    std::optional<UserInfo> user;
    if (server_->options.authenticate) {
      user = server_->options.authenticate(cert_ok ? cert : nullptr, req.Header("authorization"));
    }
    if (cert) X509_free(cert);
    if (user) {
      req.authenticated = true;
      req.user = std::move(*user);
    } else if (!server_->options.allow_anonymous || !server_->options.allow_anonymous(req.path)) {
      WriteResponse({401, "application/json", StatusBody(401, "Unauthorized", "Unauthorized"), {}},
                    keep_alive_);
      return;
    }

    auto responder = std::make_shared<SessionResponder>(shared_from_this(), keep_alive_,
                                                        websocket::is_upgrade(msg));
    net::post(server_->workers, [server = server_, req = std::move(req), responder]() mutable {
      server->handler(std::move(req), std::move(responder));
    });
  }

  void WriteResponse(HttpResponse r, bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->result(static_cast<unsigned>(r.status));
    res->version(11);
    res->set(http::field::content_type, r.content_type);
    res->set("Cache-Control", "no-cache, private");
    for (auto& [k, v] : r.headers) res->set(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
                        if (ec || !keep_alive) return self->Close();
                        self->Read();
                      });
  }

  void StartStream(int status, const std::string& content_type) {
    stream_res_.emplace();
    stream_res_->result(static_cast<unsigned>(status));
    stream_res_->version(11);
    stream_res_->set(http::field::content_type, content_type);
    stream_res_->set("Cache-Control", "no-cache, private");
    stream_res_->chunked(true);
    // A streamed answer ends the connection: the client reconnects for its next request.
    stream_res_->keep_alive(false);
    serializer_.emplace(*stream_res_);
    writing_ = true;
    http::async_write_header(stream_, *serializer_,
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                               self->writing_ = false;
                               if (ec) return self->EndStream();
                               self->header_written_ = true;
                               self->WatchForDisconnect();
                               self->PumpChunks();
                             });
  }

  // While streaming, a read that completes means the client closed (or broke the protocol).
  void WatchForDisconnect() {
    stream_.async_read_some(net::buffer(probe_), [self = shared_from_this()](beast::error_code,
                                                                             size_t) {
      self->EndStream();
    });
  }

  void PumpChunks() {
    if (writing_ || !header_written_ || stream_closed_) return;
    if (!chunks_.empty()) {
      writing_ = true;
      auto chunk = std::make_shared<std::string>(std::move(chunks_.front()));
      chunks_.pop_front();
      net::async_write(stream_, http::make_chunk(net::buffer(*chunk)),
                       [self = shared_from_this(), chunk](beast::error_code ec, size_t) {
                         self->writing_ = false;
                         self->pending_ -= chunk->size();
                         if (ec) return self->EndStream();
                         self->PumpChunks();
                       });
    } else if (stream_ending_) {
      writing_ = true;
      net::async_write(stream_, http::make_chunk_last(),
                       [self = shared_from_this()](beast::error_code, size_t) {
                         self->writing_ = false;
                         self->EndStream();
                       });
    }
  }

  void EndStream() {
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard lock(close_mu_);
      if (stream_closed_) return;
      stream_closed_ = true;
      callbacks.swap(on_close_);
    }
    for (auto& fn : callbacks) fn();
    Close();
  }

  // --- WebSocket, on the strand ---
  void WsAccept(const std::string& protocol) {
    ws_.emplace(stream_);
    ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_->set_option(websocket::stream_base::decorator([protocol](websocket::response_type& res) {
      if (!protocol.empty()) res.set(http::field::sec_websocket_protocol, protocol);
    }));
    ws_->read_message_max(kMaxWebSocketMessage);
    ws_->async_accept(parser_->get(), [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->WsFail();
      self->ws_open_ = true;
      if (self->ws_read_pending_start_) self->WsRead();
      self->WsPump();
    });
  }

  void WsRead() {
    if (!ws_open_) {
      ws_read_pending_start_ = true;
      return;
    }
    ws_read_pending_start_ = false;
    ws_->async_read(ws_buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->WsFail();
      WebSocketMessage m{beast::buffers_to_string(self->ws_buffer_.data()),
                         self->ws_->got_binary()};
      self->ws_buffer_.consume(self->ws_buffer_.size());
      std::lock_guard lock(self->ws_mu_);
      self->ws_read_requested_ = false;
      self->ws_inbox_.push_back(std::move(m));
      self->ws_cv_.notify_all();
    });
  }

  void WsPump() {
    if (!ws_open_ || ws_writing_) return;
    if (!ws_out_.empty()) {
      ws_writing_ = true;
      auto msg = std::make_shared<std::pair<std::string, bool>>(std::move(ws_out_.front()));
      ws_out_.pop_front();
      ws_->binary(msg->second);
      ws_->async_write(net::buffer(msg->first),
                       [self = shared_from_this(), msg](beast::error_code ec, size_t) {
                         self->ws_writing_ = false;
                         {
                           std::lock_guard lock(self->ws_mu_);
                           self->ws_queued_ -= msg->first.size();
                           self->ws_cv_.notify_all();
                         }
                         if (ec) return self->WsFail();
                         self->WsPump();
                       });
      return;
    }
    if (ws_close_queued_ && !ws_close_sent_) {
      ws_close_sent_ = true;
      ws_writing_ = true;
      ws_->async_close(websocket::close_code::normal,
                       [self = shared_from_this()](beast::error_code ec) {
                         self->ws_writing_ = false;
                         if (ec) return self->WsFail();
                         // The peer answers with its own close frame, which a read consumes
                         // (Beast then tears the connection down).
                         bool reading;
                         {
                           std::lock_guard lock(self->ws_mu_);
                           reading = self->ws_read_requested_;
                           if (!reading) self->ws_read_requested_ = true;
                         }
                         if (!reading) self->WsRead();
                       });
    }
  }

  void WsMarkClosed() {
    std::lock_guard lock(ws_mu_);
    ws_closed_ = true;
    ws_cv_.notify_all();
  }

  void WsFail() {
    WsMarkClosed();
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).close();
  }

  void Close() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
      beast::error_code ec;
      beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
      beast::get_lowest_layer(self->stream_).close();
    });
  }

  // Counts the session in the server until the very end of its destruction (declared first:
  // destroyed last, after stream_, whose destructor still uses the io_context).
  struct Live {
    explicit Live(HttpsServer::Impl* s) : server(s) { ++server->live_sessions; }
    ~Live() { --server->live_sessions; }
    HttpsServer::Impl* server;
  } live_;
  std::shared_ptr<ssl::context> ctx_;  // outlives stream_, which refers to it
  beast::ssl_stream<beast::tcp_stream> stream_;
  HttpsServer::Impl* server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;

  // Streaming state; strand-only except where atomic.
  std::optional<http::response<http::empty_body>> stream_res_;
  std::optional<http::response_serializer<http::empty_body>> serializer_;
  std::deque<std::string> chunks_;
  bool writing_ = false;
  bool header_written_ = false;
  bool stream_ending_ = false;
  std::atomic<size_t> pending_{0};
  char probe_[64];
  std::mutex close_mu_;  // guards on_close_ and the transition of stream_closed_
  std::atomic<bool> stream_closed_{false};
  std::vector<std::function<void()>> on_close_;

  // WebSocket state. Strand-only: ws_, ws_buffer_, ws_out_, ws_open_, ws_writing_,
  // ws_close_queued_ (WsClose's request, in order with the sends), ws_close_sent_,
  // ws_read_pending_start_.
  std::optional<websocket::stream<beast::ssl_stream<beast::tcp_stream>&>> ws_;
  beast::flat_buffer ws_buffer_;
  std::deque<std::pair<std::string, bool>> ws_out_;
  bool ws_open_ = false;
  bool ws_writing_ = false;
  bool ws_close_queued_ = false;
  bool ws_close_sent_ = false;
  bool ws_read_pending_start_ = false;
  std::mutex ws_mu_;  // guards the fields below; ws_cv_ signals their changes
  std::condition_variable ws_cv_;
  bool ws_closed_ = false;
  bool ws_close_requested_ = false;
  bool ws_read_requested_ = false;
  size_t ws_queued_ = 0;
  std::deque<WebSocketMessage> ws_inbox_;
};

namespace {

class SessionStream final : public ResponseStream {
 public:
  explicit SessionStream(std::shared_ptr<Session> s) : s_(std::move(s)) {}
  ~SessionStream() override { Close(); }
  void Write(std::string chunk) override {
    if (!s_->stream_closed() && !ended_.load()) s_->PostChunk(std::move(chunk));
  }
  void Close() override {
    if (!ended_.exchange(true)) s_->PostStreamEnd();
  }
  bool closed() const override { return ended_.load() || s_->stream_closed(); }
  size_t pending() const override { return s_->pending(); }
  void OnClose(std::function<void()> fn) override { s_->OnStreamClose(std::move(fn)); }

 private:
  std::shared_ptr<Session> s_;
  std::atomic<bool> ended_{false};
};

}  // namespace

namespace {

// The handle a handler holds on an upgraded connection; dropping the last one closes it.
class SessionWebSocket final : public WebSocket {
 public:
  explicit SessionWebSocket(std::shared_ptr<Session> s) : s_(std::move(s)) {}
  ~SessionWebSocket() override { s_->WsClose(); }
  bool Send(std::string data, bool binary) override { return s_->WsSend(std::move(data), binary); }
  bool WaitQueuedAtMost(size_t bytes) override { return s_->WsWaitQueuedAtMost(bytes); }
  std::optional<WebSocketMessage> Receive() override { return s_->WsReceive(); }
  void Close() override { s_->WsClose(); }

 private:
  std::shared_ptr<Session> s_;
};

}  // namespace

std::shared_ptr<WebSocket> Session::SessionResponder::UpgradeWebSocket(
    const std::string& protocol) {
  if (!websocket_upgrade_ || answered_.exchange(true)) return nullptr;
  s_->PostWsAccept(protocol);
  return std::make_shared<SessionWebSocket>(s_);
}

std::shared_ptr<ResponseStream> Session::SessionResponder::Stream(int status,
                                                                  std::string content_type) {
  if (answered_.exchange(true)) return nullptr;
  s_->PostStreamStart(status, std::move(content_type));
  return std::make_shared<SessionStream>(s_);
}

void HttpsServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (!ec) {
      ::fcntl(socket.native_handle(), F_SETFD, FD_CLOEXEC);
      // Responses go out in several small writes (TLS records, chunks): without this, each
      // waits for the client's delayed ACK (~40 ms).
      beast::error_code nodelay_ec;
      socket.set_option(tcp::no_delay(true), nodelay_ec);
      auto session = std::make_shared<Session>(std::move(socket), Context(), this);
      {
        std::lock_guard lock(sessions_mu);
        for (auto it = sessions.begin(); it != sessions.end();) {
          it = it->expired() ? sessions.erase(it) : std::next(it);
        }
        sessions.insert(session);
      }
      session->Start();
    }
    Accept();
  });
}

Result<std::unique_ptr<HttpsServer>> HttpsServer::Start(HttpsServerOptions options,
                                                        Handler handler) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler));
  auto ctx = MakeContext(impl->options.cert_pem, impl->options.key_pem,
                         impl->options.client_ca_pem);
  if (!ctx.ok()) return ctx.status();
  impl->ctx = *ctx;
  beast::error_code ec;
  auto address = net::ip::make_address(impl->options.bind_address, ec);
  if (ec) return InvalidArgumentError("bad bind address " + impl->options.bind_address);
  tcp::endpoint endpoint(address, impl->options.port);
  const std::string where = impl->options.bind_address + ":" + std::to_string(impl->options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return UnavailableError("cannot listen on " + where + ": " + ec.message());
  // Accepted sockets must not leak into child processes (shims, CNI plugins).
  ::fcntl(impl->acceptor.native_handle(), F_SETFD, FD_CLOEXEC);
  impl->Accept();
  for (int i = 0; i < impl->options.io_threads; ++i) {
    impl->threads.emplace_back([ioc = &impl->ioc] { ioc->run(); });
  }
  return std::unique_ptr<HttpsServer>(new HttpsServer(std::move(impl)));
}

HttpsServer::HttpsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpsServer::~HttpsServer() {
  net::post(impl_->ioc, [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
  {
    std::lock_guard lock(impl_->sessions_mu);
    for (auto& weak : impl_->sessions) {
      if (auto s = weak.lock()) s->Shutdown();
    }
  }
  impl_->workers.join();
  // Wait for the sessions to run their shutdown (ending streams runs their close hooks) and
  // to be released: a session outliving the io_context would touch its freed timer service
  // when destroyed. Handlers holding one (an exec session's WebSocket) see it closed and
  // let go within milliseconds; the bound only keeps a stuck handler from hanging shutdown.
  for (int i = 0; i < 1000; ++i) {
    // Not weak_ptr::expired(): that is true while the last owner is still running the
    // session's destructor.
    if (impl_->live_sessions.load() == 0) break;
    if (i == 999) log::Warning("api", "connections still held by handlers at shutdown");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
}

uint16_t HttpsServer::port() const { return impl_->acceptor.local_endpoint().port(); }

Status HttpsServer::Reload(const std::string& cert_pem, const std::string& key_pem) {
  auto ctx = MakeContext(cert_pem, key_pem, impl_->options.client_ca_pem);
  if (!ctx.ok()) return ctx.status();
  std::lock_guard lock(impl_->ctx_mu);
  impl_->ctx = *ctx;
  return Status::Ok();
}

}  // namespace skiff::api
