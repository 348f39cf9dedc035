#include "runtime/registry/endpoints.h"

#include <arpa/inet.h>

#include "runtime/registry/rewrite.h"

namespace skiff::runtime::registry {
namespace {

constexpr std::string_view kDockerHub = "docker.io";
constexpr std::string_view kDockerHubEndpoint = "registry-1.docker.io";

// The host part of host[:port], without IPv6 brackets.
std::string HostOnly(std::string_view host_port) {
  if (!host_port.empty() && host_port.front() == '[') {
    size_t close = host_port.find(']');
    return std::string(
        host_port.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  size_t colon = host_port.find(':');
  if (colon != std::string_view::npos && host_port.find(':', colon + 1) == std::string_view::npos) {
    return std::string(host_port.substr(0, colon));
  }
  return std::string(host_port);  // no port, or a bare IPv6 address
}

bool ValidHostPort(std::string_view hp) {
  if (hp.empty()) return false;
  std::string_view host = hp;
  std::string_view port;
  if (hp.front() == '[') {
    size_t close = hp.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    in6_addr addr6{};
    if (inet_pton(AF_INET6, std::string(hp.substr(1, close - 1)).c_str(), &addr6) != 1) {
      return false;
    }
    std::string_view rest = hp.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
      if (port.empty()) return false;
    }
    host = {};
  } else {
    size_t colon = hp.rfind(':');
    if (colon != std::string_view::npos) {
      host = hp.substr(0, colon);
      port = hp.substr(colon + 1);
      if (port.empty()) return false;
    }
    if (host.empty()) return false;
    for (char c : host) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == '_';
      if (!ok) return false;
    }
  }
  if (port.size() > 5) return false;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
  }
  return port.empty() || std::stoi(std::string(port)) <= 65535;
}

const RegistryHostConfig* FindConfig(const RegistriesConfig& config,
                                     std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    auto it = config.configs.find(std::string(key));
    if (it != config.configs.end()) return &it->second;
  }
  return nullptr;
}

// Plain http after a failed TLS handshake: only for loopback https endpoints whose TLS the
// configuration leaves alone (configured TLS settings mean TLS is wanted).
bool AllowsHttpFallback(const Endpoint& ep) {
  return ep.scheme == "https" && IsLoopbackHost(ep.host) && ep.config.tls == RegistryTls{};
}

}  // namespace

Result<EndpointUrl> ParseEndpointUrl(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("invalid endpoint \"" + std::string(text) +
                                "\": " + std::string(why));
  };
  EndpointUrl out;
  std::string_view rest = text;
  size_t sep = rest.find("://");
  if (sep != std::string_view::npos) {
    out.scheme = std::string(rest.substr(0, sep));
    if (out.scheme != "http" && out.scheme != "https") {
      return bad("scheme must be http or https");
    }
    out.explicit_scheme = true;
    rest = rest.substr(sep + 3);
  } else {
    out.scheme = "https";
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return bad("a query or fragment is not allowed");
  }
  size_t slash = rest.find('/');
  std::string_view host = rest.substr(0, slash);
  std::string path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  if (host.find('@') != std::string_view::npos) return bad("user info is not allowed");
  if (!ValidHostPort(host)) return bad("host must be host[:port]");
  out.host = std::string(host);
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.size() < 3 || path.compare(path.size() - 3, 3, "/v2") != 0) path += "/v2";
  out.api_root = path;
  return out;
}

bool IsLoopbackHost(std::string_view host_port) {
  std::string host = HostOnly(host_port);
  if (host == "localhost") return true;
  in_addr addr4{};
  if (inet_pton(AF_INET, host.c_str(), &addr4) == 1) {
    return (ntohl(addr4.s_addr) >> 24) == 127;
  }
  in6_addr addr6{};
  if (inet_pton(AF_INET6, host.c_str(), &addr6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&addr6);
  }
  return false;
}

std::vector<Endpoint> ResolveEndpoints(const RegistriesConfig& config, std::string_view registry) {
  std::vector<Endpoint> out;
  const RegistryMirror* mirror = nullptr;
  if (auto it = config.mirrors.find(std::string(registry)); it != config.mirrors.end()) {
    mirror = &it->second;
  } else if (auto star = config.mirrors.find("*"); star != config.mirrors.end()) {
    mirror = &star->second;
  }

  std::string default_host =
      registry == kDockerHub ? std::string(kDockerHubEndpoint) : std::string(registry);
  bool default_listed = false;
  if (mirror != nullptr) {
    for (const std::string& text : mirror->endpoints) {
      Result<EndpointUrl> url = ParseEndpointUrl(text);
      if (!url.ok()) continue;
      Endpoint ep;
      ep.scheme = url->scheme;
      ep.host = url->host;
      ep.api_root = url->api_root;
      bool is_default = url->host == default_host && url->api_root == "/v2";
      ep.mirror = !is_default;
      if (is_default) default_listed = true;
      const RegistryHostConfig* c = is_default ? FindConfig(config, {ep.host, registry, "*"})
                                               : FindConfig(config, {ep.host, "*"});
      if (c != nullptr) ep.config = *c;
      ep.http_fallback = AllowsHttpFallback(ep);
      if (ep.mirror) ep.rewrites = mirror->rewrites;
      out.push_back(std::move(ep));
    }
  }
  if (!default_listed) {
    Endpoint ep;
    ep.scheme = "https";
    ep.host = default_host;
    ep.api_root = "/v2";
    if (const RegistryHostConfig* c = FindConfig(config, {default_host, registry, "*"})) {
      ep.config = *c;
    }
    ep.http_fallback = AllowsHttpFallback(ep);
    out.push_back(std::move(ep));
  }
  return out;
}

std::string RewriteRepository(const Endpoint& endpoint, const std::string& repository) {
  for (const RepositoryRewrite& rule : endpoint.rewrites) {
    if (std::optional<std::string> out = ApplyRewrite(rule, repository)) return *out;
  }
  return repository;
}

}  // namespace skiff::runtime::registry
