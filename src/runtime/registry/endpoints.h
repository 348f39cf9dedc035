// Which URLs an image is pulled from: registries.yaml mirrors first, then the registry itself.
// Internal to skiff_registry. Value types; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "skiff/common/status.h"
#include "skiff/runtime/registry_config.h"

namespace skiff::runtime::registry {

// An endpoint URL as written in registries.yaml, split and normalized.
struct EndpointUrl {
  std::string scheme;    // "https" or "http"
  std::string host;      // host[:port] as it appears in URLs ("[::1]:5000")
  std::string api_root;  // "/v2" or "/some/path/v2"
  bool explicit_scheme = false;
};

// kInvalidArgument naming the text when it is not [scheme://]host[:port][/path] with scheme
// http or https, or has a query, fragment or user info.
Result<EndpointUrl> ParseEndpointUrl(std::string_view text);

// True for localhost, 127.0.0.0/8 and ::1 (with or without a port).
bool IsLoopbackHost(std::string_view host_port);

struct Endpoint {
  std::string scheme;    // "https" or "http"; may switch to http after a TLS handshake failure
  std::string host;      // host[:port]
  std::string api_root;  // "/v2"
  bool mirror = false;   // false for the registry's own (default) endpoint
  // https may fall back to plain http when the TLS handshake fails: loopback endpoints without
  // TLS settings in registries.yaml (as containerd and Docker allow). Such endpoints are also
  // reached over https without certificate verification (as containerd does for localhost).
  bool http_fallback = false;
  RegistryHostConfig config;                // auth and TLS from registries.yaml configs
  std::vector<RepositoryRewrite> rewrites;  // mirrors only

  // scheme://host/api_root
  std::string BaseUrl() const { return scheme + "://" + host + api_root; }
};

// The endpoints to try for `registry` (an ImageRef registry such as "docker.io" or
// "127.0.0.1:5000"), in order: the mirrors of `registry` (or of "*" when it has none), then the
// registry's default endpoint (https://registry-1.docker.io for docker.io) unless a mirror
// already is that endpoint. Endpoints were validated by RegistriesConfig::Parse; invalid ones
// are skipped.
std::vector<Endpoint> ResolveEndpoints(const RegistriesConfig& config, std::string_view registry);

// The repository to ask `endpoint` for: the first rewrite whose pattern matches is applied.
std::string RewriteRepository(const Endpoint& endpoint, const std::string& repository);

}  // namespace skiff::runtime::registry
