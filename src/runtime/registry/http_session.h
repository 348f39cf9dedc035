// One libcurl easy handle used for the requests of one pull (connections are kept alive between
// them). Redirects are not followed here: the caller decides what a redirect keeps (see
// EndpointClient). Internal to skiff_registry. Not thread-safe: one session per thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "skiff/common/status.h"
#include "skiff/runtime/registry_config.h"

namespace skiff::runtime::registry {

struct HttpLimits {
  std::chrono::milliseconds connect_timeout{15000};
  // A transfer slower than low_speed_bytes per second for low_speed_time is aborted.
  long low_speed_bytes = 1;
  std::chrono::seconds low_speed_time{30};
};

struct HttpRequest {
  std::string method = "GET";  // GET or POST
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // POST body (form-encoded by the caller)
  RegistryTls tls;
  std::chrono::milliseconds total_timeout{0};  // 0: none (the low-speed limit still applies)
  // Bodies that are buffered (every non-2xx body, and 2xx bodies without a sink) larger than
  // this fail the request with kTooLarge.
  size_t max_buffered_body = 4 << 20;
  // When set, a 2xx body is handed over in pieces instead of being buffered: (status, bytes).
  // A non-OK Status aborts the transfer and becomes the result's status.
  std::function<Status(long, std::string_view)> sink;
};

struct HttpResponse {
  long status = 0;
  std::string reason;                                        // "Not Found"
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names, in order
  std::string body;

  // The first value of a header ("" when absent); `name` in lower case.
  std::string Header(std::string_view name) const;
  std::vector<std::string> Headers(std::string_view name) const;
};

struct HttpResult {
  // OK when a response arrived (any HTTP status); kUnavailable for transport failures, with a
  // message in the form users know from Go ("Get \"URL\": dial tcp HOST:PORT: connect:
  // connection refused"); or the sink's own error.
  Status status;
  bool tls_handshake_failed = false;  // the server did not complete a TLS handshake
  HttpResponse response;
};

class HttpSession {
 public:
  explicit HttpSession(HttpLimits limits);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  HttpResult Do(const HttpRequest& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `location` (absolute or relative) resolved against `base`; "" when it cannot be parsed.
std::string ResolveUrl(const std::string& base, const std::string& location);
// host[:port] of an absolute URL, lower-case, with the scheme's default port made explicit
// ("registry:443"); "" when it cannot be parsed.
std::string UrlAuthority(const std::string& url);
// application/x-www-form-urlencoded escaping of one value.
std::string FormEscape(std::string_view value);

}  // namespace skiff::runtime::registry
