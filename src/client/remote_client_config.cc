#include "client/remote_client_config.h"

#include <string_view>

namespace skiff::client {

Status ValidateRemoteClientConfig(const RemoteClientConfig& c) {
  static constexpr std::string_view kScheme = "https://";
  if (!c.server.starts_with(kScheme)) {
    return InvalidArgumentError("server: \"" + c.server + "\" is not an https:// URL");
  }
  const std::string_view rest = std::string_view(c.server).substr(kScheme.size());
  const std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.empty() || authority.front() == ':') {
    return InvalidArgumentError("server: \"" + c.server + "\" has no host");
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return InvalidArgumentError("server: \"" + c.server + "\" has a query or fragment");
  }
  if (c.ca_pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return InvalidArgumentError("ca: no PEM certificate to verify the server with");
  }
  if (c.client_cert_pem.empty() != c.client_key_pem.empty()) {
    return InvalidArgumentError(
        "client certificate: the certificate and its key go together (only one is set)");
  }
  if (c.request_timeout.count() <= 0) {
    return InvalidArgumentError("request timeout: must be positive");
  }
  if (c.connect_timeout.count() <= 0) {
    return InvalidArgumentError("connect timeout: must be positive");
  }
  if (c.resubscribe_initial_backoff.count() <= 0 ||
      c.resubscribe_max_backoff < c.resubscribe_initial_backoff) {
    return InvalidArgumentError(
        "resubscribe backoff: the initial delay must be positive and at most the maximum");
  }
  if (c.max_response_bytes == 0) {
    return InvalidArgumentError("max response bytes: must be positive");
  }
  return Status::Ok();
}

}  // namespace skiff::client
