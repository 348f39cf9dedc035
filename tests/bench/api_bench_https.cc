#include "api_bench_https.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace skiff::bench {
namespace {

std::string SslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown TLS error" : out;
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

BioPtr MemBio(const std::string& s) {
  return BioPtr(BIO_new_mem_buf(s.data(), static_cast<int>(s.size())));
}

// Case-insensitive "starts with" for header names.
bool HeaderIs(const std::string& line, const char* name, std::string* value) {
  size_t n = std::strlen(name);
  if (line.size() <= n || strncasecmp(line.c_str(), name, n) != 0 || line[n] != ':') return false;
  size_t b = line.find_first_not_of(" \t", n + 1);
  size_t e = line.find_last_not_of(" \t\r");
  *value = (b == std::string::npos || e < b) ? "" : line.substr(b, e - b + 1);
  return true;
}

// Chunk decoder states kept in chunk_left_ (>= 0: data bytes left in the current chunk).
constexpr long long kAtSizeLine = -1;
constexpr long long kAtDataEnd = -2;  // the CRLF after a chunk's data
constexpr long long kAtTrailers = -3;

}  // namespace

std::shared_ptr<TlsConfig> TlsConfig::FromPem(const std::string& ca_pem,
                                              const std::string& cert_pem,
                                              const std::string& key_pem, std::string* error) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) {
    *error = "SSL_CTX_new: " + SslErrors();
    return nullptr;
  }
  std::shared_ptr<TlsConfig> cfg(new TlsConfig(ctx));
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  auto ca_bio = MemBio(ca_pem);
  int cas = 0;
  while (X509* ca = PEM_read_bio_X509(ca_bio.get(), nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store, ca);
    X509_free(ca);
    ++cas;
  }
  ERR_clear_error();  // the loop ends on a "no start line" error
  if (cas == 0) {
    *error = "no CA certificate in the kubeconfig";
    return nullptr;
  }
  auto cert_bio = MemBio(cert_pem);
  X509* cert = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr);
  if (!cert || SSL_CTX_use_certificate(ctx, cert) != 1) {
    X509_free(cert);
    *error = "client certificate: " + SslErrors();
    return nullptr;
  }
  X509_free(cert);
  auto key_bio = MemBio(key_pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr);
  if (!key || SSL_CTX_use_PrivateKey(ctx, key) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    EVP_PKEY_free(key);
    *error = "client key: " + SslErrors();
    return nullptr;
  }
  EVP_PKEY_free(key);
  return cfg;
}

TlsConfig::~TlsConfig() { SSL_CTX_free(ctx_); }

HttpsConnection::HttpsConnection(std::shared_ptr<TlsConfig> tls, std::string host, int port)
    : tls_(std::move(tls)), host_(std::move(host)), port_(port) {}

HttpsConnection::~HttpsConnection() { Close(); }

void HttpsConnection::Close() {
  if (ssl_) {
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  in_.clear();
}

bool HttpsConnection::Connect() {
  Close();
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string port = std::to_string(port_);
  if (int rc = getaddrinfo(host_.c_str(), port.c_str(), &hints, &res); rc != 0) {
    error_ = std::string("resolve ") + host_ + ": " + gai_strerror(rc);
    return false;
  }
  fd_ = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0 || ::connect(fd_, res->ai_addr, res->ai_addrlen) != 0) {
    error_ = std::string("connect ") + host_ + ":" + port + ": " + std::strerror(errno);
    freeaddrinfo(res);
    Close();
    return false;
  }
  freeaddrinfo(res);
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ssl_ = SSL_new(tls_->ctx());
  SSL_set_fd(ssl_, fd_);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host_.c_str());
  if (SSL_connect(ssl_) != 1) {
    error_ = "TLS handshake: " + SslErrors();
    Close();
    return false;
  }
  return true;
}

bool HttpsConnection::SendAll(const std::string& data) {
  ERR_clear_error();
  int n = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
  if (n != static_cast<int>(data.size())) {
    error_ = "send: " + SslErrors();
    return false;
  }
  return true;
}

int HttpsConnection::Fill(std::chrono::milliseconds timeout) {
  if (!ssl_) return -1;
  if (timeout.count() >= 0 && SSL_pending(ssl_) == 0) {
    pollfd p{fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (rc == 0) return 0;
    if (rc < 0 && errno != EINTR) {
      error_ = std::string("poll: ") + std::strerror(errno);
      return -1;
    }
    if (rc < 0) return 0;
  }
  char buf[16384];
  ERR_clear_error();
  int n = SSL_read(ssl_, buf, sizeof buf);
  if (n <= 0) {
    int e = SSL_get_error(ssl_, n);
    error_ = e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL ? "connection closed by server"
                                                                  : "receive: " + SslErrors();
    return -1;
  }
  in_.append(buf, static_cast<size_t>(n));
  return n;
}

bool HttpsConnection::ReadHead(Head* head, bool* nothing_received) {
  *nothing_received = true;
  size_t end;
  while ((end = in_.find("\r\n\r\n")) == std::string::npos) {
    if (Fill(std::chrono::milliseconds(-1)) < 0) return false;
    *nothing_received = false;
  }
  *nothing_received = false;
  std::string text = in_.substr(0, end + 2);
  in_.erase(0, end + 4);
  // Status line: HTTP/1.1 200 OK
  size_t sp = text.find(' ');
  if (text.compare(0, 5, "HTTP/") != 0 || sp == std::string::npos) {
    error_ = "malformed status line: " + text.substr(0, text.find('\r'));
    return false;
  }
  *head = Head{};
  head->status = std::atoi(text.c_str() + sp + 1);
  size_t pos = text.find("\r\n") + 2;
  while (pos < text.size()) {
    size_t eol = text.find("\r\n", pos);
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 2;
    std::string v;
    if (HeaderIs(line, "Content-Length", &v)) {
      head->content_length = std::atoll(v.c_str());
    } else if (HeaderIs(line, "Transfer-Encoding", &v)) {
      head->chunked = strcasestr(v.c_str(), "chunked") != nullptr;
    } else if (HeaderIs(line, "Connection", &v)) {
      head->close = strcasestr(v.c_str(), "close") != nullptr;
    }
  }
  return true;
}

bool HttpsConnection::DecodeChunks() {
  for (;;) {
    if (chunk_left_ > 0) {
      size_t n = std::min<size_t>(static_cast<size_t>(chunk_left_), in_.size());
      if (n == 0) return true;
      stream_data_.append(in_, 0, n);
      in_.erase(0, n);
      chunk_left_ -= static_cast<long long>(n);
      if (chunk_left_ == 0) chunk_left_ = kAtDataEnd;
      continue;
    }
    if (chunk_left_ == kAtDataEnd) {
      if (in_.size() < 2) return true;
      in_.erase(0, 2);
      chunk_left_ = kAtSizeLine;
      continue;
    }
    size_t eol = in_.find("\r\n");
    if (eol == std::string::npos) return true;
    std::string line = in_.substr(0, eol);
    in_.erase(0, eol + 2);
    if (chunk_left_ == kAtTrailers) {
      if (line.empty()) {
        stream_ended_ = true;
        return false;
      }
      continue;
    }
    long long size = std::strtoll(line.c_str(), nullptr, 16);
    chunk_left_ = size == 0 ? kAtTrailers : size;
  }
}

bool HttpsConnection::ReadBody(const Head& head, std::string* body) {
  body->clear();
  if (head.chunked) {
    stream_data_.clear();
    chunk_left_ = kAtSizeLine;
    stream_ended_ = false;
    while (DecodeChunks()) {
      if (Fill(std::chrono::milliseconds(-1)) < 0) return false;
    }
    body->swap(stream_data_);
    return true;
  }
  if (head.content_length >= 0) {
    size_t want = static_cast<size_t>(head.content_length);
    while (in_.size() < want) {
      if (Fill(std::chrono::milliseconds(-1)) < 0) return false;
    }
    body->assign(in_, 0, want);
    in_.erase(0, want);
    return true;
  }
  // No length: the body runs to the end of the connection.
  while (Fill(std::chrono::milliseconds(-1)) > 0) {
  }
  body->swap(in_);
  in_.clear();
  Close();
  return true;
}

std::optional<HttpResponse> HttpsConnection::Request(const std::string& method,
                                                     const std::string& target,
                                                     const std::string& body,
                                                     const std::string& accept) {
  std::string req;
  req.reserve(256 + body.size());
  req += method;
  req += ' ';
  req += target;
  req += " HTTP/1.1\r\nHost: ";
  req += host_;
  req += ':';
  req += std::to_string(port_);
  req += "\r\nUser-Agent: skiff-api-bench\r\nAccept: ";
  req += accept;
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    req += "\r\nContent-Type: application/json\r\nContent-Length: ";
    req += std::to_string(body.size());
  }
  req += "\r\n\r\n";
  req += body;

  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = ssl_ != nullptr;
    if (!reused && !Connect()) return std::nullopt;
    if (!SendAll(req)) {
      if (reused) {
        Close();
        continue;
      }
      return std::nullopt;
    }
    Head head;
    bool nothing;
    if (!ReadHead(&head, &nothing)) {
      if (reused && nothing && in_.empty()) {
        Close();
        continue;
      }
      Close();
      return std::nullopt;
    }
    HttpResponse r;
    r.status = head.status;
    if (head.status != 204 && head.status != 304 && !ReadBody(head, &r.body)) {
      Close();
      return std::nullopt;
    }
    if (head.close) Close();
    return r;
  }
  return std::nullopt;
}

int HttpsConnection::StartStream(const std::string& target) {
  if (!Connect()) return 0;
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: " + host_ + ":" + std::to_string(port_) +
                    "\r\nUser-Agent: skiff-api-bench\r\nAccept: application/json\r\n\r\n";
  if (!SendAll(req)) return 0;
  Head head;
  bool nothing;
  if (!ReadHead(&head, &nothing)) return 0;
  if (head.status == 200 && !head.chunked) {
    error_ = "watch response is not chunked";
    return 0;
  }
  stream_data_.clear();
  chunk_left_ = kAtSizeLine;
  stream_ended_ = false;
  return head.status;
}

bool HttpsConnection::ReadLine(std::string* line, std::chrono::milliseconds timeout) {
  timed_out_ = false;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    size_t eol = stream_data_.find('\n');
    if (eol != std::string::npos) {
      line->assign(stream_data_, 0, eol);
      stream_data_.erase(0, eol + 1);
      return true;
    }
    if (stream_ended_) return false;
    if (!in_.empty() && !DecodeChunks()) continue;  // the stream ended; return what is left
    if (stream_data_.find('\n') != std::string::npos) continue;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out_ = true;
      return false;
    }
    int n = Fill(left);
    if (n == 0) {
      timed_out_ = true;
      return false;
    }
    if (n < 0) return false;
  }
}

}  // namespace skiff::bench
