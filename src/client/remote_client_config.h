// How RemoteClient reaches an API server: where, whom to trust, who we are. A plain value;
// LoadKubeconfig (kubeconfig.h) fills one from a kubeconfig file.
#pragma once

#include <chrono>
#include <string>

#include "skiff/common/status.h"

namespace skiff::client {

struct RemoteClientConfig {
  // "https://host:port", optionally with a path prefix ("https://host:port/prefix"); a trailing
  // '/' is ignored. Only https is accepted.
  std::string server;
  // PEM of the CA(s) the server's certificate must chain to. Required: the server is always
  // verified, its host name (or IP address) included.
  std::string ca_pem;
  // mTLS credentials: both PEMs or neither.
  std::string client_cert_pem;
  std::string client_key_pem;
  // Sent as "Authorization: Bearer <token>" when not empty (may be combined with a certificate,
  // as kubectl does).
  std::string token;
  // Whole-request limit for every call but a watch's stream (which only has it until the
  // response headers arrive).
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  // Limit for the TCP connect plus the TLS handshake.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  // "" = "skiff/<version>".
  std::string user_agent;
  // Subscribe's re-watch delays after its watch or list fails: initial, doubling up to max.
  std::chrono::milliseconds resubscribe_initial_backoff{200};
  std::chrono::milliseconds resubscribe_max_backoff{std::chrono::seconds(10)};
  // Responses (not watch streams) larger than this fail with kTooLarge.
  size_t max_response_bytes = 256u << 20;
  // Idle connections kept open for reuse.
  size_t max_idle_connections = 8;
};

// kInvalidArgument naming the field when `config` cannot work: a server that is not an
// https:// URL with a host, no CA, half a certificate pair, a non-positive timeout or backoff.
Status ValidateRemoteClientConfig(const RemoteClientConfig& config);

}  // namespace skiff::client
