// A small blocking HTTPS/1.1 client for the API benchmark: one persistent keep-alive connection
// per object, requests sent one at a time, and watch streams read line by line.
//
// Not thread-safe: each thread owns its own HttpsConnection. A TlsConfig may be shared by any
// number of connections on any threads once built. No function throws; failures come back as
// false / an empty optional with a message in `error`.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace skiff::bench {

// Client TLS settings: trusts one CA and presents one client certificate.
class TlsConfig {
 public:
  // Builds from PEM text. On failure returns nullptr and sets *error.
  static std::shared_ptr<TlsConfig> FromPem(const std::string& ca_pem, const std::string& cert_pem,
                                            const std::string& key_pem, std::string* error);
  ~TlsConfig();
  TlsConfig(const TlsConfig&) = delete;
  TlsConfig& operator=(const TlsConfig&) = delete;

  SSL_CTX* ctx() const { return ctx_; }

 private:
  explicit TlsConfig(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

class HttpsConnection {
 public:
  HttpsConnection(std::shared_ptr<TlsConfig> tls, std::string host, int port);
  ~HttpsConnection();
  HttpsConnection(const HttpsConnection&) = delete;
  HttpsConnection& operator=(const HttpsConnection&) = delete;

  // Connects and completes the TLS handshake (done lazily by Request when not yet connected).
  bool Connect();

  // Sends one request and reads the whole response (Content-Length or chunked body). Reconnects
  // once when the kept-alive connection turns out to have been closed before any response byte.
  // Returns nullopt (and sets error()) on a transport failure; any HTTP status is a response.
  std::optional<HttpResponse> Request(const std::string& method, const std::string& target,
                                      const std::string& body = "",
                                      const std::string& accept = "application/json");

  // Starts a streaming GET (a watch): sends it and reads the response head. Returns the HTTP
  // status (0 on a transport failure); on 200 the body is then read with ReadLine.
  int StartStream(const std::string& target);

  // Next complete line ('\n' excluded) of a started stream. Returns false on end of stream,
  // error, or when no full line arrived within `timeout` (then timed_out() is true).
  bool ReadLine(std::string* line, std::chrono::milliseconds timeout);
  bool timed_out() const { return timed_out_; }

  void Close();
  const std::string& error() const { return error_; }

 private:
  struct Head {
    int status = 0;
    bool chunked = false;
    bool close = false;
    long long content_length = -1;
  };

  bool SendAll(const std::string& data);
  // Reads more raw bytes into in_; waits at most `timeout` (negative: forever). 0 = timeout,
  // -1 = closed/error, >0 = bytes read.
  int Fill(std::chrono::milliseconds timeout);
  bool ReadHead(Head* head, bool* nothing_received);
  bool ReadBody(const Head& head, std::string* body);
  // Decodes chunked stream bytes from in_ into stream_data_; false when the stream ended.
  bool DecodeChunks();

  std::shared_ptr<TlsConfig> tls_;
  std::string host_;
  int port_;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
  std::string in_;  // raw bytes received and not yet consumed
  std::string error_;
  // Watch-stream state.
  std::string stream_data_;    // de-chunked bytes not yet returned as lines
  long long chunk_left_ = -1;  // bytes left in the current chunk; -1: at a size line
  bool stream_ended_ = false;
  bool timed_out_ = false;
};

}  // namespace skiff::bench
