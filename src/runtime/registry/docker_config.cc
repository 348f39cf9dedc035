// imagePullSecrets: Docker config files and which of their entries apply to an image.
#include <fnmatch.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "runtime/registry/auth_value.h"
#include "skiff/common/string_util.h"
#include "skiff/runtime/registry_config.h"

namespace skiff::runtime {
namespace {

using nlohmann::json;

Result<std::vector<DockerConfigEntry>> ParseEntries(const json& auths, std::string_view what) {
  std::vector<DockerConfigEntry> out;
  if (!auths.is_object()) {
    return InvalidArgumentError(std::string(what) + ": expected an object of registry entries");
  }
  for (const auto& [server, value] : auths.items()) {
    const std::string where = std::string(what) + ": entry \"" + server + "\"";
    if (!value.is_object()) return InvalidArgumentError(where + ": expected an object");
    DockerConfigEntry entry;
    entry.server = server;
    auto text = [&](const char* key, std::string* dst) -> Status {
      auto it = value.find(key);
      if (it == value.end() || it->is_null()) return Status::Ok();
      if (!it->is_string()) {
        return InvalidArgumentError(where + ": " + key + " must be a string");
      }
      *dst = it->get<std::string>();
      return Status::Ok();
    };
    std::string encoded;
    for (auto [key, dst] :
         {std::pair{"username", &entry.auth.username}, std::pair{"password", &entry.auth.password},
          std::pair{"identitytoken", &entry.auth.identity_token}, std::pair{"auth", &encoded}}) {
      if (Status s = text(key, dst); !s.ok()) return s;
    }
    if (!encoded.empty()) {
      Status s = registry::DecodeAuthValue(encoded, &entry.auth.username, &entry.auth.password);
      if (!s.ok()) return InvalidArgumentError(where + ": " + s.message());
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Result<json> ParseJson(std::string_view text, std::string_view what) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    return InvalidArgumentError(std::string(what) + ": invalid JSON: " + e.what());
  }
}

bool IsDockerHub(std::string_view host) {
  return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io";
}

// A key or image name split as the kubelet does: [scheme://]host[:port][/path].
struct Location {
  std::string host;
  std::string port;
  std::vector<std::string> path;  // non-empty components
};

Location Split(std::string_view text) {
  Location out;
  if (size_t sep = text.find("://"); sep != std::string_view::npos) text = text.substr(sep + 3);
  size_t slash = text.find('/');
  std::string_view host_port = text.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : text.substr(slash + 1);
  size_t colon = host_port.rfind(':');
  if (colon != std::string_view::npos && host_port.find(']') == std::string_view::npos) {
    out.host = std::string(host_port.substr(0, colon));
    out.port = std::string(host_port.substr(colon + 1));
  } else {
    out.host = std::string(host_port);
  }
  out.host = AsciiLower(out.host);
  while (!path.empty()) {
    size_t next = path.find('/');
    std::string_view part = path.substr(0, next);
    if (!part.empty()) out.path.emplace_back(part);
    if (next == std::string_view::npos) break;
    path = path.substr(next + 1);
  }
  if (IsDockerHub(out.host)) {
    out.host = "docker.io";
    // "https://index.docker.io/v1/" names the hub itself, not a repository prefix.
    if (!out.path.empty() && (out.path[0] == "v1" || out.path[0] == "v2")) out.path.clear();
  }
  return out;
}

std::vector<std::string> Labels(const std::string& host) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    out.push_back(host.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

bool HostMatches(const std::string& pattern, const std::string& host) {
  std::vector<std::string> p = Labels(pattern);
  std::vector<std::string> h = Labels(host);
  if (p.size() != h.size()) return false;
  for (size_t i = 0; i < p.size(); ++i) {
    if (fnmatch(p[i].c_str(), h[i].c_str(), 0) != 0) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<DockerConfigEntry>> ParseDockerConfigJson(std::string_view text) {
  Result<json> doc = ParseJson(text, ".dockerconfigjson");
  if (!doc.ok()) return doc.status();
  if (!doc->is_object()) return InvalidArgumentError(".dockerconfigjson: expected an object");
  auto it = doc->find("auths");
  if (it == doc->end()) return InvalidArgumentError(".dockerconfigjson: missing \"auths\"");
  return ParseEntries(*it, ".dockerconfigjson: auths");
}

Result<std::vector<DockerConfigEntry>> ParseDockerCfg(std::string_view text) {
  Result<json> doc = ParseJson(text, ".dockercfg");
  if (!doc.ok()) return doc.status();
  return ParseEntries(*doc, ".dockercfg");
}

std::vector<RegistryAuth> MatchCredentials(const std::vector<DockerConfigEntry>& entries,
                                           const ImageRef& image) {
  const Location target = Split(image.registry + "/" + image.repository);
  struct Match {
    size_t path_len;
    bool glob;
    size_t order;
    const RegistryAuth* auth;
  };
  std::vector<Match> matches;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Location key = Split(entries[i].server);
    if (key.host.empty() || key.port != target.port) continue;
    if (!HostMatches(key.host, target.host)) continue;
    if (key.path.size() > target.path.size() ||
        !std::equal(key.path.begin(), key.path.end(), target.path.begin())) {
      continue;
    }
    bool glob = key.host.find_first_of("*?[") != std::string::npos;
    matches.push_back({key.path.size(), glob, i, &entries[i].auth});
  }
  std::stable_sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
    if (a.path_len != b.path_len) return a.path_len > b.path_len;
    return !a.glob && b.glob;
  });
  std::vector<RegistryAuth> out;
  for (const Match& m : matches) {
    if (std::find(out.begin(), out.end(), *m.auth) == out.end()) out.push_back(*m.auth);
  }
  return out;
}

}  // namespace skiff::runtime
