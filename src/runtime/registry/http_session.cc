#include "runtime/registry/http_session.h"

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <cstring>

#include "skiff/common/string_util.h"

namespace skiff::runtime::registry {
namespace {

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

// Reads a part of a parsed URL ("" when absent).
std::string UrlPart(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, flags) != CURLUE_OK || value == nullptr) return "";
  std::string out(value);
  curl_free(value);
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// Per-transfer state the callbacks write into.
struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  Status sink_status;
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    // A new response (after 100 Continue, or the final one): start over.
    t->response->headers.clear();
    t->response->body.clear();
    std::string text = Trim(line);
    size_t sp = text.find(' ');
    if (sp != std::string::npos) {
      t->response->status = std::strtol(text.c_str() + sp + 1, nullptr, 10);
      size_t sp2 = text.find(' ', sp + 1);
      t->response->reason = sp2 == std::string::npos ? "" : text.substr(sp2 + 1);
    }
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    t->response->headers.emplace_back(AsciiLower(Trim(line.substr(0, colon))),
                                      Trim(line.substr(colon + 1)));
  }
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  const long status = t->response->status;
  if (t->request->sink && status >= 200 && status < 300) {
    t->sink_status = t->request->sink(status, std::string_view(data, n));
    return t->sink_status.ok() ? n : 0;
  }
  if (t->response->body.size() + n > t->request->max_buffered_body) {
    t->sink_status = TooLargeError("response body from " + t->request->url + " exceeds " +
                                   std::to_string(t->request->max_buffered_body) + " bytes");
    return 0;
  }
  t->response->body.append(data, n);
  return n;
}

std::string LowerFirst(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

// A transport failure described as Go's net/http would (what Kubernetes users see), with
// libcurl's detail where Go has no fixed wording.
std::string TransportMessage(CURL* curl, CURLcode code, const HttpRequest& req,
                             const char* errbuf) {
  std::string verb = req.method == "POST" ? "Post" : "Get";
  std::string prefix = verb + " \"" + req.url + "\": ";
  std::string authority = UrlAuthority(req.url);
  std::string detail = errbuf[0] != '\0' ? std::string(errbuf) : curl_easy_strerror(code);
  long os_errno = 0;
  curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST: {
      UrlHandle url(curl_url());
      std::string host = authority;
      if (url && curl_url_set(url.get(), CURLUPART_URL, req.url.c_str(), 0) == CURLUE_OK) {
        host = UrlPart(url.get(), CURLUPART_HOST);
      }
      return prefix + "dial tcp: lookup " + host + ": no such host";
    }
    case CURLE_COULDNT_CONNECT:
      if (os_errno != 0) {
        return prefix + "dial tcp " + authority +
               ": connect: " + LowerFirst(std::strerror(static_cast<int>(os_errno)));
      }
      return prefix + "dial tcp " + authority + ": " + detail;
    case CURLE_OPERATION_TIMEDOUT: {
      double connect_time = 0;
      curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME, &connect_time);
      if (connect_time <= 0) return prefix + "dial tcp " + authority + ": i/o timeout";
      return prefix + "i/o timeout: " + detail;
    }
    case CURLE_PEER_FAILED_VERIFICATION:
      return prefix + "tls: failed to verify certificate: " + detail;
    case CURLE_SSL_CONNECT_ERROR:
      return prefix + "tls: handshake failure: " + detail;
    default:
      return prefix + detail;
  }
}

// libcurl runs with CURLOPT_NOSIGNAL (threads), so it does not shield us from SIGPIPE when a
// peer closes a TLS connection mid-write. SIGPIPE is blocked in this thread for the transfer and
// one raised meanwhile is consumed, so the pull fails with EPIPE instead of killing skiff.
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

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return "";
}

std::vector<std::string> HttpResponse::Headers(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : headers) {
    if (k == name) out.push_back(v);
  }
  return out;
}

// curl_easy_init initializes libcurl on first use; Debian's libcurl 7.88 is built thread-safe
// ("threadsafe" feature), so that first use may happen on any thread.
struct HttpSession::Impl {
  HttpLimits limits;
  CURL* curl = nullptr;
};

HttpSession::HttpSession(HttpLimits limits) : impl_(std::make_unique<Impl>()) {
  impl_->limits = limits;
  impl_->curl = curl_easy_init();
}

HttpSession::~HttpSession() {
  if (impl_->curl != nullptr) curl_easy_cleanup(impl_->curl);
}

HttpResult HttpSession::Do(const HttpRequest& req) {
  HttpResult result;
  CURL* curl = impl_->curl;
  if (curl == nullptr) {
    result.status = InternalError("libcurl could not create a handle for " + req.url);
    return result;
  }
  curl_easy_reset(curl);  // keeps the connection and DNS caches

  Transfer transfer{&req, &result.response, Status::Ok()};
  char errbuf[CURL_ERROR_SIZE] = {0};
  Slist headers;
  for (const std::string& h : req.headers) {
    curl_slist* next = curl_slist_append(headers.get(), h.c_str());
    if (next == nullptr) {
      result.status = InternalError("out of memory building the request to " + req.url);
      return result;
    }
    headers.release();
    headers.reset(next);
  }

  const HttpLimits& lim = impl_->limits;
  curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "skiff/0.1");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(lim.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, lim.low_speed_bytes);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(lim.low_speed_time.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(req.total_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  if (req.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req.body.c_str());
  }
  if (!req.tls.ca_file.empty()) {
    // The configured CA is trusted in addition to the system store.
    curl_easy_setopt(curl, CURLOPT_CAINFO, req.tls.ca_file.c_str());
    curl_easy_setopt(curl, CURLOPT_CAPATH, "/etc/ssl/certs");
  }
  if (!req.tls.cert_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, req.tls.cert_file.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLKEY, req.tls.key_file.c_str());
  }
  if (req.tls.insecure_skip_verify) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }

  CURLcode code;
  {
    ScopedSigpipeBlock no_sigpipe;
    code = curl_easy_perform(curl);
  }
  if (!transfer.sink_status.ok()) {
    result.status = transfer.sink_status;
    return result;
  }
  if (code != CURLE_OK) {
    result.tls_handshake_failed = code == CURLE_SSL_CONNECT_ERROR;
    result.status = UnavailableError(TransportMessage(curl, code, req, errbuf));
    return result;
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  result.response.status = status;
  return result;
}

std::string ResolveUrl(const std::string& base, const std::string& location) {
  UrlHandle url(curl_url());
  if (!url) return "";
  if (curl_url_set(url.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK) return "";
  if (curl_url_set(url.get(), CURLUPART_URL, location.c_str(), 0) != CURLUE_OK) return "";
  return UrlPart(url.get(), CURLUPART_URL);
}

std::string UrlAuthority(const std::string& text) {
  UrlHandle url(curl_url());
  if (!url || curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) return "";
  std::string host = AsciiLower(UrlPart(url.get(), CURLUPART_HOST));
  std::string port = UrlPart(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (host.empty()) return "";
  return port.empty() ? host : host + ":" + port;
}

std::string FormEscape(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace skiff::runtime::registry
