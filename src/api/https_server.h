// The HTTPS server: TLS (HTTP/1.1 only, chosen by ALPN), client-certificate and bearer-token
// authentication through a callback, bounded request bodies, keep-alive, and chunked
// streaming responses. Built on Boost.Beast; a couple of I/O threads serve every connection
// asynchronously, so long-lived watches never hold a thread; handlers run on a separate worker
// pool so a slow store write never stalls I/O.
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http_types.h"
#include "skiff/common/status.h"

namespace skiff::api {

struct HttpsServerOptions {
  std::string bind_address = "0.0.0.0";
  uint16_t port = 6443;  // 0 = any free port (see HttpsServer::port())
  std::string cert_pem;  // serving certificate chain
  std::string key_pem;
  std::string client_ca_pem;  // CA that signs client certificates
  size_t max_body_bytes = 3 * 1024 * 1024;
  int io_threads = 2;
  int worker_threads = 8;
  // Decides who is calling: the verified client certificate (may be null) and the
  // Authorization header. nullopt = anonymous.
  std::function<std::optional<UserInfo>(X509* client_cert, const std::string& authorization)>
      authenticate;
  // Paths anonymous callers may reach (everything else answers 401).
  std::function<bool(const std::string& path)> allow_anonymous;
};

class HttpsServer {
 public:
  // Binds and starts serving at once; fails naming the address when it cannot listen.
  static Result<std::unique_ptr<HttpsServer>> Start(HttpsServerOptions options, Handler handler);
  ~HttpsServer();  // stops accepting, closes connections, joins threads
  uint16_t port() const;

  // Replaces the serving certificate for new connections (certificate renewal).
  Status Reload(const std::string& cert_pem, const std::string& key_pem);

  struct Impl;

 private:
  explicit HttpsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::api
