#include "net/cni/result_cache.h"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "net/cni/plugin_config.h"
#include "skiff/common/file_util.h"

namespace skiff::net {
namespace {

using nlohmann::json;

constexpr char kKind[] = "skiffCniCacheV1";

}  // namespace

ResultCache::ResultCache(std::string dir, std::string network)
    : dir_(std::move(dir)), network_(std::move(network)) {}

std::string ResultCache::PathOf(const std::string& id) const {
  return dir_ + "/" + network_ + "-" + id + "-" + kPodInterface;
}

Status ResultCache::Write(const CacheEntry& e) const {
  if (Status s = MakeDirs(dir_, 0700); !s.ok()) return s;
  json doc = {{"kind", kKind},
              {"networkName", network_},
              {"containerId", e.sandbox_id},
              {"ifName", kPodInterface},
              {"netns", e.netns},
              {"podNamespace", e.pod_namespace},
              {"podName", e.pod_name},
              {"capabilityArgs", e.capability_args},
              {"result", e.result},
              {"loopbackResult", e.loopback_result}};
  return WriteFileAtomic(PathOf(e.sandbox_id),
                         doc.dump(-1, ' ', false, json::error_handler_t::replace), 0600);
}

Result<CacheEntry> ResultCache::Read(const std::string& id) const {
  const std::string path = PathOf(id);
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  json doc = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  auto str = [&](const char* key) {
    return doc.contains(key) && doc[key].is_string() ? doc[key].get<std::string>() : std::string();
  };
  if (!doc.is_object() || str("kind") != kKind || str("networkName") != network_ ||
      str("containerId") != id) {
    return CorruptError("CNI result cache " + path + " is not a " + kKind + " entry of network " +
                        network_ + " for sandbox " + id);
  }
  CacheEntry e;
  e.sandbox_id = id;
  e.netns = str("netns");
  e.pod_namespace = str("podNamespace");
  e.pod_name = str("podName");
  if (doc.contains("capabilityArgs") && doc["capabilityArgs"].is_object()) {
    e.capability_args = doc["capabilityArgs"];
  }
  if (doc.contains("result")) e.result = doc["result"];
  if (doc.contains("loopbackResult")) e.loopback_result = doc["loopbackResult"];
  return e;
}

Status ResultCache::Remove(const std::string& id) const {
  const std::string path = PathOf(id);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return UnavailableError("cannot delete CNI result cache " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ResultCache::List() const {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(dir_.c_str()), ::closedir);
  if (!dir) {
    if (errno == ENOENT) return std::vector<std::string>{};
    return UnavailableError("cannot list CNI result cache " + dir_ + ": " + std::strerror(errno));
  }
  const std::string prefix = network_ + "-";
  const std::string suffix = std::string("-") + kPodInterface;
  std::vector<std::string> ids;
  while (dirent* ent = ::readdir(dir.get())) {
    std::string name = ent->d_name;
    if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    std::string id = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    // Another network whose name extends ours ("skiff" vs "skiff-x") shares the prefix: only
    // entries that read back as ours count.
    if (Read(id).ok()) ids.push_back(id);
  }
  return ids;
}

}  // namespace skiff::net
