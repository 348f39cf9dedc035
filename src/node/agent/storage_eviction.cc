#include "storage_eviction.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <set>
#include <utility>

#include "skiff/apis/quantity.h"
#include "skiff/common/log.h"

namespace skiff::node {
namespace {

using nlohmann::json;

const json& Field(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

std::optional<apis::Quantity> EphemeralLimit(const json& container) {
  const json& limit = Field(Field(Field(container, "resources"), "limits"), "ephemeral-storage");
  if (limit.is_null()) return std::nullopt;
  return apis::QuantityFromJson(limit);
}

// A disk-backed emptyDir's sizeLimit, when it has a positive one.
std::optional<apis::Quantity> EmptyDirLimit(const json& volume) {
  const json& empty_dir = Field(volume, "emptyDir");
  if (!empty_dir.is_object() || Field(empty_dir, "medium") == "Memory") return std::nullopt;
  auto q = apis::QuantityFromJson(Field(empty_dir, "sizeLimit"));
  if (!q || q->IsZero() || q->IsNegative()) return std::nullopt;
  return q;
}

// resourcehelper.PodLimits for ephemeral-storage: the app containers' limits summed, raised
// to any single init container's limit that is larger. nullopt when no container has one.
std::optional<apis::Quantity> PodEphemeralLimit(const json& spec) {
  std::optional<apis::Quantity> total;
  for (const json& c : Field(spec, "containers").is_array() ? Field(spec, "containers") : json::array()) {
    if (auto q = EphemeralLimit(c)) total = total ? apis::AddQuantity(*total, *q) : *q;
  }
  const json& inits = Field(spec, "initContainers");
  for (const json& c : inits.is_array() ? inits : json::array()) {
    auto q = EphemeralLimit(c);
    if (q && (!total || apis::CompareQuantity(*q, *total) > 0)) total = q;
  }
  return total;
}

bool Exceeds(int64_t used, const apis::Quantity& limit) {
  return apis::CompareQuantity(apis::Quantity{used, 0}, limit) > 0;
}

void UsageAt(int dir_fd, std::set<std::pair<dev_t, ino_t>>* seen, dev_t dev, DiskUse* use) {
  DIR* d = ::fdopendir(dir_fd);
  if (!d) {
    ::close(dir_fd);
    return;
  }
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (st.st_dev != dev) continue;  // another filesystem mounted inside
    if (st.st_nlink > 1 && !S_ISDIR(st.st_mode) && !seen->insert({st.st_dev, st.st_ino}).second) {
      continue;  // a hard link already counted
    }
    use->bytes += static_cast<int64_t>(st.st_blocks) * 512;
    ++use->inodes;
    if (S_ISDIR(st.st_mode)) {
      int fd = ::openat(::dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd >= 0) UsageAt(fd, seen, dev, use);
    }
  }
  ::closedir(d);
}

}  // namespace

bool HasLocalStorageLimits(const json& pod) {
  const json& spec = Field(pod, "spec");
  const json& volumes = Field(spec, "volumes");
  for (const json& v : volumes.is_array() ? volumes : json::array()) {
    if (EmptyDirLimit(v)) return true;
  }
  return PodEphemeralLimit(spec).has_value();
}

std::string LocalStorageViolation(const json& pod, const PodStorageUsage& usage) {
  const json& spec = Field(pod, "spec");
  const json& volumes = Field(spec, "volumes");
  for (const json& v : volumes.is_array() ? volumes : json::array()) {
    auto limit = EmptyDirLimit(v);
    const std::string name = Field(v, "name").is_string() ? Field(v, "name").get<std::string>() : "";
    auto used = usage.empty_dirs.find(name);
    if (limit && used != usage.empty_dirs.end() && Exceeds(used->second, *limit)) {
      return "Usage of EmptyDir volume \"" + name + "\" exceeds the limit \"" +
             apis::CanonicalString(*limit) + "\". ";
    }
  }
  if (auto limit = PodEphemeralLimit(spec)) {
    int64_t total = 0;
    for (const auto& [name, bytes] : usage.empty_dirs) total += bytes;
    for (const auto& [name, bytes] : usage.containers) total += bytes;
    if (Exceeds(total, *limit)) {
      return "Pod ephemeral local storage usage exceeds the total limit of containers " +
             apis::CanonicalString(*limit) + ". ";
    }
  }
  const json& containers = Field(spec, "containers");
  for (const json& c : containers.is_array() ? containers : json::array()) {
    auto limit = EphemeralLimit(c);
    const std::string name = Field(c, "name").is_string() ? Field(c, "name").get<std::string>() : "";
    auto used = usage.containers.find(name);
    if (limit && !limit->IsZero() && used != usage.containers.end() && Exceeds(used->second, *limit)) {
      return "Container " + name + " exceeded its local ephemeral storage limit \"" +
             apis::CanonicalString(*limit) + "\". ";
    }
  }
  return "";
}

int64_t DiskUsage(const std::string& path) { return MeasureTree(path).bytes; }

DiskUse MeasureTree(const std::string& path) {
  DiskUse use;
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return use;
  use.bytes = static_cast<int64_t>(st.st_blocks) * 512;
  use.inodes = 1;
  if (!S_ISDIR(st.st_mode)) return use;
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return use;
  std::set<std::pair<dev_t, ino_t>> seen;
  UsageAt(fd, &seen, st.st_dev, &use);
  return use;
}

StorageEviction::StorageEviction(Hooks hooks, std::chrono::milliseconds interval)
    : hooks_(std::move(hooks)) {
  loop_.Start(interval, [this] { RunOnce(); });
}

StorageEviction::~StorageEviction() { Stop(); }

void StorageEviction::Stop() { loop_.Stop(); }

int StorageEviction::RunOnce() {
  int evicted = 0;
  for (const json& pod : hooks_.pods()) {
    const json& meta = Field(pod, "metadata");
    const std::string phase =
        Field(Field(pod, "status"), "phase").is_string() ? pod["status"]["phase"].get<std::string>() : "";
    if (!Field(meta, "deletionTimestamp").is_null() || phase == "Succeeded" || phase == "Failed" ||
        !HasLocalStorageLimits(pod)) {
      continue;
    }
    const std::string message = LocalStorageViolation(pod, hooks_.measure(pod));
    if (message.empty()) continue;
    const std::string uid = Field(meta, "uid").is_string() ? meta["uid"].get<std::string>() : "";
    log::Info("agent", "pod exceeds its local storage limits",
              {{"pod", meta.value("namespace", "") + "/" + meta.value("name", "")}, {"reason", message}});
    hooks_.evict(uid, message);
    ++evicted;
  }
  return evicted;
}

}  // namespace skiff::node
