// HTTPS requests to one API server with libcurl (through skiff's lazy loader): the server is
// verified against the configured CA only (host name or IP address included), credentials are
// a client certificate, a bearer token or both, HTTP/1.1, connections kept alive and reused.
//
// Thread-safe: any number of threads may call Do() at once. Every request runs on an easy
// handle taken from a small pool of idle ones (each keeps its connection open for the next
// request), or a new one when all are busy.
//
// Errors: an HTTP response of any status is a response (the caller maps it); a failure to
// exchange a request and a response (connect, TLS handshake or certificate verification,
// timeout, a connection that broke) is kUnavailable with libcurl's explanation; a response
// body over config.max_response_bytes is kTooLarge.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client/remote_client_config.h"
#include "skiff/common/status.h"

namespace skiff::client {

struct HttpRequest {
  std::string method = "GET";  // GET, POST, PUT, PATCH, DELETE
  std::string target;          // path and query, e.g. "/api/v1/namespaces/a/pods?limit=1"
  std::string content_type;    // of the body; "" = application/json when there is a body
  std::string body;            // sent when not empty
};

struct HttpResponse {
  long status = 0;
  std::string body;
};

struct CurlEasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// An easy handle set up for one request, with what libcurl reads while it runs (the header
// list, the body, the URL). Movable; the handle is freed with it.
struct PreparedRequest {
  CurlEasy curl;
  CurlSlist headers;
  std::string url;
  std::string method;
  std::string body;
  char error[CURL_ERROR_SIZE] = {};
};

class HttpsTransport {
 public:
  // `config` must pass ValidateRemoteClientConfig.
  explicit HttpsTransport(RemoteClientConfig config);
  ~HttpsTransport();
  HttpsTransport(const HttpsTransport&) = delete;
  HttpsTransport& operator=(const HttpsTransport&) = delete;

  // Sends `request` and reads the whole response (at most config().request_timeout).
  Result<HttpResponse> Do(const HttpRequest& request);

  // A new easy handle set up for `request` like Do()'s (TLS, credentials, headers, connect
  // timeout) but without a total timeout and without callbacks: for a stream the caller runs
  // itself (on a curl multi handle).
  Result<std::unique_ptr<PreparedRequest>> PrepareStream(const HttpRequest& request);

  // "<METHOD> <url>: <why>" for a transfer of `prepared` that failed with `code`.
  static std::string TransferError(const PreparedRequest& prepared, CURLcode code);

  const RemoteClientConfig& config() const { return config_; }

 private:
  // Sets every option of a request on prepared->curl (already reset or new).
  Status Setup(const HttpRequest& request, PreparedRequest* prepared, bool stream);
  CurlEasy Acquire();
  void Release(CurlEasy curl);

  const RemoteClientConfig config_;
  const std::string base_url_;  // config_.server without a trailing '/'
  const std::string user_agent_;

  std::mutex mu_;
  std::vector<CurlEasy> idle_;  // guarded by mu_
};

}  // namespace skiff::client
