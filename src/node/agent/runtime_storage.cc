// RuntimeImpl::MeasureStorage and MeasureUsage: what a pod takes now, for StorageEviction and
// NodePressureEviction.
#include "api/object_util.h"
#include "runtime_impl.h"
#include "skiff/node/container_logs.h"
#include "skiff/node/volumes.h"

namespace skiff::node {

PodStorageUsage RuntimeImpl::MeasureStorage(const nlohmann::json& pod) const {
  PodStorageUsage usage;
  const std::string uid = pod["metadata"].value("uid", "");
  if (uid.empty()) return usage;
  const std::string pod_dir = PodDir(uid);
  if (const nlohmann::json* volumes = api::Find(pod, {"spec", "volumes"}); volumes && volumes->is_array()) {
    for (const nlohmann::json& v : *volumes) {
      if (!v.contains("emptyDir") || v["emptyDir"].value("medium", "") == "Memory") continue;
      const std::string name = v.value("name", "");
      const DiskUse use = MeasureTree(pod_dir + "/volumes/" + kEmptyDirPlugin + "/" + name);
      usage.empty_dirs[name] = use.bytes;
      usage.inodes += use.inodes;
    }
  }
  auto record = LoadRecord(pod_dir);
  if (!record.ok()) return usage;
  const std::string logs =
      PodLogsDir(config_.pod_logs_dir, record->ns, record->name, record->uid);
  for (const ContainerRecord& c : record->containers) {
    DiskUse use = MeasureTree(logs + "/" + c.name);
    if (!c.id.empty()) {
      const DiskUse upper = MeasureTree(BundleDir(c.id) + "/upper");
      use.bytes += upper.bytes;
      use.inodes += upper.inodes;
    }
    usage.containers[c.name] += use.bytes;  // names are unique across init and app containers
    usage.inodes += use.inodes;
  }
  return usage;
}

PodUsage RuntimeImpl::MeasureUsage(const nlohmann::json& pod, EvictionResource resource) const {
  PodUsage usage;
  const std::string uid = pod["metadata"].value("uid", "");
  if (resource == EvictionResource::kEphemeralStorage || resource == EvictionResource::kInodes) {
    PodStorageUsage storage = MeasureStorage(pod);
    usage.containers = std::move(storage.containers);
    for (const auto& [name, bytes] : storage.empty_dirs) usage.total += bytes;
    for (const auto& [name, bytes] : usage.containers) usage.total += bytes;
    if (resource == EvictionResource::kInodes) usage.total = storage.inodes;
    return usage;
  }
  if (resource == EvictionResource::kPids) {
    // No cgroup yet: nothing of the pod runs.
    usage.total = cgroups_.Processes(uid).value_or(0);
    return usage;
  }
  usage.total = cgroups_.MemoryWorkingSet(uid).value_or(0);
  auto record = LoadRecord(PodDir(uid));
  if (!record.ok()) return usage;
  for (const ContainerRecord& c : record->containers) {
    // (A container that is gone has no cgroup left.)
    if (c.id.empty()) continue;
    if (auto bytes = cgroups_.MemoryWorkingSet(uid, c.id)) usage.containers[c.name] = *bytes;
  }
  return usage;
}

}  // namespace skiff::node
