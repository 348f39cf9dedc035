#include "client/https_transport.h"

#include <pthread.h>
#include <signal.h>

#include <cstring>

#include "skiff/cli/version.h"

namespace skiff::client {
namespace {

// Idle keep-alive probes on every connection, so a peer that vanished without closing (power
// cut, cable pulled) is noticed on an idle watch stream too.
constexpr long kKeepIdleSeconds = 30;
constexpr long kKeepIntervalSeconds = 10;

// libcurl runs with CURLOPT_NOSIGNAL (threads), so a peer that closes a TLS connection while
// we write could raise SIGPIPE in the calling thread. It is blocked for the transfer and one
// raised meanwhile is consumed, so the write fails with EPIPE instead of killing the process.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigemptyset(&pipe_only_);
    sigaddset(&pipe_only_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only_, &old_);
  }
  ~ScopedSigpipeBlock() {
    if (!sigismember(&old_, SIGPIPE)) {
      timespec zero{};
      while (sigtimedwait(&pipe_only_, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

 private:
  sigset_t pipe_only_;
  sigset_t old_;
};

// Where Do() collects a response body.
struct BodySink {
  std::string* body;
  size_t limit;
  bool too_large = false;
};

size_t CollectBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const size_t n = size * count;
  if (sink->body->size() + n > sink->limit) {
    sink->too_large = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  sink->body->append(data, n);
  return n;
}

std::string TrimTrailingSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// A PEM as a blob libcurl copies.
curl_blob Blob(const std::string& pem) {
  curl_blob b{};
  b.data = const_cast<char*>(pem.data());
  b.len = pem.size();
  b.flags = CURL_BLOB_COPY;
  return b;
}

}  // namespace

HttpsTransport::HttpsTransport(RemoteClientConfig config)
    : config_(std::move(config)),
      base_url_(TrimTrailingSlash(config_.server)),
      user_agent_(config_.user_agent.empty() ? "skiff/" + std::string(cli::SkiffVersion())
                                             : config_.user_agent) {}

HttpsTransport::~HttpsTransport() = default;

CurlEasy HttpsTransport::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      CurlEasy curl = std::move(idle_.back());
      idle_.pop_back();
      return curl;
    }
  }
  return CurlEasy(curl_easy_init());
}

void HttpsTransport::Release(CurlEasy curl) {
  if (!curl) return;
  // Options go; the open connection, TLS session and DNS caches stay for the next request.
  curl_easy_reset(curl.get());
  std::lock_guard lock(mu_);
  if (idle_.size() < config_.max_idle_connections) idle_.push_back(std::move(curl));
}

Status HttpsTransport::Setup(const HttpRequest& request, PreparedRequest* p, bool stream) {
  CURL* c = p->curl.get();
  p->url = base_url_ + request.target;
  p->method = request.method;
  p->body = request.body;
  p->error[0] = '\0';

  curl_slist* headers = nullptr;
  auto add = [&headers](const std::string& h) {
    curl_slist* next = curl_slist_append(headers, h.c_str());
    if (next) headers = next;
    return next != nullptr;
  };
  bool ok = add("Accept: application/json");
  if (!p->body.empty()) {
    ok = ok && add("Content-Type: " +
                   (request.content_type.empty() ? "application/json" : request.content_type));
  }
  ok = ok && add("Expect:");  // no 100-continue round trip for large bodies
  if (!config_.token.empty()) ok = ok && add("Authorization: Bearer " + config_.token);
  p->headers.reset(headers);
  if (!ok) return InternalError("out of memory building the request headers");

  CURLcode rc = CURLE_OK;
  auto set = [&rc](CURLcode r) {
    if (rc == CURLE_OK) rc = r;
  };
  set(curl_easy_setopt(c, CURLOPT_URL, p->url.c_str()));
  set(curl_easy_setopt(c, CURLOPT_HTTPHEADER, p->headers.get()));
  set(curl_easy_setopt(c, CURLOPT_USERAGENT, user_agent_.c_str()));
  set(curl_easy_setopt(c, CURLOPT_ERRORBUFFER, p->error));
  set(curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https"));
  set(curl_easy_setopt(c, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1)));
  set(curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L));
  set(curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L));
  set(curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L));
  set(curl_easy_setopt(c, CURLOPT_TCP_KEEPIDLE, kKeepIdleSeconds));
  set(curl_easy_setopt(c, CURLOPT_TCP_KEEPINTVL, kKeepIntervalSeconds));
  set(curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(config_.connect_timeout.count())));
  if (!stream) {
    set(curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                         static_cast<long>(config_.request_timeout.count())));
  }

  // Trust exactly the configured CA: no system bundle or directory, peer and host verified.
  curl_blob ca = Blob(config_.ca_pem);
  set(curl_easy_setopt(c, CURLOPT_CAINFO, nullptr));
  set(curl_easy_setopt(c, CURLOPT_CAPATH, nullptr));
  set(curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca));
  set(curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L));
  set(curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L));
  if (!config_.client_cert_pem.empty()) {
    curl_blob cert = Blob(config_.client_cert_pem);
    curl_blob key = Blob(config_.client_key_pem);
    set(curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM"));
    set(curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cert));
    set(curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM"));
    set(curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key));
  }

  if (request.method == "GET") {
    set(curl_easy_setopt(c, CURLOPT_HTTPGET, 1L));
  } else {
    // A body goes as POSTFIELDS (which makes it a POST); the method string says what it is.
    set(curl_easy_setopt(c, CURLOPT_POSTFIELDS, p->body.c_str()));
    set(curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(p->body.size())));
    if (request.method != "POST") {
      set(curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, p->method.c_str()));
    }
  }
  if (rc != CURLE_OK) {
    return InternalError("cannot set up the request to " + p->url + ": " + curl_easy_strerror(rc));
  }
  return Status::Ok();
}

std::string HttpsTransport::TransferError(const PreparedRequest& p, CURLcode code) {
  std::string detail = p.error[0] != '\0' ? std::string(p.error) : curl_easy_strerror(code);
  return p.method + " " + p.url + ": " + detail;
}

Result<HttpResponse> HttpsTransport::Do(const HttpRequest& request) {
  PreparedRequest p;
  p.curl = Acquire();
  if (!p.curl) return InternalError("curl_easy_init failed");
  if (Status s = Setup(request, &p, /*stream=*/false); !s.ok()) return s;

  HttpResponse response;
  BodySink sink{&response.body, config_.max_response_bytes};
  curl_easy_setopt(p.curl.get(), CURLOPT_WRITEFUNCTION, &CollectBody);
  curl_easy_setopt(p.curl.get(), CURLOPT_WRITEDATA, &sink);
  CURLcode rc;
  {
    ScopedSigpipeBlock no_sigpipe;
    rc = curl_easy_perform(p.curl.get());
  }
  if (rc != CURLE_OK) {
    Status s = sink.too_large ? TooLargeError(p.method + " " + p.url + ": the response is over " +
                                              std::to_string(config_.max_response_bytes) + " bytes")
                              : UnavailableError(TransferError(p, rc));
    // The handle may hold a half-read connection: let it go with the handle.
    return s;
  }
  curl_easy_getinfo(p.curl.get(), CURLINFO_RESPONSE_CODE, &response.status);
  p.headers.reset();
  Release(std::move(p.curl));
  return response;
}

Result<std::unique_ptr<PreparedRequest>> HttpsTransport::PrepareStream(const HttpRequest& request) {
  auto p = std::make_unique<PreparedRequest>();
  p->curl.reset(curl_easy_init());
  if (!p->curl) return InternalError("curl_easy_init failed");
  if (Status s = Setup(request, p.get(), /*stream=*/true); !s.ok()) return s;
  return p;
}

}  // namespace skiff::client
