#include "runtime/registry/endpoint_client.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "runtime/registry/auth_challenge.h"
#include "skiff/common/base64.h"
#include "skiff/common/log.h"

namespace skiff::runtime::registry {
namespace {

constexpr int kMaxRedirects = 10;
constexpr std::chrono::seconds kMinTokenLifetime{60};  // the token spec's default and minimum

bool IsRedirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

std::string StatusLine(const HttpResponse& response) {
  std::string reason = response.reason;
  if (reason.empty()) {
    switch (response.status) {
      case 401:
        reason = "Unauthorized";
        break;
      case 403:
        reason = "Forbidden";
        break;
      case 404:
        reason = "Not Found";
        break;
      case 429:
        reason = "Too Many Requests";
        break;
      default:
        break;
    }
  }
  return reason.empty() ? std::to_string(response.status)
                        : std::to_string(response.status) + " " + reason;
}

std::string ServerMessage(const HttpResponse& response) {
  try {
    nlohmann::json body = nlohmann::json::parse(response.body);
    std::string out;
    const nlohmann::json* errors =
        body.is_object() && body.contains("errors") ? &body["errors"] : nullptr;
    if (errors != nullptr && errors->is_array()) {
      for (const nlohmann::json& e : *errors) {
        if (!e.is_object()) continue;
        std::string code = e.value("code", "");
        std::string message = e.value("message", "");
        std::string one = code.empty() ? message : message.empty() ? code : code + ": " + message;
        if (one.empty()) continue;
        out += (out.empty() ? "" : "; ") + one;
      }
    }
    if (!out.empty()) return out;
  } catch (const nlohmann::json::exception&) {
    // not a distribution-API error body
  }
  return StatusLine(response);
}

EndpointClient::EndpointClient(HttpSession& http, Endpoint endpoint, std::string repository,
                               std::vector<RegistryAuth> candidates, TokenCache& tokens,
                               std::chrono::milliseconds request_timeout)
    : http_(http),
      endpoint_(std::move(endpoint)),
      repository_(std::move(repository)),
      candidates_(std::move(candidates)),
      tokens_(tokens),
      request_timeout_(request_timeout) {
  // The endpoint's registries.yaml credentials come after the pod's (a mirror may need its own).
  const RegistryAuth& configured = endpoint_.config.auth;
  if (!configured.empty() &&
      std::find(candidates_.begin(), candidates_.end(), configured) == candidates_.end()) {
    candidates_.push_back(configured);
  }
}

std::string EndpointClient::Url(std::string_view path) const {
  return endpoint_.BaseUrl() + "/" + repository_ + "/" + std::string(path);
}

RegistryAuth EndpointClient::CurrentAuth() const {
  return candidate_ < candidates_.size() ? candidates_[candidate_] : RegistryAuth{};
}

std::string EndpointClient::TokenKey() const {
  return TokenCache::Key(endpoint_.host, repository_, CurrentAuth());
}

RegistryTls EndpointClient::EndpointTls() const {
  RegistryTls tls = endpoint_.config.tls;
  // A loopback registry without TLS settings is trusted as containerd trusts it.
  if (endpoint_.http_fallback && tls == RegistryTls{}) tls.insecure_skip_verify = true;
  return tls;
}

HttpResult EndpointClient::Get(std::string_view path, const std::vector<std::string>& headers,
                               std::function<Status(long, std::string_view)> sink) {
  if (authorization_.empty()) {
    if (auto token = tokens_.Get(TokenKey(), TokenCache::Clock::now())) {
      token_ = *token;
      authorization_ = "Bearer " + token_;
      from_cache_ = true;
    }
  }
  const size_t max_rounds = candidates_.size() + 3;
  HttpResult result;
  for (size_t round = 0; round < max_rounds; ++round) {
    const std::string url = Url(path);
    bool cross_host = false;
    result = Send(url, headers, sink, &cross_host);
    if (result.status.ok() && result.response.status != 401 && !authorization_.empty()) {
      authorization_accepted_ = true;
    }
    if (!result.status.ok() || result.response.status != 401 || cross_host) return result;
    Status auth = Authenticate(result.response, url);
    if (!auth.ok()) {
      result.status = auth;
      return result;
    }
  }
  return result;
}

HttpResult EndpointClient::Send(const std::string& first_url,
                                const std::vector<std::string>& headers,
                                const std::function<Status(long, std::string_view)>& sink,
                                bool* cross_host) {
  std::string url = first_url;
  std::string origin = UrlAuthority(first_url);
  *cross_host = false;
  for (int hop = 0; hop <= kMaxRedirects; ++hop) {
    HttpRequest req;
    req.url = url;
    req.headers = headers;
    if (!*cross_host) {
      if (!authorization_.empty()) req.headers.push_back("Authorization: " + authorization_);
      req.tls = EndpointTls();
    }
    req.sink = sink;
    if (!sink) req.total_timeout = request_timeout_;
    HttpResult result = http_.Do(req);
    if (!result.status.ok() && result.tls_handshake_failed && hop == 0 && endpoint_.http_fallback &&
        endpoint_.scheme == "https" && url.starts_with("https://")) {
      log::Debug("registry", "TLS handshake failed, falling back to plain http",
                 {{"host", endpoint_.host}});
      endpoint_.scheme = "http";
      endpoint_.http_fallback = false;
      url = "http://" + url.substr(8);
      req.url = url;
      origin = UrlAuthority(url);
      result = http_.Do(req);
    }
    if (!result.status.ok()) return result;
    if (!IsRedirect(result.response.status)) return result;
    std::string location = result.response.Header("location");
    if (location.empty()) return result;
    std::string next = ResolveUrl(url, location);
    if (next.empty()) {
      result.status =
          UnavailableError("redirect from " + url + " to an invalid location \"" + location + "\"");
      return result;
    }
    url = next;
    *cross_host = *cross_host || UrlAuthority(url) != origin;
  }
  HttpResult result;
  result.status = UnavailableError("stopped after " + std::to_string(kMaxRedirects) +
                                   " redirects starting at " + first_url);
  return result;
}

Status EndpointClient::Authenticate(const HttpResponse& response, const std::string& url) {
  std::vector<AuthChallenge> challenges = ParseAuthChallenges(response.Headers("www-authenticate"));
  const AuthChallenge* bearer = nullptr;
  const AuthChallenge* basic = nullptr;
  for (const AuthChallenge& c : challenges) {
    if (c.scheme == "bearer" && bearer == nullptr) bearer = &c;
    if (c.scheme == "basic" && basic == nullptr) basic = &c;
  }
  const std::string denied =
      "pull access denied, repository does not exist or may require authorization: "
      "server message: " +
      ServerMessage(response);
  if (bearer == nullptr && basic == nullptr) {
    return InvalidArgumentError(denied + " (GET " + url + " answered " + StatusLine(response) +
                                " without a Bearer or Basic challenge)");
  }

  const size_t options = std::max<size_t>(1, candidates_.size());
  if (!authorization_.empty()) {
    // What we sent was refused. A token from the cache, or one the registry accepted before,
    // may just have expired: fetch a new one with the same credential. Otherwise this
    // credential does not grant access: try the next one.
    if (from_cache_ || authorization_accepted_) {
      if (!token_.empty()) tokens_.Drop(TokenKey(), token_);
    } else {
      ++candidate_;
    }
    from_cache_ = false;
    authorization_accepted_ = false;
    authorization_.clear();
    token_.clear();
    if (candidate_ >= options) return InvalidArgumentError(denied);
  }

  Status last;
  for (; candidate_ < options; ++candidate_) {
    const RegistryAuth auth = CurrentAuth();
    if (bearer != nullptr) {
      std::chrono::seconds expires_in{0};
      Result<std::string> token = FetchToken(bearer->params, auth, &expires_in);
      if (token.ok()) {
        token_ = *token;
        authorization_ = "Bearer " + token_;
        // Kept for 90% of its lifetime so it never expires in flight.
        tokens_.Put(TokenKey(), token_, TokenCache::Clock::now() + expires_in * 9 / 10);
        return Status::Ok();
      }
      if (token.status().code() != Code::kInvalidArgument) return token.status();
      last = token.status();  // refused: try the next credential
      continue;
    }
    if (auth.username.empty() && auth.password.empty()) {
      return InvalidArgumentError(denied + " (" + endpoint_.host +
                                  " asks for basic authentication and no credentials were given)");
    }
    authorization_ = "Basic " + Base64Encode(auth.username + ":" + auth.password);
    return Status::Ok();
  }
  return last.ok() ? InvalidArgumentError(denied) : last;
}

Result<std::string> EndpointClient::FetchToken(const std::map<std::string, std::string>& params,
                                               const RegistryAuth& auth,
                                               std::chrono::seconds* expires_in) {
  auto param = [&](const char* name) {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  };
  const std::string realm = param("realm");
  if (realm.empty()) {
    return UnavailableError("failed to authorize: " + endpoint_.host +
                            " sent a Bearer challenge without a realm");
  }
  const std::string service = param("service");
  std::string scope = param("scope");
  if (scope.empty()) scope = "repository:" + repository_ + ":pull";

  HttpRequest req;
  req.total_timeout = request_timeout_;
  req.max_buffered_body = 1 << 20;
  if (UrlAuthority(realm) == UrlAuthority(endpoint_.BaseUrl())) req.tls = EndpointTls();
  const char* kind = auth.empty() ? "anonymous token" : "oauth token";
  if (!auth.identity_token.empty()) {
    // OAuth2 refresh-token grant, as Docker does with an identity token.
    req.method = "POST";
    req.url = realm;
    req.headers.push_back("Content-Type: application/x-www-form-urlencoded");
    req.body = "grant_type=refresh_token&client_id=skiff&refresh_token=" +
               FormEscape(auth.identity_token) + "&service=" + FormEscape(service) +
               "&scope=" + FormEscape(scope);
  } else {
    req.url = realm + (realm.find('?') == std::string::npos ? "?" : "&");
    if (!service.empty()) req.url += "service=" + FormEscape(service) + "&";
    req.url += "scope=" + FormEscape(scope);
    if (!auth.username.empty() || !auth.password.empty()) {
      req.headers.push_back("Authorization: Basic " +
                            Base64Encode(auth.username + ":" + auth.password));
    }
  }
  HttpResult result = http_.Do(req);
  if (!result.status.ok()) {
    return Status(result.status.code(), std::string("failed to authorize: failed to fetch ") +
                                            kind + ": " + result.status.message());
  }
  const HttpResponse& resp = result.response;
  if (resp.status != 200) {
    std::string message = std::string("failed to authorize: failed to fetch ") + kind +
                          ": unexpected status from " + req.method + " request to " + realm + ": " +
                          StatusLine(resp);
    if (resp.status == 401 || resp.status == 403) return InvalidArgumentError(message);
    return UnavailableError(message);
  }
  try {
    nlohmann::json body = nlohmann::json::parse(resp.body);
    std::string token = body.value("token", "");
    if (token.empty()) token = body.value("access_token", "");
    if (token.empty()) {
      return UnavailableError("failed to authorize: the token service at " + realm +
                              " returned no token");
    }
    long long seconds = body.contains("expires_in") && body["expires_in"].is_number_integer()
                            ? body["expires_in"].get<long long>()
                            : 0;
    *expires_in = std::max(std::chrono::seconds(seconds), kMinTokenLifetime);
    return token;
  } catch (const nlohmann::json::exception& e) {
    return UnavailableError("failed to authorize: the token service at " + realm +
                            " returned invalid JSON: " + e.what());
  }
}

}  // namespace skiff::runtime::registry
