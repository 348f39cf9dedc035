// Requests to one repository on one registry endpoint, with everything the distribution API
// asks of a client: authentication challenges answered (Bearer tokens from the realm, cached per
// endpoint/repository/credential; Basic), redirects followed (the Authorization header and the
// endpoint's TLS settings are dropped on another host, as Docker does), and a TLS handshake
// failure on a loopback endpoint retried over plain http.
// Internal to skiff_registry. Not thread-safe: one client per pull (it shares the thread-safe
// TokenCache).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/registry/endpoints.h"
#include "runtime/registry/http_session.h"
#include "runtime/registry/token_cache.h"

namespace skiff::runtime::registry {

class EndpointClient {
 public:
  // `candidates`: credentials tried in order when the endpoint asks for authentication, followed
  // by the endpoint's registries.yaml auth (none at all: anonymous). `request_timeout` bounds
  // requests that are not streamed (tokens, manifests).
  EndpointClient(HttpSession& http, Endpoint endpoint, std::string repository,
                 std::vector<RegistryAuth> candidates, TokenCache& tokens,
                 std::chrono::milliseconds request_timeout);

  const Endpoint& endpoint() const { return endpoint_; }
  const std::string& repository() const { return repository_; }
  // scheme://host/v2/<repository>/<path>
  std::string Url(std::string_view path) const;

  // GET <repository>/<path>. `sink` (optional) receives a 2xx body as it streams, and then no
  // total timeout applies (only the session's low-speed limit). The result's status is not OK for
  // transport failures (kUnavailable) and for authentication that could not be completed
  // (kInvalidArgument when every credential was refused, kUnavailable when the token service
  // failed); otherwise the response carries whatever HTTP status the registry sent.
  HttpResult Get(std::string_view path, const std::vector<std::string>& headers,
                 std::function<Status(long, std::string_view)> sink = nullptr);

 private:
  HttpResult Send(const std::string& url, const std::vector<std::string>& headers,
                  const std::function<Status(long, std::string_view)>& sink, bool* cross_host);
  Status Authenticate(const HttpResponse& response, const std::string& url);
  Result<std::string> FetchToken(const std::map<std::string, std::string>& params,
                                 const RegistryAuth& auth, std::chrono::seconds* expires_in);
  RegistryAuth CurrentAuth() const;
  std::string TokenKey() const;
  RegistryTls EndpointTls() const;

  HttpSession& http_;
  Endpoint endpoint_;
  std::string repository_;
  std::vector<RegistryAuth> candidates_;
  TokenCache& tokens_;
  std::chrono::milliseconds request_timeout_;

  size_t candidate_ = 0;       // the credential in use (index into candidates_)
  std::string authorization_;  // the Authorization header value sent, "" for none
  std::string token_;          // the bearer token in authorization_, if any
  bool from_cache_ = false;    // token_ came from the cache (refetch once before giving up)
  // The registry accepted authorization_ at least once: a later 401 means it expired.
  bool authorization_accepted_ = false;
};

// "404 Not Found"
std::string StatusLine(const HttpResponse& response);
// The registry's error text from a distribution-API error body ("MANIFEST_UNKNOWN: manifest
// unknown"), or the status line when the body has none.
std::string ServerMessage(const HttpResponse& response);

}  // namespace skiff::runtime::registry
