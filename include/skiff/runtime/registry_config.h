// Where and how images are pulled: the node's registries.yaml (k3s format) and the registry
// credentials that come from a pod's imagePullSecrets.
//
// registries.yaml:
//   mirrors:                       # registry name (or "*" for every registry) -> endpoints
//     docker.io:
//       endpoint: ["https://mirror:5000", "http://10.0.0.1:5000/some/path"]
//       rewrite: {"^library/(.*)": "mirrored/$1"}   # repository rewrites, mirrors only
//   configs:                       # endpoint host[:port] (or "*") -> auth and TLS
//     "mirror:5000":
//       auth: {username: u, password: p}            # or auth: base64(u:p), or identitytoken
//       tls: {ca_file: /path, cert_file: /path, key_file: /path, insecure_skip_verify: false}
//
// An endpoint without a scheme is https; an endpoint path gets "/v2" appended unless it already
// ends with it. Unknown keys are refused, so a typo never silently disables a mirror.
// All types are values; thread-compatible.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/common/status.h"
#include "skiff/runtime/image_ref.h"

namespace skiff::runtime {

// Credentials for one registry endpoint. An empty value means anonymous.
struct RegistryAuth {
  std::string username;
  std::string password;
  std::string identity_token;  // an OAuth2 refresh token (Docker's "identitytoken")

  bool empty() const { return username.empty() && password.empty() && identity_token.empty(); }
  bool operator==(const RegistryAuth&) const = default;
};

struct RegistryTls {
  std::string ca_file;    // trusted in addition to the system CAs
  std::string cert_file;  // client certificate (with key_file)
  std::string key_file;
  bool insecure_skip_verify = false;
  bool operator==(const RegistryTls&) const = default;
};

struct RegistryHostConfig {
  RegistryAuth auth;
  RegistryTls tls;
  bool operator==(const RegistryHostConfig&) const = default;
};

struct RepositoryRewrite {
  std::string pattern;      // POSIX extended regular expression matched against the repository
  std::string replacement;  // Go template syntax: $1, ${1}, $$; every match is replaced
  bool operator==(const RepositoryRewrite&) const = default;
};

struct RegistryMirror {
  std::vector<std::string> endpoints;       // as written (validated URLs)
  std::vector<RepositoryRewrite> rewrites;  // in file order; the first match applies
  bool operator==(const RegistryMirror&) const = default;
};

struct RegistriesConfig {
  std::map<std::string, RegistryMirror> mirrors;      // key: registry name or "*"
  std::map<std::string, RegistryHostConfig> configs;  // key: host[:port] or "*"

  // Parses YAML text. `source` names the file in errors ("registries.yaml:7: mirrors.docker.io:
  // endpoint: ..."). kInvalidArgument on any malformed or unknown entry. Empty text is an empty
  // config.
  static Result<RegistriesConfig> Parse(std::string_view yaml, std::string_view source);
  // Reads and parses a file; a missing file is an empty config (no mirrors, no credentials).
  static Result<RegistriesConfig> Load(const std::string& path);
};

// One entry of a Docker config file: the key as written ("https://index.docker.io/v1/",
// "registry:5000", "*.example.com/team") and its credentials.
struct DockerConfigEntry {
  std::string server;
  RegistryAuth auth;
};

// The `.dockerconfigjson` data of a kubernetes.io/dockerconfigjson Secret:
// {"auths": {"server": {"auth": base64(user:pass)} | {"username", "password"}, ...}}.
// kInvalidArgument naming the entry when the JSON or an auth value is malformed.
Result<std::vector<DockerConfigEntry>> ParseDockerConfigJson(std::string_view json);
// The legacy `.dockercfg` data of a kubernetes.io/dockercfg Secret: the same entries at the top.
Result<std::vector<DockerConfigEntry>> ParseDockerCfg(std::string_view json);

// The credentials of `entries` that apply to `image`, most specific key first (as the kubelet
// orders them): the key's host matches the image's registry (per-label '*' globs allowed; the
// Docker Hub names index.docker.io, registry-1.docker.io and docker.io are one), its port is
// equal, and its path, if any, is a prefix of the repository by whole components.
std::vector<RegistryAuth> MatchCredentials(const std::vector<DockerConfigEntry>& entries,
                                           const ImageRef& image);

}  // namespace skiff::runtime
